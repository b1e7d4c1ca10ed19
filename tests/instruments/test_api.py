"""The public instrument API: listing, definitions, stateless scoring and its refusals."""

import json

import pytest
from django.test import Client

from openrecovery.instruments.registry import INSTRUMENTS
from tests.support.instruments import complete

PHQ9_SCORE = "/api/v1/instruments/phq9/score"


@pytest.fixture
def client() -> Client:
    return Client()


def post(client: Client, path: str, body: object) -> tuple[int, object]:
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    response = client.post(path, raw, content_type="application/json")
    return response.status_code, response.json()


def test_list_names_every_instrument_without_signing_in(client):
    response = client.get("/api/v1/instruments")
    assert response.status_code == 200
    body = response.json()
    assert [i["code"] for i in body] == list(INSTRUMENTS)
    assert body[0] == {"code": "phq9", "name": INSTRUMENTS["phq9"].name, "version": "1999-pfizer.1"}


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_definition_is_the_instrument_as_data(client, code):
    response = client.get(f"/api/v1/instruments/{code}")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(INSTRUMENTS[code].as_dict()))


def test_unknown_definition_is_404(client):
    response = client.get("/api/v1/instruments/audit")
    assert response.status_code == 404
    assert response.json() == {"detail": "No instrument has this code."}


def test_score_phq9(client):
    status, body = post(client, PHQ9_SCORE, {"answers": [1, 1, 1, 1, 1, 1, 1, 1, 1]})
    assert status == 200
    assert body == {
        "code": "phq9",
        "total": 9,
        "band": "mild",
        "flags": ["suicide_risk"],
        "subscales": {},
    }


def test_score_with_context_and_subscales(client):
    status, body = post(
        client,
        "/api/v1/instruments/dsm5-sedative/score",
        {"answers": [1] * 11, "context": {"medically_supervised": True}},
    )
    assert (status, body["total"], body["band"]) == (200, 9, "severe")
    status, body = post(client, "/api/v1/instruments/ciwab/score", {"answers": [1] * 20})
    assert body["subscales"] == {"patient": 17, "observer": 3}


def test_score_cssrs_with_skipped_items(client):
    answers = [1, 1, 0, 1, 0, 1, 0]
    status, body = post(client, "/api/v1/instruments/cssrs/score", {"answers": answers})
    assert (status, body["total"], body["band"], body["flags"]) == (
        200,
        None,
        "high",
        ["urgent_review"],
    )


@pytest.mark.parametrize("code", list(INSTRUMENTS))
def test_every_instrument_scores_its_lowest_answers(client, code):
    instrument = INSTRUMENTS[code]
    context = {f.key: False for f in instrument.context_fields if f.required}
    request = {"answers": complete(instrument, {}), "context": context}
    status, body = post(client, f"/api/v1/instruments/{code}/score", request)
    assert status == 200
    assert body["code"] == code
    assert set(body) == {"code", "total", "band", "flags", "subscales"}


@pytest.mark.parametrize(
    ("path", "body", "item", "fragment"),
    [
        (PHQ9_SCORE, {"answers": [0] * 8}, "", "expected 9 to 10 answers"),
        (PHQ9_SCORE, {"answers": [0] * 11}, "", "expected 9 to 10 answers"),
        (PHQ9_SCORE, {"answers": [0, 0, 4, 0, 0, 0, 0, 0, 0]}, "3", "not one of 0, 1, 2, 3"),
        (PHQ9_SCORE, {"answers": [0, 0, -1, 0, 0, 0, 0, 0, 0]}, "3", "not one of"),
        (PHQ9_SCORE, {"answers": [0, 0, 0, 0, True, 0, 0, 0, 0]}, "5", "whole number"),
        (PHQ9_SCORE, {"answers": [0, 0, 0, 0, False, 0, 0, 0, 0]}, "5", "whole number"),
        (PHQ9_SCORE, {"answers": [0, "1", 0, 0, 0, 0, 0, 0, 0]}, "2", "whole number"),
        (PHQ9_SCORE, {"answers": [0, 1.0, 0, 0, 0, 0, 0, 0, 0]}, "2", "whole number"),
        (PHQ9_SCORE, {"answers": [0, 0, 0, 0, 0, 0, 0, None, 0]}, "8", "required"),
        (PHQ9_SCORE, {"answers": [10**40] + [0] * 8}, "1", "not one of"),
        (
            "/api/v1/instruments/cssrs/score",
            {"answers": [0, 0, 1, None, None, 0, None]},
            "3",
            "skip logic",
        ),
        (
            "/api/v1/instruments/cssrs/score",
            {"answers": [0, 0, None, None, None, 1, None]},
            "6b",
            "required",
        ),
        (PHQ9_SCORE, {"answers": [0] * 9, "extra": 1}, "", "extra: Extra inputs"),
        (PHQ9_SCORE, {"answers": [0] * 9, "context": {"pregnant": True}}, "", "unknown context"),
        (
            "/api/v1/instruments/dsm5-sedative/score",
            {"answers": [0] * 11, "context": {"medically_supervised": 1}},
            "",
            "true or false",
        ),
        (
            "/api/v1/instruments/dsm5-sedative/score",
            {"answers": [0] * 11},
            "",
            "context.medically_supervised is required",
        ),
        (PHQ9_SCORE, {"answers": [0] * 9, "context": [True]}, "", "context:"),
        (PHQ9_SCORE, {}, "", "answers: Field required"),
        (PHQ9_SCORE, {"answers": "000000000"}, "", "answers:"),
        (PHQ9_SCORE, {"answers": [0] * 65}, "", "at most 64"),
        (PHQ9_SCORE, [0] * 9, "", ""),
        (PHQ9_SCORE, '{"answers": [0, 0,', "", "Invalid JSON"),
        (PHQ9_SCORE, "", "", "Invalid JSON"),
    ],
)
def test_refusals_are_422_naming_the_item(client, path, body, item, fragment):
    status, response = post(client, path, body)
    assert status == 422
    [problem] = response["detail"]
    assert problem["item"] == item
    assert fragment in problem["message"]


def test_unknown_code_is_404_even_with_a_bad_body(client):
    status, body = post(client, "/api/v1/instruments/phq10/score", "not json")
    assert (status, body) == (404, {"detail": "No instrument has this code."})


def test_get_is_not_allowed_on_score(client):
    assert client.get(PHQ9_SCORE).status_code == 405


def test_scoring_touches_no_database_and_sets_no_cookie(db, client, django_assert_num_queries):
    # The other tests here run without the db fixture, so pytest-django would fail any of
    # them that queried; this one counts the queries with the database available.
    with django_assert_num_queries(0):
        response = client.post(
            PHQ9_SCORE, json.dumps({"answers": [3] * 9}), content_type="application/json"
        )
        refused = client.post(PHQ9_SCORE, "{}", content_type="application/json")
    assert response.status_code == 200
    assert refused.status_code == 422
    assert not response.cookies


def test_openapi_schema_describes_the_endpoints_and_their_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    scoring = schema["paths"]["/api/v1/instruments/{code}/score"]["post"]
    assert set(scoring["responses"]) == {"200", "404", "415", "422"}
    assert scoring.get("security") in (None, [])
    body = scoring["requestBody"]["content"]["application/json"]["schema"]
    assert body["additionalProperties"] is False
    assert body["required"] == ["answers"]
    assert body["properties"]["answers"]["items"] == {
        "anyOf": [{"type": "integer"}, {"type": "null"}]
    }
    errors = schema["components"]["schemas"]["AnswerProblem"]
    assert set(errors["properties"]) == {"item", "message"}
    detail = schema["paths"]["/api/v1/instruments/{code}"]["get"]
    assert set(detail["responses"]) == {"200", "404"}
    assert "/api/v1/instruments" in schema["paths"]
