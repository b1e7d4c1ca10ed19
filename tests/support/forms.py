"""Every form class the project defines, and how to build each one with data."""

import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any

from django import forms

import openrecovery
from openrecovery.accounts.forms import LoginForm
from openrecovery.assessment.forms import Dsm5ChecklistForm
from openrecovery.chart.forms import StageMoveForm, TaskCloseForm
from openrecovery.helpline.public.selfcheck import SELF_CHECK, SelfCheckForm
from openrecovery.instruments.definitions.dsm5_sedative import DSM5_SEDATIVE
from openrecovery.instruments.forms import AdministrationForm
from openrecovery.instruments.registry import INSTRUMENTS
from openrecovery.records.choices import Stage, TaskKind
from openrecovery.records.models import Patient
from openrecovery.treatment.forms_groups import (
    IndividualSessionForm,
    MemberAddForm,
    SessionNoteForm,
)
from openrecovery.treatment.forms_notes import NoteForm
from openrecovery.treatment.forms_plans import ReviewForm
from openrecovery.withdrawal.forms import ProtocolForm
from openrecovery.withdrawal.services import protocol_current

SKIPPED_MODULES = re.compile(r"\.(settings|migrations|management|wsgi|tests?)(\.|$)")
# The bases every form is built on (core.forms): found through, never built themselves.
BASES_MODULE = "openrecovery.core.forms"
# Forms whose constructor needs more than data: how to build each for the tests.
BUILDERS: dict[type[forms.BaseForm], Callable[[dict[str, Any] | None], forms.BaseForm]] = {
    LoginForm: lambda data: LoginForm(request=None, data=data),
    StageMoveForm: lambda data: StageMoveForm(data, allowed=[Stage.TREATMENT, Stage.CLOSED]),
    TaskCloseForm: lambda data: TaskCloseForm(data, kind=TaskKind.CARING_CONTACT),
    Dsm5ChecklistForm: lambda data: Dsm5ChecklistForm(data, instrument=DSM5_SEDATIVE),
    AdministrationForm: lambda data: AdministrationForm(data, instrument=INSTRUMENTS["phq9"]),
    SelfCheckForm: lambda data: SelfCheckForm(data, instrument=SELF_CHECK),
    ProtocolForm: lambda data: ProtocolForm(data, protocol=protocol_current()),
    MemberAddForm: lambda data: MemberAddForm(data, patients=Patient.objects.all()),
    IndividualSessionForm: lambda data: IndividualSessionForm(data, patients=Patient.objects.all()),
    SessionNoteForm: lambda data: SessionNoteForm(data, roster=[], objectives={}),
    NoteForm: lambda data: NoteForm(data, fmt="dap", objectives=[]),
    ReviewForm: lambda data: ReviewForm(data, objectives=[]),
}


def project_form_classes() -> list[type[forms.BaseForm]]:
    """Return every form class the project defines (importing every module to find them)."""
    for module in pkgutil.walk_packages(openrecovery.__path__, "openrecovery."):
        if not SKIPPED_MODULES.search(module.name):
            importlib.import_module(module.name)
    found: set[type[forms.BaseForm]] = set()
    pending: list[type] = [forms.BaseForm]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("openrecovery.") and sub.__module__ != BASES_MODULE:
                found.add(sub)
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def form_build(cls: type[forms.BaseForm], data: dict[str, Any] | None) -> forms.BaseForm:
    """Return a ``cls`` bound to ``data`` (unbound for None); BUILDERS says how when needed."""
    return BUILDERS.get(cls, cls)(data)
