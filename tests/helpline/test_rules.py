"""Danger rules: each fires on its answer, names its source, and never advises stopping."""

import re

import pytest

from openrecovery.helpline.choices import Urgency
from openrecovery.helpline.rules import danger_rules, urgency_from_rules, urgency_from_self_check
from tests.support.helpline import prescreen_answers as answers


@pytest.mark.parametrize(
    ("change", "code", "source_words", "urgency"),
    [
        ({"overdose_signs": True}, "overdose_911", "911", Urgency.URGENT),
        ({"suicidal_thoughts": True}, "suicide_988", "988", Urgency.URGENT),
        ({"withdrawal_seizures": True}, "supervised_withdrawal", "rec. 12", Urgency.HIGH),
        ({"withdrawal_complications": True}, "supervised_withdrawal", "rec. 5", Urgency.HIGH),
        ({"alcohol_co_use": True}, "supervised_withdrawal", "rec. 2", Urgency.HIGH),
        ({"opioid_co_use": True}, "naloxone", "rec. 17", Urgency.HIGH),
        ({"pregnancy": "yes"}, "pregnancy", "rec. 5", Urgency.HIGH),
        ({"substances": [{"substance": "Klonopin"}]}, "no_abrupt_stop", "rec. 2", Urgency.NORMAL),
    ],
)
def test_each_rule_fires_with_its_source(change, code, source_words, urgency):
    rules = danger_rules(answers(**change))
    rule = next(r for r in rules if r.code == code)
    assert source_words in rule.source
    assert urgency_from_rules(rules) == urgency


def test_no_answers_no_rules():
    assert danger_rules(answers()) == []
    assert urgency_from_rules([]) == Urgency.NORMAL


def test_opioid_co_use_means_supervised_withdrawal_too():
    codes = [r.code for r in danger_rules(answers(opioid_co_use=True))]
    assert codes == ["supervised_withdrawal", "naloxone"]


def test_no_rule_ever_advises_stopping():
    every = answers(
        overdose_signs=True,
        suicidal_thoughts=True,
        withdrawal_seizures=True,
        withdrawal_complications=True,
        alcohol_co_use=True,
        opioid_co_use=True,
        pregnancy="yes",
        substances=[{"substance": "alprazolam"}],
    )
    rules = danger_rules(every)
    assert len(rules) == 6
    for rule in rules:
        for sentence in re.split(r"[.;]", rule.message):
            if re.search(r"\bstop", sentence, re.IGNORECASE):
                # Only ever "do not stop" or a warning that stopping can cause harm.
                assert re.search(r"\b(not|can cause)\b", sentence), rule.message
    assert rules[0].code == "overdose_911"


@pytest.mark.parametrize(
    ("self_check", "urgency"),
    [
        (None, Urgency.NORMAL),
        ({"code": "phq9", "band": "mild", "flags": []}, Urgency.NORMAL),
        ({"code": "phq9", "band": "severe", "flags": []}, Urgency.HIGH),
        ({"code": "phq9", "band": "mild", "flags": ["suicide_risk"]}, Urgency.URGENT),
        ({"code": "cssrs", "band": "moderate", "flags": []}, Urgency.HIGH),
        ({"code": "cssrs", "band": "high", "flags": ["urgent_review"]}, Urgency.URGENT),
        ({"code": "benzo-selfcheck", "band": "few_signs", "flags": []}, Urgency.NORMAL),
        ({"code": "benzo-selfcheck", "band": "many_signs", "flags": []}, Urgency.HIGH),
        ({"code": "benzo-selfcheck", "band": "few_signs", "flags": ["overuse"]}, Urgency.NORMAL),
        ({"code": "benzo-selfcheck", "band": "few_signs", "flags": ["mixing_risk"]}, Urgency.HIGH),
        ({"code": "benzo-selfcheck", "band": "few_signs", "flags": ["seizure_risk"]}, Urgency.HIGH),
        (
            {"code": "benzo-selfcheck", "band": "none_or_one", "flags": ["self_harm"]},
            Urgency.URGENT,
        ),
    ],
)
def test_self_check_urgency(self_check, urgency):
    assert urgency_from_self_check(self_check) == urgency


# Issue 12: the banner never appeared for these before the medication catalogue.
NEWLY_RECOGNIZED = [
    "clorazepate", "Tranxene", "estazolam", "ProSom", "flurazepam", "Dalmane", "quazepam",
    "Doral", "midazolam", "Versed", "Nayzilam", "etizolam", "bromazolam", "clonazolam",
    "flualprazolam", "flubromazolam", "diclazepam", "phenazepam", "K-pins", "xannies",
    "clonazapam", "benzodiazepines",
]  # fmt: skip


@pytest.mark.parametrize("name", NEWLY_RECOGNIZED)
def test_do_not_stop_suddenly_appears_for_every_catalogue_benzodiazepine(name):
    rules = danger_rules(answers(substances=[{"substance": f"{name}, most days"}]))
    [rule] = [r for r in rules if r.code == "no_abrupt_stop"]
    assert "not to stop suddenly" in rule.message and "rec. 2" in rule.source


@pytest.mark.parametrize("name", ["Tranxene", "bromazolam", "Versed"])
def test_withdrawal_now_from_a_catalogue_benzodiazepine_is_urgent(name):
    rules = danger_rules(answers(substances=[{"substance": name}], withdrawal_now=True))
    assert "withdrawal_now" in [r.code for r in rules]
    assert urgency_from_rules(rules) == Urgency.URGENT


@pytest.mark.parametrize("name", ["zolpidem", "oxycodone", "kratom", "vodka", "benzoyl peroxide"])
def test_no_benzodiazepine_banner_for_other_substances(name):
    codes = [r.code for r in danger_rules(answers(substances=[{"substance": name}]))]
    assert "no_abrupt_stop" not in codes
