"""Forms for signing in and MFA."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from openrecovery.core.forms import ControlCharactersRefused, Form

from .passwords import MAX_PASSWORD_LENGTH
from .roles import Role

ERROR_INVALID_LOGIN = "That username and password do not match an active account."


class LoginForm(ControlCharactersRefused, AuthenticationForm):
    """Username and password; one message whether the user exists or not."""

    error_messages = {
        "invalid_login": ERROR_INVALID_LOGIN,
        "inactive": ERROR_INVALID_LOGIN,
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")
        self.fields["password"].widget.attrs["maxlength"] = MAX_PASSWORD_LENGTH


class OTPForm(Form):
    """A six-digit authenticator code or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class StaffAddForm(Form):
    """A new staff account: who, and which role. The first password is generated."""

    username = forms.RegexField(
        label="Username",
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        help_text="Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Email", required=False)
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose…"), *Role.choices],
        help_text="A role that opens patients waits for a second administrator or the "
        "clinical director to approve it.",
    )
