"""Withdrawal happening now (issue 10, point 5): a danger rule that makes the call urgent.

"Ran out of his pills two days ago and is shaking" was triaged Normal, because the
pre-screen had no item for withdrawal now. Benzodiazepine or alcohol withdrawal now is
urgent (a medical assessment today); a seizure or confusion is a 911 call.
"""

import re

import pytest

from openrecovery.helpline.choices import Urgency
from openrecovery.helpline.rules import (
    SOURCE_911,
    SOURCE_WITHDRAWAL_NOW,
    danger_rules,
    urgency_from_rules,
)
from openrecovery.helpline.services import inquiry_claim, prescreen_save
from tests.support.factories import verified_client
from tests.support.helpline import callback
from tests.support.helpline import prescreen_answers as answers

KLONOPIN = [{"substance": "Klonopin", "dose": "1 mg", "last_use": "two days ago"}]


def codes(rules):
    return [r.code for r in rules]


def test_benzodiazepine_withdrawal_now_is_urgent_with_time_since_last_dose_and_source():
    rules = danger_rules(
        answers(substances=KLONOPIN, withdrawal_now=True, hours_since_last_dose=48)
    )
    assert codes(rules)[0] == "withdrawal_now"
    rule = rules[0]
    assert rule.severity == "urgent" and rule.source == SOURCE_WITHDRAWAL_NOW
    assert "medical assessment today" in rule.message and "2 days ago" in rule.message
    assert "rec. 12" in rule.source and "rec. 2" in rule.source
    assert urgency_from_rules(rules) == Urgency.URGENT


@pytest.mark.parametrize(
    "change",
    [{"alcohol_co_use": True}, {"substances": [{"substance": "vodka, a bottle a day"}]}],
)
def test_alcohol_withdrawal_now_is_urgent(change):
    rules = danger_rules(answers(withdrawal_now=True, **change))
    assert "withdrawal_now" in codes(rules)
    assert urgency_from_rules(rules) == Urgency.URGENT


def test_seizure_or_confusion_now_is_a_911_call_first():
    rules = danger_rules(
        answers(substances=KLONOPIN, withdrawal_now=True, withdrawal_seizure_or_confusion_now=True)
    )
    assert codes(rules)[:2] == ["withdrawal_911", "withdrawal_now"]
    assert rules[0].severity == "emergency" and SOURCE_911 in rules[0].source
    assert "call 911" in rules[0].message


def test_withdrawal_now_from_something_else_asks_for_supervision_not_urgency():
    rules = danger_rules(answers(substances=[{"substance": "kratom"}], withdrawal_now=True))
    assert codes(rules) == ["supervised_withdrawal"]
    assert "withdrawal symptoms now" in rules[0].message
    assert urgency_from_rules(rules) == Urgency.HIGH


def test_no_withdrawal_rule_advises_stopping_or_cutting_down_alone():
    rules = danger_rules(
        answers(substances=KLONOPIN, withdrawal_now=True, withdrawal_seizure_or_confusion_now=True)
    )
    for rule in rules:
        text = rule.message.lower()
        assert not re.search(r"\b(stop|quit) (taking|using)\b", text), rule.code
        if "stop" in text:
            assert re.search(r"(do not|never|not to)[^.]*stop", text), rule.code


def test_ran_out_two_days_ago_and_shaking_is_triaged_urgent(coordinator):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    assert inquiry.urgency == Urgency.NORMAL
    prescreen_save(
        actor=coordinator,
        inquiry_id=inquiry.pk,
        answers={"substances": KLONOPIN, "withdrawal_now": True, "hours_since_last_dose": 48},
    )
    inquiry.refresh_from_db()
    assert inquiry.urgency == Urgency.URGENT
    assert inquiry.prescreen.hours_since_last_dose == 48


def test_the_api_takes_withdrawal_now_and_refuses_hours_as_text(coordinator):
    inquiry = inquiry_claim(actor=coordinator, inquiry_id=callback().pk)
    client = verified_client(coordinator)
    url = f"/api/v1/helpline/inquiries/{inquiry.reference}/prescreen"
    refused = client.post(url, {"hours_since_last_dose": "48"}, content_type="application/json")
    assert refused.status_code == 422
    body = {"substances": KLONOPIN, "withdrawal_now": True, "hours_since_last_dose": 48}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    saved = response.json()
    assert saved["urgency"] == "urgent"
    assert saved["prescreen"]["hours_since_last_dose"] == 48
    assert saved["danger_rules"][0]["code"] == "withdrawal_now"
