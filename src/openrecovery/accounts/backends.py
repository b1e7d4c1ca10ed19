"""Permission checks answered from the roles in code, without a query per request."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from openrecovery.core.prepared import PreparedQuery

from .models import User
from .roles import ROLE_PERMISSIONS

# The signed-in user, read on every staff request: compiled once per connection.
_USER = PreparedQuery(lambda user_id: User._default_manager.filter(pk=user_id))


class RoleBackend(ModelBackend):
    """Django's ModelBackend, with a user's permissions taken from their role.

    Staff hold exactly one role, whose permissions are defined in ``ROLE_PERMISSIONS``
    (and mirrored into a group of the same name by ``roles_sync``). Reading them from
    code spares the two permission queries ModelBackend makes on every request.
    Per-user grants are not part of this system and are not read. Signing in is
    ModelBackend's; active superusers pass every check in ``User.has_perm`` itself.
    """

    def get_user(self, user_id: int) -> User | None:  # type: ignore[override]
        """ModelBackend's: the user with this id, if they may still sign in (prepared)."""
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            return super().get_user(user_id)
        found = _USER.fetch(user_id=user_id)
        if not found:
            return None
        return found[0] if self.user_can_authenticate(found[0]) else None

    def get_user_permissions(
        self, user_obj: User | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        return set()

    def get_group_permissions(
        self, user_obj: User | AnonymousUser, obj: Model | None = None
    ) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(ROLE_PERMISSIONS.get(getattr(user_obj, "role", ""), frozenset()))
