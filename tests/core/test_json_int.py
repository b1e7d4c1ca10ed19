"""JsonInt: what JSON Schema calls an integer, and nothing pydantic's lax mode would add."""

import pytest
from pydantic import BaseModel, ValidationError

from openrecovery.core.api import JsonInt


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
