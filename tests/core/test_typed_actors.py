"""Who acts is typed: services and reads take a ``User``, staff views a ``StaffRequest``.

mypy checks the calls; these tests keep the annotations from sliding back to ``Any``
(which mypy would accept everywhere).
"""

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from collections.abc import Callable, Iterator

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import URLResolver, get_resolver

import openrecovery
from openrecovery.accounts.access import PUBLIC, StaffRequest
from openrecovery.accounts.models import User
from openrecovery.chart.access_table import _path_operations, _walk

# Modules of writes, reads, gates and the helpers they share (services/ packages too).
DOMAIN_MODULES = {"services", "selectors", "gates", "alerts", "panels", "mfa", "tokens"}
# Parameters that name the staff member acting, reading or being assigned.
ACTOR_PARAMETERS = {"actor", "user", "reviewer", "clinician", "viewer", "claimed_by"}
STAFF = {User, User | None}
# audit sits below accounts (it may not import it): it takes any Django user, or nobody.
AUDIT_ACTOR = {AbstractBaseUser | None}


def _domain_modules() -> Iterator[types.ModuleType]:
    for info in pkgutil.walk_packages(openrecovery.__path__, "openrecovery."):
        parts = info.name.split(".")
        if parts[-1] in DOMAIN_MODULES or parts[-2] == "services":
            yield importlib.import_module(info.name)


def _functions(module: types.ModuleType) -> Iterator[tuple[str, Callable]]:
    """Yield (qualified name, function) for the functions and methods defined in ``module``.

    A dataclass's generated ``__init__`` is left out: its fields are data (a display
    name such as ``QueueRow.claimed_by``), not parameters that take a staff member.
    """
    for name, value in vars(module).items():
        if inspect.isclass(value) and value.__module__ == module.__name__:
            generated = {"__init__"} if dataclasses.is_dataclass(value) else set()
            for attr, member in vars(value).items():
                func = member.__func__ if isinstance(member, staticmethod) else member
                if inspect.isfunction(func) and attr not in generated:
                    yield f"{module.__name__}.{name}.{attr}", func
        elif inspect.isfunction(value) and value.__module__ == module.__name__:
            yield f"{module.__name__}.{name}", inspect.unwrap(value)


def _actor_annotations() -> dict[str, object]:
    """Return ``module.function(parameter)`` -> annotation for every actor parameter."""
    found = {}
    for module in _domain_modules():
        for name, func in _functions(module):
            hints = typing.get_type_hints(func)
            for parameter in inspect.signature(func).parameters:
                if parameter in ACTOR_PARAMETERS:
                    found[f"{name}({parameter})"] = hints.get(parameter, inspect.Parameter.empty)
    return found


def test_every_actor_parameter_of_a_service_or_read_is_a_user():
    found = _actor_annotations()
    untyped = {
        name: annotation
        for name, annotation in found.items()
        if annotation not in (AUDIT_ACTOR if name.startswith("openrecovery.audit.") else STAFF)
    }
    assert untyped == {}


def test_the_actor_check_reaches_every_kind_of_module():
    # A discovery that silently found nothing would pass the test above.
    found = _actor_annotations()
    for expected in (
        "openrecovery.audit.services.audit_record(actor)",
        "openrecovery.accounts.tokens.api_token_create(actor)",
        "openrecovery.records.services.episode_move_stage(actor)",
        "openrecovery.records.alerts.alert_acknowledge(actor)",
        "openrecovery.privacy.gates.access_patient_grant_by_id(user)",
        "openrecovery.privacy.services.break_glass_review(reviewer)",
        "openrecovery.assessment.services.intake.assessment_sign(actor)",
        "openrecovery.instruments.selectors.unresolved_alert_groups(viewer)",
        "openrecovery.instruments.panels.results_panel(user)",
        "openrecovery.helpline.services.inquiry_convert(clinician)",
        "openrecovery.helpline.services.InquiryTaken.__init__(claimed_by)",
        "openrecovery.chart.selectors.dashboard_groups(user)",
    ):
        assert expected in found
    assert found["openrecovery.accounts.tokens.api_token_create(actor)"] == User | None
    assert found["openrecovery.records.services.episode_move_stage(actor)"] is User


def _request_annotation(view: Callable) -> object:
    func = inspect.unwrap(view)
    return typing.get_type_hints(func).get(next(iter(inspect.signature(func).parameters)))


def test_every_staff_page_takes_a_staff_request():
    pages = {
        name: _request_annotation(entry.callback)
        for _path, name, entry in _walk(get_resolver().url_patterns, "/")
        if not isinstance(entry, URLResolver)
        and getattr(entry.callback, "access_permission", PUBLIC) != PUBLIC
    }
    assert len(pages) > 30
    assert {name: a for name, a in pages.items() if a is not StaffRequest} == {}


def test_every_authenticated_api_operation_takes_a_staff_request():
    operations = {}
    for _prefix, _namespace, entry in _walk(get_resolver().url_patterns, "/"):
        if not isinstance(entry, URLResolver):
            continue
        for pattern in entry.url_patterns:
            for operation in _path_operations(pattern.callback) or []:
                if operation.auth_callbacks:
                    name = operation.view_func.__name__
                    operations[name] = _request_annotation(operation.view_func)
    assert {"me", "search_patients", "inquiry_get", "convert"} <= operations.keys()
    assert {name: a for name, a in operations.items() if a is not StaffRequest} == {}
