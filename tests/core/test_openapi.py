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
    # A body can be malformed; a typed parameter (an id) can be out of range. A plain
    # string path parameter always parses: an unknown value is a 404, not a 422.
    typed = [
        p for p in operation.get("parameters", []) if p.get("schema", {}).get("type") != "string"
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
