"""Two identical callbacks are marked in the queue and merged by a coordinator (issue 10.3)."""

import pytest
from playwright.sync_api import Page, expect

from openrecovery.accounts.roles import Role
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.services import callback_request_create
from tests.support.browser import sign_in
from tests.support.factories import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLBACK = {
    "name": "Sam",
    "phone": "(555) 010-4477",
    "best_time": "after 6 pm",
    "for_whom": "myself",
    "substances": "alprazolam",
    "voicemail_ok": False,
    "consent": True,
    "message": "",
}
SIZES = {"desktop": (1366, 900), "tablet": (820, 1180), "phone": (390, 844)}


@pytest.fixture(autouse=True)
def _fast_queue(settings):
    settings.HELPLINE_RATE_LIMIT = "off"
    settings.HELPLINE_QUEUE_POLL_SECONDS = 1


def test_duplicates_are_marked_and_merged(page: Page, server, inspect):
    coordinator = make_staff(
        Role.ADMISSIONS_COORDINATOR, "coordinator", first_name="Riley", last_name="Okafor"
    )
    first = callback_request_create(data=CALLBACK, source_ip="203.0.113.9")
    again = callback_request_create(
        data={**CALLBACK, "phone": "555-010-4477", "message": "Nobody called yet, please call"},
        source_ip="203.0.113.9",
    )
    sign_in(page, server, coordinator)
    page.goto(f"{server}/admissions/")
    row = page.locator(f'tr[data-reference="{first.reference}"]')
    expect(row).to_contain_text(f"possible duplicate of {again.reference}")
    expect(page.locator(f'tr[data-reference="{again.reference}"]')).to_contain_text(
        f"possible duplicate of {first.reference}"
    )
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        inspect.check(page, f"queue-{size}")
    page.set_viewport_size({"width": 1366, "height": 900})

    row.get_by_role("link", name=first.reference).click()
    page.get_by_role("button", name="Claim").click()
    expect(page.locator("#possible-duplicates")).to_contain_text(again.reference)
    inspect.check(page, "inquiry-with-duplicate")
    page.get_by_role("button", name=f"Merge {again.reference} into this inquiry").click()
    merged = page.locator("#merged-here")
    expect(merged).to_contain_text(again.reference)
    expect(merged).to_contain_text("Nobody called yet, please call")
    inspect.check(page, "after-merge")

    again.refresh_from_db()
    assert again.merged_into_id == first.pk and again.closed_at is not None
    page.get_by_role("link", name="Admissions", exact=True).first.click()
    expect(page.locator(f'tr[data-reference="{first.reference}"]')).to_be_visible()
    expect(page.locator(f'tr[data-reference="{again.reference}"]')).to_have_count(0)
    expect(page.locator(".queue-duplicate")).to_have_count(0)
    assert Inquiry.objects.filter(closed_at__isnull=True).count() == 1
