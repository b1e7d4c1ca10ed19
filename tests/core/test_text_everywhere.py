"""Every text input refuses control characters: every form's fields, every API operation.

The forms and the operations are found, not listed: every form class in openrecovery,
every operation of the API's routers (those left out of the OpenAPI document too).
A new field or operation without the guard fails here; a form whose constructor needs
arguments fails until tests.support.forms.BUILDERS says how to build it. On PostgreSQL
(the CI's second pass) the requests also prove nothing reaches the database as a
DataError.
"""

import ast
import json
import pathlib
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.test import Client
from pydantic import BaseModel

import openrecovery
from openrecovery.accounts.roles import Role
from openrecovery.api import api
from openrecovery.core.api import schema_inlined
from openrecovery.core.forms import ControlCharactersRefused
from openrecovery.core.text import ERROR_CONTROL_CHARACTER, text_problem
from openrecovery.helpline.public.selfcheck import ANSWERS_FIELD
from tests.support.access import AccessWorld, access_world_build
from tests.support.factories import verified_client
from tests.support.forms import form_build, project_form_classes

BAD = {"nul": "Sam\x00", "surrogate": "Sam\ud800", "del": "Sam\x7f"}
MESSAGE = ERROR_CONTROL_CHARACTER % {"position": 4}

FORMS = project_form_classes()


def test_forms_are_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"PatientSearchForm", "CallAttemptForm", "PreScreenForm", "AuditFilterForm"} <= names
    assert {"LoginForm", "AlertResolveForm", "BreakGlassReviewForm", "SubstanceUseForm"} <= names


@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_every_form_is_built_on_the_guard(cls):
    assert issubclass(cls, ControlCharactersRefused), (
        f"{cls.__name__}: build it on openrecovery.core.forms.Form or ModelForm"
    )


@pytest.mark.parametrize("bad", list(BAD), ids=str)
@pytest.mark.parametrize("cls", FORMS, ids=lambda cls: cls.__name__)
def test_every_field_of_every_form_refuses_control_characters(db, cls, bad):
    value = BAD[bad]
    names = list(form_build(cls, None).fields)  # none for a base class such as SectionForm
    for name in names:
        form = form_build(cls, {name: value})
        form.is_valid()  # never raises, and never lets the value through
        field = form.fields[name]
        if isinstance(field, forms.CharField):
            assert MESSAGE in form.errors.get(name, []), f"{cls.__name__}.{name}"
        else:
            # A choice, date, number or checkbox refuses the text as not one of its values.
            cleaned = form.cleaned_data.get(name)
            assert name in form.errors or not (
                isinstance(cleaned, str) and text_problem(cleaned)
            ), f"{cls.__name__}.{name}"


# The API -------------------------------------------------------------------------------

# A path parameter looked up in memory, answered 404 like any unknown name (ADR 0009).
PATH_LOOKED_UP = {("code", "/instruments/{code}"), ("code", "/instruments/{code}/score")}


def _operations() -> Iterator[tuple[str, str, Any]]:
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/" + f"{prefix.strip('/')}/{path.strip('/')}".strip("/")
                for method in operation.methods:
                    yield method, full, operation


OPERATIONS = sorted(_operations(), key=lambda o: (o[1], o[0]))


def _params(operation: Any, source: str) -> dict[str, dict[str, Any]]:
    """Return the operation's parameters from ``source`` ("path", "query") as JSON Schemas."""
    found: dict[str, dict[str, Any]] = {}
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) == source:
            found.update(schema_inlined(model)["properties"])
    return found


def _body_schema(operation: Any) -> dict[str, Any] | None:
    extra = (operation.openapi_extra or {}).get("requestBody")
    if extra:
        return extra["content"]["application/json"]["schema"]
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) == "body":
            [field] = model.model_fields.values()
            assert isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
            return schema_inlined(field.annotation)
    return None


def _is_text(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not {"enum", "const", "format"} & set(schema)


def _text_leaves(schema: dict[str, Any], where: tuple = ()) -> Iterator[tuple]:
    """Yield the location of every free-text string in a JSON Schema (lists at index 0)."""
    if _is_text(schema):
        yield where
    for branch in schema.get("anyOf", []):
        yield from _text_leaves(branch, where)
    for name, sub in schema.get("properties", {}).items():
        yield from _text_leaves(sub, (*where, name))
    if isinstance(schema.get("items"), dict):
        yield from _text_leaves(schema["items"], (*where, 0))


def _nest(where: tuple, value: str) -> Any:
    if not where:
        return value
    head, *rest = where
    inner = _nest(tuple(rest), value)
    return [inner] if head == 0 else {head: inner}


def test_operations_and_their_text_are_found():
    found = {(m, p) for m, p, _ in OPERATIONS}
    assert ("POST", "/helpline/inquiries/{reference}/convert") in found
    assert ("POST", "/bench/write") in found  # left out of the document, still checked
    convert = next(o for m, p, o in OPERATIONS if p.endswith("/convert"))
    leaves = set(_text_leaves(_body_schema(convert)))
    assert {("given_name",), ("notes",), ("existing_match",)} <= leaves
    prescreen = next(o for m, p, o in OPERATIONS if p.endswith("/prescreen"))
    assert ("substances", 0, "substance") in set(_text_leaves(_body_schema(prescreen)))


@pytest.fixture
def world(db, settings) -> AccessWorld:
    settings.BENCH_ENDPOINTS = True
    settings.HELPLINE_RATE_LIMIT = "off"
    return access_world_build()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _client(world: AccessWorld) -> Client:
    # Signed in, so that every operation, public or not, reaches its validation.
    return verified_client(world.staff[Role.CLINICAL_DIRECTOR])


def _url(path: str, world: AccessWorld, **values: str) -> str:
    ids = {**world.ids(), **values}
    for name, value in ids.items():
        path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
    return "/api/v1" + path


def _send(client: Client, method: str, url: str, body: str | None) -> Any:
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, body or "{}", content_type="application/json")


def _problems(response: Any) -> list[dict[str, str]]:
    problems = response.json()["detail"]
    # Instrument answers name the item instead (AnswerErrorsOut): a body field's problem
    # has item "" and says which field first ("code: ...").
    return [
        p
        if "field" in p
        else dict(zip(("field", "message"), p["message"].split(": ", 1), strict=False))
        for p in problems
    ]


@pytest.mark.parametrize(
    ("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS]
)
def test_every_api_text_input_refuses_control_characters(world, method, path, operation):
    client = _client(world)
    before = _counts()
    checked = 0
    for leaf in _text_leaves(_body_schema(operation) or {}):
        field = ".".join(str(part) for part in leaf)
        for bad, value in BAD.items():
            # json.dumps writes the lone surrogate as the escape "\ud800".
            response = _send(client, method, _url(path, world), json.dumps(_nest(leaf, value)))
            assert response.status_code == 422, (method, path, field, bad, response.content)
            if bad == "surrogate" and operation.openapi_extra:
                continue  # parsed by pydantic's own JSON reader: the body as a whole is refused
            problems = [(p["field"], p["message"]) for p in _problems(response)]
            assert (field, MESSAGE) in problems, (method, path, field, bad, problems)
            checked += 1
    if _body_schema(operation) is not None:
        # Not a field's value but a key, or the whole body: refused as input all the same.
        for body in ('{"\\ud800": "x"}', '{"a\\u0000": "x"}', '"\\ud800"', '["\\u0000"]'):
            response = _send(client, method, _url(path, world), body)
            assert response.status_code == 422, (method, path, body, response.content)
    for source in ("path", "query"):
        for name, schema in _params(operation, source).items():
            if not _is_text(schema):
                continue
            for bad, value in BAD.items():
                if bad == "surrogate":
                    continue  # no URL can carry one: the bytes decode to U+FFFD
                if source == "path":
                    url = _url(path, world, **{name: value})
                else:
                    url = _url(path, world) + "?" + urllib.parse.urlencode({name: value})
                response = _send(client, method, url, None)
                if (name, path) in PATH_LOOKED_UP:
                    assert response.status_code == 404, (method, path, name, bad)
                    continue
                assert response.status_code == 422, (method, path, name, bad, response.content)
                assert (name, MESSAGE) in [(p["field"], p["message"]) for p in _problems(response)]
                checked += 1
    assert _counts() == before
    if operation.view_func.__name__ in {"convert", "call_record", "search_patients"}:
        assert checked


# Views that read the request's parameters themselves -------------------------------------

# The parameters a view may read without a form: each is compared with fixed values or
# parsed, never stored or looked up as text. Any other text goes through a form.
READ_WITHOUT_A_FORM = {
    "action": "compared with the staff page's actions",
    "confirmed": 'compared with "yes"',
    "role": "checked against the roles by staff_set_role",
    "decision": 'compared with "approve"',
    "section": "compared with the intake's section names",
    "next": "a redirect target: checked by _next_url, or compared with a fixed value",
    "before": "digits only, else ignored",
    "page": "read by Django's Paginator, which ignores what is not a number",
    "self_check_answers": "decoded as digits and commas by answers_decode",
    "prefill": "only its presence is read",
    "include_self_check": 'compared with "on"',
    "carried_from": 'parsed as "<digits>:<digits>" by _carried_source, else refused',
    "session": "digits only (treatment.note_views._session), else ignored",
    "part": "looked up among the plan's part names (plans.PART_MODELS), else refused",
    "part_id": "parsed as an integer, else refused",
    "member": "parsed as an integer by group_views._int, else 404",
}


def _direct_reads() -> Iterator[tuple[str, str]]:
    root = pathlib.Path(openrecovery.__file__).parent
    for source in root.rglob("*.py"):
        tree = ast.parse(source.read_text())
        constants = {"ANSWERS_FIELD": ANSWERS_FIELD}  # the one imported name
        constants |= {
            node.targets[0].id: node.value.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
        }
        for node in ast.walk(tree):
            target = None
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "get" and node.args:
                    target, key = node.func.value, node.args[0]
            elif isinstance(node, ast.Subscript):
                target, key = node.value, node.slice
            elif isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.In):
                target, key = node.comparators[0], node.left
            if (
                isinstance(target, ast.Attribute)
                and target.attr in {"POST", "GET"}
                and isinstance(target.value, ast.Name)
                and target.value.id == "request"
            ):
                name = key.value if isinstance(key, ast.Constant) else None
                if isinstance(key, ast.Name):
                    name = constants.get(key.id, key.id)
                yield f"{source.relative_to(root)}:{node.lineno}", str(name)


def test_views_read_text_through_forms():
    reads = list(_direct_reads())
    assert ("privacy/views.py", "note") not in [(w.split(":")[0], n) for w, n in reads]
    unexplained = [
        f"{where} reads {name!r}" for where, name in reads if name not in READ_WITHOUT_A_FORM
    ]
    assert not unexplained, "read these through a form (core.forms.Form): " + ", ".join(unexplained)
