"""Forms on the chart: search, stage moves, care team."""

from django import forms

from openrecovery.accounts.models import User
from openrecovery.core.forms import Form
from openrecovery.core.renderers import FieldLayout
from openrecovery.records.choices import CareTeamRole, DischargeType, Stage


class PatientSearchForm(Form):
    """Search by name, MRN or date of birth (sent by POST so it never lands in a URL)."""

    # The browser must not remember patients' names as autofill suggestions.
    q = forms.CharField(
        label="Name, MRN or date of birth",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class StageMoveForm(Form):
    """Move the current episode to another stage, with a reason."""

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


class CareTeamAddForm(Form):
    """Add a staff member to the care team."""

    user = forms.ModelChoiceField(
        label="Staff member",
        queryset=User.objects.filter(is_active=True).exclude(role="").order_by("last_name"),
    )
    team_role = forms.ChoiceField(label="Role on the team", choices=CareTeamRole.choices)
