"""Staff pickers: the people a form may offer for a job, each named with their role.

Who can do a job is read from the role definitions (``roles.roles_with``), never from a
list of usernames; the service that does the job checks the permission again.
"""

from django import forms
from django.db.models import QuerySet

from .models import User
from .roles import roles_with


def staff_for(permission: str) -> QuerySet[User]:
    """Return active staff whose role holds ``permission``, by family name (one query)."""
    return User.objects.filter(is_active=True, role__in=roles_with(permission)).order_by(
        "last_name", "first_name", "username"
    )


class StaffChoiceField(forms.ModelChoiceField):
    """A choice among staff, each shown as "Name — Role"."""

    def label_from_instance(self, obj: User) -> str:
        return obj.name_and_role
