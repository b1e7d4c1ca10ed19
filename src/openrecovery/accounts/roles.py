"""Staff roles and the permissions each one carries, defined here and applied by migration.

`docs/roles.md` is generated from this module (`manage.py roles_table`) and a test keeps
it in step. Stage coverage says which episodes a role may open without being on the
patient's care team (a role "that covers the program" for those stages).
"""

from typing import Any

from django.db import models

# The values of ``records.choices.Stage``, in order. accounts sits below records in the
# layers, so it cannot import them; tests/accounts/test_roles.py proves the two equal.
RECORDS_STAGES_ALL = (
    "inquiry",
    "assessment",
    "withdrawal_management",
    "treatment",
    "aftercare",
    "closed",
)


class Role(models.TextChoices):
    ADMISSIONS_COORDINATOR = "admissions_coordinator", "Admissions coordinator"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"
    COUNSELOR = "counselor", "Counselor"
    CLINICAL_DIRECTOR = "clinical_director", "Clinical director"
    CONTENT_EDITOR = "content_editor", "Content editor"
    MEDICAL_REVIEWER = "medical_reviewer", "Medical reviewer"
    ADMINISTRATOR = "administrator", "Administrator"


# Custom permissions: (app_label, model, codename, name). Django's default model
# permissions (view_patient, add_patient, ...) are used where they fit.
CUSTOM_PERMISSIONS = (
    ("records", "patient", "view_chart", "Open the charts of patients one cares for"),
    ("records", "patient", "register_patient", "Register new patients"),
    ("records", "episodeofcare", "move_stage", "Move an episode of care to another stage"),
    ("records", "careteammember", "manage_care_team", "Add and remove care team members"),
    ("privacy", "breakglassgrant", "break_glass", "Open a chart in an emergency"),
    ("privacy", "breakglassgrant", "review_break_glass", "Review emergency access"),
    ("audit", "auditevent", "view_audit_report", "View the audit report"),
    ("audit", "auditevent", "export_audit_report", "Export the audit report"),
    ("accounts", "user", "manage_staff", "Manage staff accounts and roles"),
    (
        "accounts",
        "user",
        "approve_role_change",
        "Approve another person's role change that widens access to patients",
    ),
    (
        "instruments",
        "administration",
        "administer_instrument",
        "Administer validated instruments (PHQ-9, C-SSRS, ...) to patients",
    ),
    (
        "assessment",
        "intakeassessment",
        "edit_assessment",
        "Start and edit intake assessment drafts",
    ),
    (
        "assessment",
        "intakeassessment",
        "sign_assessment",
        "Sign intake assessments and the level of care chosen",
    ),
    ("assessment", "problem", "record_problem", "Record problems from a DSM-5-TR checklist"),
    ("assessment", "problem", "confirm_problem", "Confirm problems on the problem list"),
    ("helpline", "inquiry", "view_inquiries", "Read helpline inquiries and the admissions queue"),
    ("safety", "safetyplan", "edit_safety_plan", "Write and sign safety plans with patients"),
    (
        "safety",
        "precautionchecklist",
        "complete_precautions",
        "Complete the steps of immediate safety precautions checklists",
    ),
    (
        "helpline",
        "inquiry",
        "work_inquiries",
        "Work helpline inquiries: claim, log calls, pre-screen, record dispositions",
    ),
    (
        "withdrawal",
        "vitalsigns",
        "record_observations",
        "Record vital signs, seizure precautions and unit stays in withdrawal management",
    ),
    (
        "withdrawal",
        "taperorder",
        "sign_taper",
        "Sign taper and medication orders in withdrawal management",
    ),
    (
        "withdrawal",
        "doserecord",
        "record_doses",
        "Record medication doses (given, held, missed, refused) and witness controlled ones",
    ),
    (
        "withdrawal",
        "withdrawalprotocol",
        "manage_protocol",
        "Revise the withdrawal protocol and the on-call rota",
    ),
    (
        "treatment",
        "treatmentplan",
        "edit_plan",
        "Write, sign and review treatment plans, referrals and discharge summaries",
    ),
    (
        "treatment",
        "progressnote",
        "write_notes",
        "Write and sign session notes, run groups and take attendance",
    ),
)

CLINICAL = frozenset(
    {
        "records.view_chart",
        "records.move_stage",
        "privacy.break_glass",
        "instruments.administer_instrument",
    }
)

# Intake: drafts are shared work; signing a level of care and recording or confirming a
# diagnosis are clinicians' acts.
INTAKE_DRAFTS = frozenset({"assessment.edit_assessment"})
INTAKE_CLINICIAN = INTAKE_DRAFTS | {"assessment.sign_assessment", "assessment.record_problem"}

# Safety plans are written and signed with the patient by clinicians, not by admissions.
# Immediate safety precautions (ordering one-to-one observation, checking the room,
# notifying the physician) are the same clinicians' acts: on a withdrawal unit the nurse
# is often the one at the bedside who orders observation and calls the physician.
SAFETY_PLANNING = frozenset({"safety.edit_safety_plan", "safety.complete_precautions"})

# Withdrawal management: the nurses and physicians at the bedside record vital signs and
# seizure precautions; the clinical director owns the protocol and the on-call rota.
WITHDRAWAL_OBSERVING = frozenset({"withdrawal.record_observations", "withdrawal.record_doses"})
# Taper and medication orders are physicians' acts (and the clinical director's).
WITHDRAWAL_ORDERING = frozenset({"withdrawal.sign_taper"})

# Helpline: admissions work the queue; nurses and physicians may read it (e.g. to advise on
# a caller's danger signs) but not claim or close inquiries.
HELPLINE_READ = frozenset({"helpline.view_inquiries"})
HELPLINE_WORK = HELPLINE_READ | {"helpline.work_inquiries"}

# Treatment: counselors, physicians and clinical directors write plans and notes.
TREATMENT_CLINICIAN = frozenset({"treatment.edit_plan", "treatment.write_notes"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMISSIONS_COORDINATOR: CLINICAL
    | INTAKE_DRAFTS
    | HELPLINE_WORK
    | {"records.register_patient"},
    Role.NURSE: CLINICAL
    | INTAKE_DRAFTS
    | HELPLINE_READ
    | SAFETY_PLANNING
    | WITHDRAWAL_OBSERVING
    | {"assessment.record_problem"},
    Role.PHYSICIAN: CLINICAL
    | INTAKE_CLINICIAN
    | SAFETY_PLANNING
    | HELPLINE_READ
    | WITHDRAWAL_OBSERVING
    | WITHDRAWAL_ORDERING
    | TREATMENT_CLINICIAN
    | {"records.manage_care_team", "assessment.confirm_problem"},
    Role.COUNSELOR: CLINICAL | INTAKE_CLINICIAN | SAFETY_PLANNING | TREATMENT_CLINICIAN,
    Role.CLINICAL_DIRECTOR: CLINICAL
    | INTAKE_CLINICIAN
    | SAFETY_PLANNING
    | HELPLINE_WORK
    | WITHDRAWAL_OBSERVING
    | WITHDRAWAL_ORDERING
    | TREATMENT_CLINICIAN
    | {
        "withdrawal.manage_protocol",
        "assessment.confirm_problem",
        "records.register_patient",
        "records.manage_care_team",
        "privacy.review_break_glass",
        "audit.view_audit_report",
        "audit.export_audit_report",
        "accounts.approve_role_change",
    },
    Role.CONTENT_EDITOR: frozenset(),
    Role.MEDICAL_REVIEWER: frozenset(),
    Role.ADMINISTRATOR: frozenset(
        {
            "accounts.manage_staff",
            "accounts.approve_role_change",
            "audit.view_audit_report",
            "audit.export_audit_report",
            "privacy.review_break_glass",
        }
    ),
}

# Stages whose episodes a role may open without care-team membership.
ROLE_STAGE_COVERAGE: dict[str, frozenset[str]] = {
    Role.ADMISSIONS_COORDINATOR: frozenset({"inquiry", "assessment"}),
    Role.NURSE: frozenset({"withdrawal_management"}),
    Role.PHYSICIAN: frozenset({"withdrawal_management"}),
    Role.COUNSELOR: frozenset(),
    Role.CLINICAL_DIRECTOR: frozenset(RECORDS_STAGES_ALL),
    Role.CONTENT_EDITOR: frozenset(),
    Role.MEDICAL_REVIEWER: frozenset(),
    Role.ADMINISTRATOR: frozenset(),
}


# Permissions that open patient data, by themselves or through a list or report.
PATIENT_DATA_PERMISSIONS = frozenset(
    {
        "records.view_chart",
        "privacy.break_glass",
        "privacy.review_break_glass",
        "helpline.view_inquiries",
        "audit.view_audit_report",
    }
)


# The permission each job a staff picker offers people for takes. A picker lists only the
# roles that hold it (``roles_with``), and the service that does the job checks it again.
ASSESSMENT_PERMISSION = "assessment.sign_assessment"  # take an intake assessment and sign it
CARE_TEAM_PERMISSION = "records.view_chart"  # serve on a care team: open the patient's chart


def roles_with(permission: str) -> frozenset[str]:
    """Return the roles whose permissions include ``permission`` (``"app.codename"``)."""
    return frozenset(role for role, perms in ROLE_PERMISSIONS.items() if permission in perms)


def role_adds_patient_access(old: str, new: str) -> bool:
    """Return whether moving from role ``old`` to ``new`` opens patients ``old`` could not see.

    Such a change needs a second person's approval (accounts/services.py).
    """
    covered = ROLE_STAGE_COVERAGE.get(new, frozenset()) - ROLE_STAGE_COVERAGE.get(old, frozenset())
    old_data = ROLE_PERMISSIONS.get(old, frozenset()) & PATIENT_DATA_PERMISSIONS
    new_data = ROLE_PERMISSIONS.get(new, frozenset()) & PATIENT_DATA_PERMISSIONS
    return bool(covered or new_data - old_data)


def roles_sync(apps: Any = None) -> None:
    """Create one group per role holding exactly the role's permissions.

    Works inside a data migration (``apps`` is the historical registry) and after
    ``migrate`` (``apps`` is None: the live registry).
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    content_type_model = apps.get_model("contenttypes", "ContentType")

    for app_label, model, codename, name in CUSTOM_PERMISSIONS:
        content_type, _ = content_type_model.objects.get_or_create(app_label=app_label, model=model)
        permission_model.objects.update_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=str(role))
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender: Any, **kwargs: Any) -> None:
    """Keep groups in step with the code after every ``migrate``."""
    roles_sync()


def roles_table_markdown() -> str:
    """Return the role/permission table as Markdown (the source of docs/roles.md)."""
    roles = list(Role)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `src/openrecovery/accounts/roles.py` by "
        "`python manage.py roles_table`; do not edit by hand.",
        "",
        "| permission | " + " | ".join(r.label for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for app_label, _model, codename, name in CUSTOM_PERMISSIONS:
        perm = f"{app_label}.{codename}"
        marks = ["yes" if perm in ROLE_PERMISSIONS[r] else "" for r in roles]
        lines.append(f"| `{perm}`: {name} | " + " | ".join(marks) + " |")
    lines += [
        "",
        "## Stages a role covers without care-team membership",
        "",
        "| role | stages |",
        "|---|---|",
    ]
    for role in roles:
        stages = [s for s in RECORDS_STAGES_ALL if s in ROLE_STAGE_COVERAGE[role]]
        lines.append(f"| {role.label} | {', '.join(stages) or 'none'} |")
    return "\n".join(lines) + "\n"
