"""The callback request form: committed before it is confirmed, and spam kept out."""

import re

import pytest
from django.conf import settings
from django.test import Client, override_settings

from openrecovery.audit.models import AuditEvent
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.public.views import SESSION_REFERENCE
from openrecovery.helpline.validation import ERROR_CONSENT, ERROR_PHONE
from tests.support.helpline import (
    assert_crisis_resources,
    callback_data,
    prefilled_answers,
    table_counts,
)

SENT = "/help/callback/sent/"
MYSELF_CHECKED = re.compile(r'<input type="radio" name="for_whom" value="myself"[^>]* checked>')


def test_form_has_every_field_a_hidden_honeypot_and_csrf(db):
    body = Client().get("/help/callback/").content.decode()
    for name in ("name", "phone", "best_time", "for_whom", "substances", "voicemail_ok"):
        assert f'name="{name}"' in body, name
    for name in ("consent", "message", "csrfmiddlewaretoken"):
        assert f'name="{name}"' in body, name
    honeypot = '<div class="d-none" aria-hidden="true">\n  <label class="form-label"'
    assert f'{honeypot} for="id_website">' in body
    assert re.search(r'<input type="text" name="website"[^>]* tabindex="-1"', body)
    # What the person may type, the browser keeps to itself (an alias) or offers (a phone).
    assert re.search(r'<input type="text" name="name"[^>]* autocomplete="off"', body)
    phone = r'<input type="tel" name="phone"[^>]* autocomplete="tel" inputmode="tel"'
    assert re.search(phone, body)
    assert 'method="post" action="/help/callback/"' in body


def test_a_request_is_committed_then_confirmed_with_its_reference(db):
    client = Client()
    response = client.post("/help/callback/", callback_data())
    assert response.status_code == 302
    assert response["Location"] == SENT  # the reference is not in the URL
    inquiry = Inquiry.objects.get()
    assert (inquiry.name, inquiry.phone, inquiry.for_whom) == ("Sam", "555-0142", "myself")
    assert inquiry.consent is True and inquiry.voicemail_ok is False
    assert inquiry.self_check is None
    assert AuditEvent.objects.filter(object_type="inquiry", object_id=str(inquiry.pk)).exists()
    assert client.session[SESSION_REFERENCE] == inquiry.reference

    page = client.get(SENT)
    body = page.content.decode()
    assert page.status_code == 200
    assert inquiry.reference in body
    assert f"within {settings.HELPLINE_RESPONSE_MINUTES} minutes" in body
    assert "What happens next" in body
    assert "Sam" not in body and "555-0142" not in body
    assert_crisis_resources(body)


@override_settings(HELPLINE_RESPONSE_MINUTES=30)
def test_the_promised_response_time_comes_from_settings(db):
    client = Client()
    client.post("/help/callback/", callback_data())
    assert "within 30 minutes" in client.get(SENT).content.decode()


def test_the_sent_page_without_a_request_shows_no_reference(db):
    body = Client().get(SENT).content.decode()
    assert "Your reference code" not in body
    assert "What happens next" in body


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "call me"}, "phone", ERROR_PHONE),
        ({"consent": ""}, "consent", ERROR_CONSENT),
        ({"name": ""}, "name", "This field is required."),
        ({"message": "x" * 2001}, "message", "at most 2000 characters"),
    ],
)
def test_field_errors_are_422_and_change_nothing(db, overrides, field, message):
    before = table_counts()
    response = Client().post("/help/callback/", callback_data(**overrides))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert f'aria-describedby="id_{field}_error"' in body
    assert "Please check the 1 field marked below." in body
    assert table_counts() == before
    assert_crisis_resources(body)


def test_what_was_typed_is_kept_after_an_error(db):
    body = Client().post("/help/callback/", callback_data(consent="")).content.decode()
    assert 'value="Sam"' in body and 'value="555-0142"' in body
    assert MYSELF_CHECKED.search(body)


def test_honeypot_looks_like_success_to_a_bot_and_stores_nothing(db):
    before = table_counts()
    client = Client()
    response = client.post("/help/callback/", callback_data(website="https://spam.example"))
    assert (response.status_code, response["Location"]) == (302, SENT)
    assert table_counts() == before
    assert "Your reference code" not in client.get(SENT).content.decode()


@override_settings(HELPLINE_RATE_LIMIT="2/h")
def test_rate_limit_answers_429_with_retry_after_and_a_number_to_call(db):
    client = Client()
    for _ in range(2):
        assert client.post("/help/callback/", callback_data()).status_code == 302
    response = client.post("/help/callback/", callback_data(name="Third"))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    body = response.content.decode()
    assert "Please call us instead" in body
    assert f"tel:{settings.PROGRAM_PHONE}" in body
    assert_crisis_resources(body)
    assert Inquiry.objects.count() == 2
    assert not Inquiry.objects.filter(name="Third").exists()


@override_settings(HELPLINE_MAX_BODY_BYTES=1024)
def test_an_oversized_request_is_refused_unread(db):
    response = Client().post("/help/callback/", callback_data(message="x" * 1500))
    assert response.status_code == 413
    assert not Inquiry.objects.exists()


# --- self-check answers sent with the request -----------------------------------------


def test_the_prefill_shows_the_answers_and_stores_nothing_yet(db):
    client = Client()
    answers = prefilled_answers(client, {"3", "4", "16"})
    before = table_counts()
    response = client.post("/help/callback/", {"prefill": "1", "self_check_answers": answers})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your self-check answers" in body
    assert "You said yes to <strong>2 of the 11 signs</strong>" in body
    assert "Thoughts of self-harm" in body
    assert 'name="include_self_check" id="id_include_self_check" checked' in body
    assert f'name="self_check_answers" value="{answers}"' in body
    assert MYSELF_CHECKED.search(body)
    assert "Please check" not in body  # no errors before the person has sent anything
    assert table_counts() == before


def test_answers_kept_are_stored_with_the_inquiry_rescored(db):
    client = Client()
    answers = prefilled_answers(client, {"3", "4", "16"})
    data = callback_data(self_check_answers=answers, include_self_check="on")
    assert client.post("/help/callback/", data).status_code == 302
    stored = Inquiry.objects.get().self_check
    assert stored["code"] == "benzo-selfcheck"
    assert (stored["band"], stored["flags"]) == ("few_signs", ["self_harm"])
    assert stored["answers"] == [int(a) for a in answers.split(",")]


def test_answers_removed_are_not_stored(db):
    client = Client()
    answers = prefilled_answers(client, {"3", "4", "16"})
    data = callback_data(self_check_answers=answers)  # the box was unticked
    assert client.post("/help/callback/", data).status_code == 302
    assert Inquiry.objects.get().self_check is None


def test_tampered_answers_are_not_stored(db):
    data = callback_data(self_check_answers="9,9,9", include_self_check="on")
    assert Client().post("/help/callback/", data).status_code == 302
    assert Inquiry.objects.get().self_check is None


def test_answers_survive_a_field_error_and_stay_removable(db):
    client = Client()
    answers = prefilled_answers(client, {"16"})
    data = callback_data(self_check_answers=answers, include_self_check="on", consent="")
    body = client.post("/help/callback/", data).content.decode()
    assert "Your self-check answers" in body
    assert 'id="id_include_self_check" checked' in body
    assert not Inquiry.objects.exists()


def test_the_prefill_hints_at_benzodiazepines_without_a_value_to_glue_onto(db):
    # "Benzodiazepines" used to be the field's value: typing "xanax" after it stored
    # "Benzodiazepinesxanax". A placeholder asks without putting words in the field.
    client = Client()
    answers = prefilled_answers(client, {"3", "4"})
    body = client.post(
        "/help/callback/", {"prefill": "1", "self_check_answers": answers}
    ).content.decode()
    field = re.search(r"<input[^>]*name=\"substances\"[^>]*>", body).group(0)
    assert "value=" not in field
    assert 'placeholder="Which benzodiazepines, if you know' in field
