"""JSON body types: what JSON Schema calls an integer, and dates and times as text."""

import pytest
from pydantic import BaseModel, ValidationError

from openrecovery.core.api import JsonDate, JsonDateTime, JsonInt


class Body(BaseModel):
    n: JsonInt


@pytest.mark.parametrize(("sent", "kept"), [(17, 17), (17.0, 17), (-3.0, -3), (0, 0)])
def test_integers_and_integral_numbers_are_accepted(sent, kept):
    value = Body.model_validate_json(f'{{"n": {sent}}}').n
    assert value == kept and type(value) is int


@pytest.mark.parametrize("sent", ["17.5", '"17"', "true", "null", "[17]"])
def test_anything_else_is_refused(sent):
    with pytest.raises(ValidationError):
        Body.model_validate_json(f'{{"n": {sent}}}')


class When(BaseModel):
    at: JsonDateTime
    on: JsonDate


def test_dates_and_times_are_iso_text_never_numbers():
    ok = When.model_validate({"at": "2026-11-26T10:00:00Z", "on": "1990-05-04"})
    assert (ok.at.year, ok.on.month) == (2026, 5)
    for bad in ({"at": 0, "on": "1990-05-04"}, {"at": "2026-11-26T10:00:00Z", "on": 19900504}):
        with pytest.raises(ValidationError):
            When.model_validate(bad)
