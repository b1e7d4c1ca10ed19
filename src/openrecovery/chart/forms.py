"""Forms on the chart: search, stage moves, care team."""

from django import forms

from openrecovery.accounts.pickers import StaffChoiceField, staff_for
from openrecovery.accounts.roles import CARE_TEAM_PERMISSION
from openrecovery.core.forms import Form
from openrecovery.core.renderers import BlankRenderedOnce, FieldLayout
from openrecovery.records.choices import CareTeamRole, DischargeType, Stage


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
