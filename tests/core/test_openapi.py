"""The OpenAPI schema tells the truth about the errors each operation can return."""

import pytest

PUBLIC_OPERATIONS = {
    ("get", "/api/v1/health"),
    ("get", "/api/v1/instruments"),
    ("get", "/api/v1/instruments/{code}"),
    ("post", "/api/v1/instruments/{code}/score"),
    ("post", "/api/v1/helpline/callbacks"),
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_public_operations_need_no_credentials(schema):
    public = {(m, p) for m, p, op in _operations(schema) if not op.get("security")}
    assert public == PUBLIC_OPERATIONS


def test_every_authenticated_operation_documents_401(schema):
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in _operations(schema)
        if op.get("security") and "401" not in op["responses"]
    ]
    assert not missing


def _can_fail_validation(operation) -> bool:
    # A body can be malformed; a typed parameter (an id) can be out of range, a string
    # with a pattern (an inquiry reference: no control characters) can break it. A plain
    # string path parameter always parses: an unknown value is a 404, not a 422.
    typed = [
        p
        for p in operation.get("parameters", [])
        if p.get("schema", {}).get("type") != "string" or "pattern" in p.get("schema", {})
    ]
    return bool(operation.get("requestBody") or typed)


def test_every_operation_that_validates_input_documents_422(schema):
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in _operations(schema)
        if _can_fail_validation(op) and "422" not in op["responses"]
    ]
    assert not missing
    assert any(_can_fail_validation(op) for _m, _p, op in _operations(schema))


def test_every_422_has_one_shape_field_and_message(schema):
    for _m, _p, op in _operations(schema):
        documented = op["responses"].get("422")
        if documented is None:
            continue
        ref = documented["content"]["application/json"]["schema"]["$ref"]
        if ref.endswith("/AnswerErrorsOut"):
            continue  # instrument answers name the item instead (scoring, administrations)
        problem = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        item = problem["properties"]["detail"]["items"]["$ref"].rsplit("/", 1)[1]
        assert set(schema["components"]["schemas"][item]["required"]) == {"field", "message"}


@pytest.mark.django_db
def test_request_errors_from_the_framework_use_that_shape(client):
    from tests.support.factories import make_staff, verified_client

    staff = verified_client(make_staff("admissions_coordinator"))
    response = staff.get("/api/v1/helpline/inquiries?limit=abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "limit"
    response = staff.post(
        "/api/v1/helpline/inquiries", "{not json", content_type="application/json"
    )
    assert response.status_code == 422
    assert [p["field"] for p in response.json()["detail"]] == [""]  # the body as a whole
    response = staff.post("/api/v1/helpline/inquiries", "{}", content_type="application/json")
    assert [p["field"] for p in response.json()["detail"]] == ["name", "phone", "for_whom"]
    response = staff.post(
        "/api/v1/helpline/inquiries",
        {"name": "Sam", "phone": "555-010-4477", "for_whom": "neighbour"},
        content_type="application/json",
    )
    assert [p["field"] for p in response.json()["detail"]] == ["for_whom"]


def test_no_schema_uses_the_array_form_of_items(schema):
    # OpenAPI 3.1 (JSON Schema 2020-12) wants "prefixItems" for tuples; a list under
    # "items" makes the whole document invalid for schema-driven clients.
    def walk(node):
        if isinstance(node, dict):
            assert not isinstance(node.get("items"), list), node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def test_every_operation_with_a_body_documents_415(schema):
    missing = [
        f"{m.upper()} {p}"
        for m, p, op in _operations(schema)
        if "requestBody" in op and "415" not in op["responses"]
    ]
    assert not missing
    assert any("requestBody" in op for _m, _p, op in _operations(schema))
