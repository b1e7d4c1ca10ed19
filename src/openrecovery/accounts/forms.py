"""Forms for signing in and MFA."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .passwords import MAX_PASSWORD_LENGTH

ERROR_INVALID_LOGIN = "That username and password do not match an active account."


class LoginForm(AuthenticationForm):
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


class OTPForm(forms.Form):
    """A six-digit authenticator code or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )
