"""The self-check through its pages: scored and explained, never stored or audited."""

import re

import pytest
from django.test import Client

from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.models import Inquiry
from openrecovery.instruments.definitions.selfcheck_benzo import DSM5_CRITERION_BY_ITEM
from tests.support.helpline import assert_crisis_resources, self_check_data, table_counts

SIGNS = list(DSM5_CRITERION_BY_ITEM)
NOT_A_DIAGNOSIS = "This is not a diagnosis."
DO_NOT_STOP = "Do not stop suddenly; talk to a clinician."


def post(yes: set[str]) -> str:
    response = Client().post("/help/self-check/", self_check_data(yes))
    assert response.status_code == 200
    return response.content.decode()


def test_form_is_radio_groups_posting_to_itself(db):
    body = Client().get("/help/self-check/").content.decode()
    assert 'method="post" action="/help/self-check/"' in body
    assert body.count('type="radio"') == 2 * 16
    assert body.count("<fieldset") == 16
    assert "csrfmiddlewaretoken" in body
    assert "not a diagnosis" in body


@pytest.mark.parametrize(
    ("count", "label"),
    [
        (0, "no more than one of the signs"),
        (3, "a few of the signs (2 or 3)"),
        (5, "several of the signs (4 or 5)"),
        (11, "many of the signs (6 or more)"),
    ],
)
def test_result_counts_the_signs_and_explains_without_diagnosing(db, count, label):
    body = post(set(SIGNS[:count]))
    assert f"You said yes to {count} of the 11 signs" in body
    assert label in body
    assert NOT_A_DIAGNOSIS in body
    assert DO_NOT_STOP in body
    assert "Sources" in body and "DSM-5-TR" in body and "Definition of Addiction" in body
    assert "disorder" not in body.split("Sources")[0].lower()
    assert_crisis_resources(body)


def test_result_shows_which_criterion_each_sign_matches(db):
    body = post({"12"})
    assert "Corresponds to DSM-5-TR criterion 10" in body


def test_taken_only_as_prescribed_leaves_tolerance_and_withdrawal_uncounted(db):
    body = post({"1", "12", "13"})
    assert "You said yes to 0 of the 11 signs" in body
    assert "were not counted" in body


def test_danger_messages_come_first_with_self_harm_on_top(db):
    body = post({"2", "14", "15", "16"})
    positions = [
        body.index(text)
        for text in (
            "You matter. Please talk to someone now.",
            "A seizure when cutting down",
            "Mixing raises the risk of overdose",
            "Extra pills carry extra risk",
            NOT_A_DIAGNOSIS,
        )
    ]
    assert positions == sorted(positions)
    assert 'href="sms:988"' in body and 'href="tel:988"' in body and 'href="tel:911"' in body
    assert "naloxone" in body and "fentanyl" in body


def test_no_danger_message_without_a_danger_answer(db):
    body = post(set(SIGNS))
    assert "You matter." not in body
    assert "Mixing raises the risk" not in body


def test_missing_answers_are_422_and_name_the_questions(db):
    data = self_check_data()
    del data["item_5"], data["item_16"]
    response = Client().post("/help/self-check/", data)
    assert response.status_code == 422
    body = response.content.decode()
    assert "Please answer 2 more questions" in body
    assert 'href="#item_5"' in body and 'href="#item_16"' in body
    assert body.count("Please answer this question.") == 2
    assert '<fieldset id="item_5" class="mb-3 pb-3 border-bottom" data-item="5"' in body
    assert 'aria-describedby="item_5_error"' in body
    assert re.search(r'name="item_1" value="0"[^>]* checked>', body)  # the answers given are kept


def test_nothing_is_stored_or_audited(db):
    client = Client()
    before = table_counts()
    assert before["helpline.Inquiry"] == before["audit.AuditEvent"] == 0
    client.get("/help/self-check/")
    client.post("/help/self-check/", self_check_data({"2", "3", "14", "16"}))
    client.post("/help/self-check/", {"item_1": "1"})
    assert table_counts() == before
    assert not Inquiry.objects.exists() and not AuditEvent.objects.exists()
    assert "sessionid" not in client.cookies


def test_answers_never_travel_in_a_url(db):
    body = post(set(SIGNS))
    assert "?" not in "".join(
        line for line in body.splitlines() if 'action="' in line and "help" in line
    )
    assert 'method="post" action="/help/callback/"' in body
