"""A self-check sent with a callback reaches the coordinator as sourced danger banners."""

import re

from django.urls import reverse

from openrecovery.helpline.choices import Urgency
from openrecovery.helpline.public.selfcheck import self_check_payload
from openrecovery.helpline.rules import SOURCE_988, danger_rules, self_check_rules
from openrecovery.helpline.services import inquiry_claim, prescreen_save
from tests.support.factories import verified_client
from tests.support.helpline import callback

# Prescribed, took more, 11 signs yes, mixing, seizure, self-harm: every flag, band many_signs.
EVERY_FLAG = [0, 1, *([1] * 11), 1, 1, 1]


def _banners(body: str, section_id: str) -> list[str]:
    section = re.search(rf'<section[^>]*id="{section_id}".*?</section>', body, re.S)
    assert section is not None, section_id
    return re.findall(r'data-rule="([a-z0-9_]+)"', section.group(0))


def test_each_flag_and_the_top_band_is_a_sourced_banner_most_severe_first(db):
    rules = self_check_rules(callback(self_check=self_check_payload(EVERY_FLAG)).self_check)
    assert [r.code for r in rules][0] == "suicide_988"
    assert {r.code for r in rules} == {
        "suicide_988",
        "supervised_withdrawal",
        "mixing_overdose",
        "overuse",
        "many_signs",
    }
    assert all(r.source and r.message for r in rules)
    assert rules[0].source == SOURCE_988
    assert self_check_rules(None) == []
    assert self_check_rules({"code": "benzo-selfcheck", "band": "few_signs", "flags": []}) == []


def test_a_danger_the_prescreen_already_raised_gets_one_banner(coordinator):
    inquiry = inquiry_claim(
        actor=coordinator, inquiry_id=callback(self_check=self_check_payload(EVERY_FLAG)).pk
    )
    prescreen = prescreen_save(
        actor=coordinator, inquiry_id=inquiry.pk, answers={"suicidal_thoughts": True}
    )
    rules = self_check_rules(inquiry.self_check, already=danger_rules(prescreen))
    assert "suicide_988" not in {r.code for r in rules}


def test_a_self_harm_self_check_makes_the_inquiry_urgent_with_a_988_banner(coordinator):
    inquiry = callback(self_check=self_check_payload(EVERY_FLAG))
    assert inquiry.urgency == Urgency.URGENT
    assert inquiry.self_check["flags"] == ["self_harm", "seizure_risk", "mixing_risk", "overuse"]
    assert inquiry.self_check["band"] == "many_signs"  # the stored codes stay as they are
    client = verified_client(coordinator)
    body = client.get(
        reverse("helpline:console:inquiry", args=[inquiry.reference])
    ).content.decode()
    assert _banners(body, "self-check-danger") == [
        "suicide_988",
        "supervised_withdrawal",
        "mixing_overdose",
        "overuse",
        "many_signs",
    ]
    assert 'href="tel:988">Call 988 now (warm hand-off)' in body
    assert "Source: 988 Suicide &amp; Crisis Lifeline" in body
    # The raw codes no longer stand in for words.
    assert "flags: self_harm" not in body and "band <strong>many_signs" not in body
    assert "Many of the signs (6 or more)" in body
    assert "Thoughts of self-harm: call or text 988 now" in body
    queue = client.get(reverse("helpline:console:queue")).content.decode()
    row = re.search(rf'<tr data-reference="{inquiry.reference}".*?</tr>', queue, re.S)
    assert row is not None and "Urgent" in row.group(0)
