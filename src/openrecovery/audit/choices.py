"""Audited actions and outcomes."""

from django.db import models


class Action(models.TextChoices):
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logout"
    MFA_ENROLLED = "mfa_enrolled", "MFA enrolled"
    MFA_VERIFIED = "mfa_verified", "MFA verified"
    MFA_FAILED = "mfa_failed", "MFA failed"
    MFA_RESET = "mfa_reset", "MFA reset by an administrator"
    RECOVERY_CODES_ISSUED = "recovery_codes_issued", "Recovery codes issued"
    PERMISSION_CHANGE = "permission_change", "Permission change"
    STAFF_CREATED = "staff_created", "Staff account created"
    STAFF_DEACTIVATED = "staff_deactivated", "Staff account deactivated"
    STAFF_REACTIVATED = "staff_reactivated", "Staff account reactivated"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    TOKEN_FAILED = "token_failed", "API token refused"
    VIEW = "view", "PHI view"
    LIST = "list", "PHI list"
    SEARCH = "search", "PHI search"
    PRINT = "print", "Print"
    EXPORT = "export", "Export"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    STAGE_CHANGE = "stage_change", "Stage change"
    CARE_TEAM_CHANGE = "care_team_change", "Care team change"
    BREAK_GLASS = "break_glass", "Break-glass access"
    BREAK_GLASS_REVIEWED = "break_glass_reviewed", "Break-glass reviewed"
    ACCESS_DENIED = "access_denied", "Access denied"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    FAILURE = "failure", "Failure"
