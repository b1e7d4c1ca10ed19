from openrecovery.helpline.services import inquiry_claim

from .conftest import callback


def test_create_and_claim(coordinator):
    inquiry = callback()
    assert inquiry.reference.startswith("HL-")
    assert inquiry_claim(actor=coordinator, inquiry_id=inquiry.pk).claimed_by == coordinator
