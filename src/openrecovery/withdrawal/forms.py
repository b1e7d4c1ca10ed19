"""Forms of withdrawal management: vital signs, the protocol, the on-call rota, the unit."""

from decimal import Decimal
from typing import Any

from django import forms

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.core.forms import Form

from .choices import VitalSign
from .models import Unit, WithdrawalProtocol
from .protocols import BAND_CODES, BAND_LABELS

MAX_READING_LENGTH = 8


class VitalSignsForm(Form):
    """One reading per sign, as typed; the service says what is impossible (nothing saved)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sign in VitalSign:
            decimal = sign == VitalSign.TEMPERATURE
            self.fields[str(sign)] = forms.CharField(
                label=sign.label,
                max_length=MAX_READING_LENGTH,
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "inputmode": "decimal" if decimal else "numeric",
                        "autocomplete": "off",
                        "required": True,
                        "class": "form-control form-control-lg",
                    }
                ),
            )

    def readings(self) -> dict[str, str]:
        """Return the readings as typed (stripped)."""
        return {str(sign): self.cleaned_data.get(str(sign), "").strip() for sign in VitalSign}


def _interval_field(band: str) -> str:
    return f"interval_{band}"


def _limit_field(sign: str, end: str) -> str:
    return f"limit_{sign}_{end}"


class ProtocolForm(Form):
    """The settings of a new protocol version, prefilled from the one in force."""

    rise_threshold = forms.IntegerField(label="CIWA-B rise that alerts (points)", min_value=1)
    reescalate_minutes = forms.IntegerField(
        label="Minutes before an unacknowledged alert goes further", min_value=1
    )
    prn_reassess_minutes = forms.IntegerField(
        label="Reassess within (minutes) after an as-needed dose", min_value=1
    )
    change_reason = forms.CharField(
        label="Why it changes", max_length=500, required=False, widget=forms.Textarea({"rows": 2})
    )

    def __init__(self, *args: Any, protocol: WithdrawalProtocol, **kwargs: Any) -> None:
        initial = {
            "rise_threshold": protocol.rise_threshold,
            "reescalate_minutes": protocol.reescalate_minutes,
            "prn_reassess_minutes": protocol.prn_reassess_minutes,
        }
        for band in BAND_CODES:
            initial[_interval_field(band)] = protocol.intervals[band]
        for sign in VitalSign:
            for end in ("low", "high"):
                initial[_limit_field(sign, end)] = protocol.vital_limits[sign][end]
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for band in BAND_CODES:
            self.fields[_interval_field(band)] = forms.IntegerField(
                label=f"{BAND_LABELS[band]}: next CIWA-B within (minutes)", min_value=1
            )
        for sign in VitalSign:
            for end in ("low", "high"):
                self.fields[_limit_field(sign, end)] = forms.DecimalField(
                    label=f"{sign.label}: {end}est accepted without an alert",
                    max_digits=4,
                    decimal_places=1,
                )

    def interval_fields(self) -> list[forms.BoundField]:
        return [self[_interval_field(b)] for b in BAND_CODES]

    def limit_fields(self) -> list[forms.BoundField]:
        return [self[_limit_field(s, e)] for s in VitalSign for e in ("low", "high")]

    def changes(self) -> dict[str, Any]:
        """Return the settings as ``protocol_revise`` takes them."""
        data = self.cleaned_data

        def number(value: Decimal) -> int | float:
            return int(value) if value == value.to_integral() else float(value)

        return {
            "intervals": {b: data[_interval_field(b)] for b in BAND_CODES},
            "vital_limits": {
                str(s): {e: number(data[_limit_field(s, e)]) for e in ("low", "high")}
                for s in VitalSign
            },
            "rise_threshold": data["rise_threshold"],
            "reescalate_minutes": data["reescalate_minutes"],
            "prn_reassess_minutes": data["prn_reassess_minutes"],
        }


class OnCallForm(Form):
    """A physician on call for a unit, from a local date and time to another."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.filter(active=True), empty_label=None)
    physician = forms.ModelChoiceField(
        queryset=User.objects.filter(role=Role.PHYSICIAN, is_active=True).order_by(
            "last_name", "first_name"
        )
    )
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class BoardFilterForm(Form):
    """Which unit the board shows (``?unit=<code>``; none: every unit)."""

    unit = forms.SlugField(max_length=32, required=False)


class UnitForm(Form):
    """The unit a patient is on."""

    unit = forms.ModelChoiceField(queryset=Unit.objects.filter(active=True), empty_label=None)


class TaperSignForm(Form):
    """What signing a previewed taper adds: dose times, the review date, why it changed."""

    times = forms.CharField(
        max_length=200, help_text="Times of day, comma-separated (08:00, 20:00)."
    )
    review_by = forms.DateField(label="Review by")
    change_reason = forms.CharField(max_length=500, required=False)
