"""Staff accounts, their sessions and personal access tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class User(AbstractUser):
    """A staff member who signs in with a password and a TOTP code, holding one role."""

    role = models.CharField(max_length=32, choices=Role.choices, blank=True)
    # Moved on by the alert services whenever an alert to this user is raised, acknowledged
    # or resolved: a session keeps the navbar's alert count only while this is unchanged.
    alert_version = models.PositiveBigIntegerField(default=0, editable=False)

    # What naming a user on screen reads (``str(user)``): see ``name_fields``.
    NAME_FIELDS = ("first_name", "last_name", "username")

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name_of(self.first_name, self.last_name, self.username)

    @classmethod
    def name_fields(cls, relation: str) -> list[str]:
        """Return the ``only()`` paths that load just a related user's name.

        ``Model.objects.select_related(relation).only(*own_fields, *User.name_fields(relation))``
        joins the user without reading (or building) its other columns.
        """
        return [f"{relation}__{name}" for name in cls.NAME_FIELDS]

    @staticmethod
    def display_name_of(first_name: str, last_name: str, username: str) -> str:
        """Return how a staff member is named on screen: their full name, else username.

        For rows read as values (the chart's timeline), without loading the account.
        """
        return f"{first_name} {last_name}".strip() or username

    def is_verified(self) -> bool:
        """Return False: django-otp's middleware replaces this per request once MFA is passed.

        Users loaded any other way (for example by an API token) never count as verified
        for browser-session purposes.
        """
        return False

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else "No role"

    @property
    def name_and_role(self) -> str:
        """Return the name with the role beside it ("Dana Ortiz — Counselor"), as pickers do."""
        return f"{self} — {self.role_label}"


class StaffSession(models.Model):
    """A server-side session opened by a login, so logout and deactivation can end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"session of {self.user_id}"


class ApiToken(models.Model):
    """A personal access token for integrations; only its SHA-256 hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"token {self.prefix}"


class RoleChange(models.Model):
    """A requested role change that widens someone's access to patients.

    It takes effect only when a second person approves it: another administrator or
    the clinical director, never the one who asked nor the one it is for.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_changes")
    role_from = models.CharField(max_length=32, choices=Role.choices, blank=True)
    role_to = models.CharField(max_length=32, choices=Role.choices)
    requested_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="role_changes_requested"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_changes_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="role_change_one_pending_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role_from or 'none'} -> {self.role_to} ({self.status})"
