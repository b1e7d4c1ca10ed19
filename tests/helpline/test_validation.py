"""One set of callback rules: the service's check, the public form and the API agree."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from openrecovery.helpline.forms import CallbackRequestForm
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.validation import (
    ERROR_CONSENT,
    ERROR_PHONE,
    ERROR_REQUIRED,
    MAX_LENGTHS,
    PHONE_PATTERN,
    REQUIRED_TEXT_PATTERN,
    TEXT_PATTERN,
    callback_fields,
    phone_problem,
)
from tests.support.helpline import VALID, callback

API = "/api/v1/helpline/callbacks"

# (change to a valid request, the fields it makes wrong)
CASES = [
    ({}, set()),
    ({"name": "   "}, {"name"}),
    ({"name": "Sam\x00"}, {"name"}),
    ({"name": "x" * (MAX_LENGTHS["name"] + 1)}, {"name"}),
    ({"phone": "call me"}, {"phone"}),
    ({"phone": "555-01"}, {"phone"}),
    ({"phone": "+1 555 010 4477 0000 11"}, {"phone"}),
    ({"phone": "   "}, {"phone"}),
    ({"for_whom": "neighbour"}, {"for_whom"}),
    ({"message": "x" * (MAX_LENGTHS["message"] + 1)}, {"message"}),
    ({"substances": "x" * (MAX_LENGTHS["substances"] + 1)}, {"substances"}),
    ({"consent": False}, {"consent"}),
]


def service_problems(data):
    try:
        callback_fields(data)
    except ValidationError as exc:
        return set(exc.message_dict)
    return set()


def form_problems(data):
    post = {k: v for k, v in data.items() if not isinstance(v, bool)}
    post |= {k: "on" for k in ("consent", "voicemail_ok") if data.get(k) is True}
    form = CallbackRequestForm(post)
    form.is_valid()
    return set(form.errors)


def api_problems(client, data):
    response = client.post(API, json.dumps(data), content_type="application/json")
    if response.status_code == 201:
        return set()
    assert response.status_code == 422
    return {p["field"] for p in response.json()["detail"]}


@pytest.mark.parametrize(("change", "wrong"), CASES)
def test_form_api_and_service_agree(db, client, change, wrong):
    data = {**VALID, **change}
    assert service_problems(data) == wrong
    assert form_problems(data) == wrong
    assert api_problems(client, data) == wrong
    assert Inquiry.objects.count() == (0 if wrong else 1)


def test_the_form_and_the_service_name_every_problem_at_once():
    data = {**VALID, "name": "", "phone": "x", "consent": False}
    assert form_problems(data) == service_problems(data) == {"name", "phone", "consent"}


def test_values_are_stripped_and_defaults_filled():
    data = {"name": "  Sam ", "phone": " 555-010-4477 ", "for_whom": "myself", "consent": True}
    assert callback_fields(data) == {
        "name": "Sam",
        "phone": "555-010-4477",
        "best_time": "",
        "substances": "",
        "message": "",
        "for_whom": "myself",
        "voicemail_ok": False,
        "consent": True,
    }


def test_consent_is_required_unless_the_caller_phoned_in():
    data = {"name": "Sam", "phone": "555-010-4477", "for_whom": "myself"}
    with pytest.raises(ValidationError) as raised:
        callback_fields(data)
    assert raised.value.message_dict == {"consent": [ERROR_CONSENT]}
    assert callback_fields(data, consent_required=False)["consent"] is False


def test_every_problem_is_named_at_once():
    with pytest.raises(ValidationError) as raised:
        callback_fields({"name": 7, "phone": "", "voicemail_ok": "yes", "consent": "true"})
    problems = raised.value.message_dict
    assert set(problems) == {"name", "phone", "for_whom", "voicemail_ok", "consent"}
    assert problems["phone"] == [ERROR_REQUIRED]


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("555-0142", True),
        ("+44 20 7946 0958", True),
        ("(555) 010.4477", True),
        ("123456", False),
        ("1234567890123456", False),
        ("555-0142 ext 2", False),
        ("٥٥٥٠١٤٢٤٤٧٧", False),
    ],
)
def test_phone_rule(phone, ok):
    assert (phone_problem(phone) is None) is ok
    assert phone_problem(phone) in (None, ERROR_PHONE)


def test_the_service_stores_what_the_rules_return(db):
    inquiry = callback(name="  Sam  ", message="  call after six  ")
    inquiry.refresh_from_db()
    assert (inquiry.name, inquiry.message) == ("Sam", "call after six")


# The API schema states these rules as patterns: they must accept exactly what the
# checks accept, or schema-driven clients (and fuzzers) are told something untrue.

PHONE_ALPHABET = "0123456789 +-().x\t\u00a0\u00b2\u0665a\x00"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=PHONE_ALPHABET, max_size=24))
def test_the_phone_pattern_is_the_phone_rule(phone):
    by_pattern = re.fullmatch(PHONE_PATTERN, phone) is not None
    assert by_pattern == (phone_problem(phone.strip()) is None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\u00a0\u2003ab\x00\x1f\x7f\x85é", max_size=12))
def test_the_text_patterns_are_the_text_rules(text):
    def accepted(required):
        try:
            callback_fields({**VALID, "name": text if required else "Sam", "message": text})
        except ValidationError as exc:
            return not ({"name", "message"} & set(exc.message_dict))
        return True

    assert (re.search(TEXT_PATTERN, text) is not None) == accepted(required=False)
    assert (re.search(REQUIRED_TEXT_PATTERN, text) is not None) == accepted(required=True)


def test_the_callback_schema_states_the_rules(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    body = paths["/api/v1/helpline/callbacks"]["post"]["requestBody"]
    fields = body["content"]["application/json"]["schema"]["properties"]
    assert fields["phone"]["pattern"] == PHONE_PATTERN
    assert fields["name"]["pattern"] == REQUIRED_TEXT_PATTERN
    assert fields["message"]["pattern"] == TEXT_PATTERN
    assert fields["consent"]["const"] is True
    assert "$ref" not in json.dumps(body)  # nested models are written in place
    check = fields["self_check"]["anyOf"][0]["properties"]
    assert check["code"].get("enum", [check["code"].get("const")]) == ["benzo-selfcheck"]
    assert check["answers"]["minItems"] == check["answers"]["maxItems"] == 16
