"""Forms on the chart: search, stage moves, care team, closing a task."""

from django import forms

from openrecovery.accounts.pickers import StaffChoiceField, staff_for
from openrecovery.accounts.roles import CARE_TEAM_PERMISSION
from openrecovery.core.forms import Form
from openrecovery.core.renderers import BlankRenderedOnce, FieldLayout
from openrecovery.records.choices import (
    CareTeamRole,
    DischargeType,
    Stage,
    TaskKind,
    TaskOutcome,
    TaskStatus,
)
from openrecovery.records.tasks import REASON_MAX


class PatientSearchForm(Form):
    """Search by name, MRN or date of birth (sent by POST so it never lands in a URL)."""

    # The browser must not remember patients' names as autofill suggestions.
    q = forms.CharField(
        label="Name, MRN or date of birth",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class StageMoveForm(BlankRenderedOnce, Form):
    """Move the current episode to another stage, with a reason.

    Shown blank on every chart: its field groups are kept per set of allowed moves.
    ``no_plan_reason`` is drawn only once the move is refused for want of a safety plan
    (the pathway's check, safety.services.episode_move_checked), or when it was filled.
    """

    field_layouts = {"discharge_type": FieldLayout(shown_when=("to_stage", Stage.CLOSED))}

    to_stage = forms.ChoiceField(label="Move to", choices=())
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    discharge_type = forms.ChoiceField(
        label="Discharge type (when closing)",
        choices=[("", "—")] + list(DischargeType.choices),
        required=False,
    )
    no_plan_reason = forms.CharField(
        label="Reason to move without a signed safety plan",
        help_text="Only when the plan cannot be written first, e.g. an emergency transfer.",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        required=False,
    )

    def __init__(self, *args, allowed: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        to_stage = self.fields["to_stage"]
        assert isinstance(to_stage, forms.ChoiceField)  # noqa: S101 (narrows the type)
        to_stage.choices = [(s, Stage(s).label) for s in allowed]
        self.allowed = tuple(allowed)

    def blank_variant(self) -> tuple:
        return self.allowed


class CareTeamAddForm(Form):
    """Add a staff member to the care team: only staff whose role cares for patients."""

    user = StaffChoiceField(label="Staff member", queryset=staff_for(CARE_TEAM_PERMISSION))
    team_role = forms.ChoiceField(label="Role on the team", choices=CareTeamRole.choices)


# How an open task can be closed from its page: each result's label, the task status and
# the contact outcome it records. Done by a record (a C-SSRS, a signed plan) is not here:
# those close their tasks themselves.
NOT_DONE, DONE, REACHED, NOT_REACHED = "not_done", "done", "reached", "not_reached"
TASK_RESULTS: dict[str, tuple[TaskStatus, TaskOutcome | None]] = {
    NOT_DONE: (TaskStatus.NOT_DONE, None),
    DONE: (TaskStatus.DONE, None),
    # A call made but not answered is done (the attempt is the follow-up); "could not be
    # done" is for a contact nobody could attempt (no number, the patient asked not to).
    REACHED: (TaskStatus.DONE, TaskOutcome.REACHED),
    NOT_REACHED: (TaskStatus.DONE, TaskOutcome.NOT_REACHED),
}
RESULT_LABELS = {
    NOT_DONE: "Could not be done",
    DONE: "Consult done",
    REACHED: "Reached",
    NOT_REACHED: "Not reached (attempt made)",
}
RESULTS_BY_KIND: dict[str, tuple[str, ...]] = {
    TaskKind.CSSRS_OWED: (NOT_DONE,),
    TaskKind.SAFETY_PLAN_OWED: (NOT_DONE,),
    TaskKind.BH_CONSULT: (DONE, NOT_DONE),
    TaskKind.CARING_CONTACT: (REACHED, NOT_REACHED, NOT_DONE),
}
ERROR_NOTES_REQUIRED = "Write what happened: what was said or decided, or the attempt made."


class TaskCloseForm(Form):
    """Close an open task: as could not be done (with the reason), or with its outcome.

    A kind with one way to close here (a C-SSRS owed, a safety plan owed: only "could
    not be done") carries it as a hidden value. Notes are required for every result; for
    "could not be done" the task service says so (``records.tasks``).
    """

    result = forms.ChoiceField(label="What happened", choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX,
        required=False,
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        results = RESULTS_BY_KIND.get(kind, (NOT_DONE,))
        field = self.fields["result"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 (narrows the type)
        field.choices = [(r, RESULT_LABELS[r]) for r in results]
        self.single = len(results) == 1
        if self.single:
            field.widget = forms.HiddenInput()
            self.initial["result"] = results[0]
            self.fields["reason"].label = "Why it cannot be done"
        # Required in effect (the service refuses a missing reason): the widget says so.
        self.fields["reason"].widget.attrs["required"] = True

    def clean(self) -> dict:
        data = super().clean() or {}
        result = data.get("result")
        if result and result != NOT_DONE and not data.get("reason", "").strip():
            self.add_error("reason", ERROR_NOTES_REQUIRED)
        return data

    def status_outcome(self) -> tuple[TaskStatus, TaskOutcome | None]:
        """Return the task status and contact outcome the chosen result records."""
        return TASK_RESULTS[self.cleaned_data["result"]]
