"""The API's one handler turns each typed error into its documented status, body and headers."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from openrecovery.accounts.roles import Role
from openrecovery.api import ERROR_NOT_FOUND, api
from openrecovery.core.api import ErrorOut, ValidationErrorOut
from openrecovery.core.errors import (
    ERROR_RATE_LIMITED,
    ERROR_TOO_LARGE,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    RequestTooLarge,
    StateConflict,
)
from openrecovery.helpline.duplicates import DuplicateMatch
from openrecovery.helpline.schemas import ConflictOut, DuplicatesOut
from openrecovery.helpline.services import (
    ERROR_CLAIM_FIRST,
    ERROR_DUPLICATES,
    InquiryConflict,
    InquiryTaken,
    LikelyDuplicates,
)
from openrecovery.instruments.schemas import AnswerErrorsOut
from tests.support.factories import make_patient, make_staff


def answer(exc: Exception):
    """Return (status, JSON body, response) as the API answers ``exc`` raised in an endpoint."""
    request = RequestFactory().get("/api/v1/anything")
    response = api.on_exception(request, exc)
    return response.status_code, json.loads(response.content), response


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (Forbidden("Only the recipient can."), 403, {"detail": "Only the recipient can."}),
        (NotFound("No instrument has this code."), 404, {"detail": "No instrument has this code."}),
        (StateConflict("This episode is closed."), 409, {"detail": "This episode is closed."}),
        (RequestTooLarge(), 413, {"detail": ERROR_TOO_LARGE}),
        (
            InvalidInput([{"field": "outcome", "message": "Choose one."}]),
            422,
            {"detail": [{"field": "outcome", "message": "Choose one."}]},
        ),
        (
            InquiryConflict(ERROR_CLAIM_FIRST),
            409,
            {"detail": ERROR_CLAIM_FIRST, "claimed_by": None},
        ),
    ],
)
def test_each_error_answers_its_status_and_body(error, status, body):
    assert answer(error)[:2] == (status, body)
    assert error.status == status


def test_rate_limited_is_429_with_retry_after():
    status, body, response = answer(RateLimited(42))
    assert (status, body) == (429, {"detail": ERROR_RATE_LIMITED % 42})
    assert response["Retry-After"] == "42"
    ErrorOut.model_validate(body)


def test_other_errors_carry_no_retry_after():
    assert "Retry-After" not in answer(StateConflict("Closed."))[2]


def test_a_taken_inquiry_names_who_holds_it(db):
    holder = make_staff(Role.ADMISSIONS_COORDINATOR, "holder")
    holder.first_name, holder.last_name = "Ann", "Lee"
    status, body, _response = answer(InquiryTaken(holder))
    assert (status, body) == (409, {"detail": "Ann Lee has this inquiry.", "claimed_by": "Ann Lee"})
    ConflictOut.model_validate(body)


def test_likely_duplicates_list_the_patients(director):
    twin = make_patient(
        actor=director, given="Sam", family="Rivera", date_of_birth=dt.date(1990, 5, 4)
    )
    hidden = make_patient(actor=director, phone_mobile="555-0199")
    matches = [
        DuplicateMatch(twin, ("name_and_birth_date",), visible=True, token="a" * 24),
        DuplicateMatch(hidden, ("phone",), visible=False, token="b" * 24),
    ]
    status, body, _response = answer(LikelyDuplicates(matches))
    assert status == 409
    assert body == {
        "detail": ERROR_DUPLICATES,
        "duplicates": [
            {
                "match": "a" * 24,
                "basis": ["name_and_birth_date"],
                "visible": True,
                "id": twin.pk,
                "mrn": twin.mrn,
                "display_name": twin.display_name,
                "date_of_birth": "1990-05-04",
            },
            {
                "match": "b" * 24,
                "basis": ["phone"],
                "visible": False,
                "id": None,
                "mrn": None,
                "display_name": None,
                "date_of_birth": None,
            },
        ],
    }
    DuplicatesOut.model_validate(body)


@pytest.mark.parametrize(
    ("error", "problems"),
    [
        (
            ValidationError({"outcome": ["Choose one."]}),
            [{"field": "outcome", "message": "Choose one."}],
        ),
        (ValidationError({"__all__": ["Not both."]}), [{"field": "", "message": "Not both."}]),
        (ValidationError("Wrong as a whole."), [{"field": "", "message": "Wrong as a whole."}]),
        (
            ValidationError({"name": ["Too long.", "Odd characters."]}),
            [
                {"field": "name", "message": "Too long."},
                {"field": "name", "message": "Odd characters."},
            ],
        ),
    ],
)
def test_a_services_field_errors_are_the_one_422_shape(error, problems):
    status, body, _response = answer(error)
    assert (status, body) == (422, {"detail": problems})
    ValidationErrorOut.model_validate(body)


def test_the_scoring_422_keeps_its_item_shape():
    problems = [{"item": "3", "message": "must be one of 0, 1, 2, 3"}]
    status, body, _response = answer(InvalidInput(problems))
    assert (status, body) == (422, {"detail": problems})
    AnswerErrorsOut.model_validate(body)


def test_permission_denied_is_answered_as_not_found():
    assert answer(PermissionDenied())[:2] == (404, {"detail": ERROR_NOT_FOUND})


def test_every_domain_error_declares_a_client_error_status():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = set(subclasses(DomainError))
    assert {Forbidden, NotFound, StateConflict, RateLimited, InquiryTaken} <= found
    assert all(400 <= cls.status < 500 for cls in found)
