"""Which characters text may hold (core.text): the one definition forms and the API share."""

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from openrecovery.core.text import (
    ALLOWED_PATTERN,
    CODE_CONTROL_CHARACTER,
    ERROR_CONTROL_CHARACTER,
    text_problem,
    text_refuse_control_characters,
)

REFUSED = [
    *(chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n\r"),
    "\x7f",
    *(chr(c) for c in range(0x80, 0xA0)),
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ufffe",
    "\uffff",
]
KEPT = ["\t", "\n", "\r", " ", "a", "é", "\u00a0", "\u2028", "\ufeff", "\ufffd", "😀", "\U0010fffd"]


@pytest.mark.parametrize("character", REFUSED)
def test_refused_characters(character):
    assert text_problem(f"ab{character}c") == ERROR_CONTROL_CHARACTER % {"position": 3}


@pytest.mark.parametrize("character", KEPT)
def test_kept_characters(character):
    assert text_problem(f"ab{character}c") is None


def test_the_message_names_the_first_position_and_never_the_text():
    problem = text_problem("Secret\x00 name\x01")
    assert problem == "Remove the control character at position 7."
    assert "Secret" not in problem


def test_the_validator_raises_with_its_code_and_ignores_what_is_not_text():
    with pytest.raises(ValidationError) as caught:
        text_refuse_control_characters("x\x00")
    assert caught.value.code == CODE_CONTROL_CHARACTER
    with pytest.raises(ValidationError):
        text_refuse_control_characters(["fine", "bad\ud800"])
    for value in (None, 3, True, ["fine"], "line one\r\nline two\tend"):
        text_refuse_control_characters(value)


@given(st.text())
def test_the_schema_pattern_is_the_rule(text):
    # The pattern the OpenAPI document states accepts exactly what the check accepts.
    assert (re.fullmatch(ALLOWED_PATTERN, text) is not None) == (text_problem(text) is None)
