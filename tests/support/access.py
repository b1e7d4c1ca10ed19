"""The authorization matrix for tests: docs/access.md read as tables, and a world to request.

The world has one staff member per role and real objects for every URL parameter of the
documented paths, so each row can be requested with concrete ids.
"""

import dataclasses
import re
from pathlib import Path

from django.conf import settings

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import ROLE_PERMISSIONS, Role
from openrecovery.accounts.services import staff_set_role
from openrecovery.chart.access_table import ANONYMOUS
from openrecovery.helpline.services import callback_request_create
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.privacy.services import break_glass_grant
from openrecovery.records.choices import Stage
from openrecovery.records.models import CareTeamMember, ClinicalAlert, Patient
from openrecovery.safety.services import cssrs_owed_open
from tests.support.assessment import intake_objects
from tests.support.factories import make_patient, make_staff
from tests.support.records import urgent_alert

ROLE_BY_LABEL = {role.label: role.value for role in Role}
COLUMNS = [role.value for role in Role] + [ANONYMOUS]
PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclasses.dataclass(frozen=True)
class DocumentedRow:
    """One row of a documented table: its leading cells, and one cell per column."""

    fields: dict[str, str]
    cells: dict[str, str]

    @property
    def path(self) -> str:
        return self.fields["path"]

    @property
    def name(self) -> str:
        return self.fields.get("URL name") or self.fields["operation"]


def access_doc_text() -> str:
    return (Path(settings.REPO_DIR) / "docs" / "access.md").read_text(encoding="utf-8")


def _split(line: str) -> list[str]:
    return [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]


def _table(text: str, heading: str) -> list[DocumentedRow]:
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = _split(lines[0])
    rows = []
    for line in lines[2:]:
        values = dict(zip(header, _split(line), strict=True))
        cells = {
            ROLE_BY_LABEL.get(h, h): values.pop(h)
            for h in list(values)
            if h in ROLE_BY_LABEL or h == ANONYMOUS
        }
        rows.append(DocumentedRow(fields=values, cells=cells))
    assert rows, f"no rows under '## {heading}' in docs/access.md"
    return rows


def documented_pages() -> list[DocumentedRow]:
    """Return the rows of the documented page table."""
    return _table(access_doc_text(), "Pages")


def documented_api() -> list[DocumentedRow]:
    """Return the rows of the documented API table."""
    return _table(access_doc_text(), "API")


def concrete_path(pattern: str, ids: dict[str, int | str]) -> str:
    """Fill a documented path pattern's parameters with real object ids."""
    return PATH_PARAMETER.sub(lambda m: str(ids[m.group(1)]), pattern)


@dataclasses.dataclass
class AccessWorld:
    """Staff for every role, and a patient every clinical role can open."""

    staff: dict[str, User]
    patient: Patient
    grant: BreakGlassGrant
    spare_member: CareTeamMember
    other_staff: User
    alert: ClinicalAlert
    substance_id: int = 0
    problem_id: int = 0
    inquiry_reference: str = ""
    role_change_id: int = 0
    task_id: int = 0
    group_id: int = 0
    session_id: int = 0
    note_id: int = 0

    def ids(self) -> dict[str, int | str]:
        """Return the id to put into each URL parameter of docs/access.md."""
        return {
            "patient_id": self.patient.pk,
            "member_id": self.spare_member.pk,
            "user_id": self.other_staff.pk,
            "grant_id": self.grant.pk,
            "alert_id": self.alert.pk,
            "code": "phq9",
            "substance_id": self.substance_id,
            "problem_id": self.problem_id,
            "reference": self.inquiry_reference,
            "change_id": self.role_change_id,
            "task_id": self.task_id,
            "group_id": self.group_id,
            "session_id": self.session_id,
            "note_id": self.note_id,
        }


def access_world_build() -> AccessWorld:
    """Build one verified-ready staff member per role and a patient on the clinical roles' team.

    The patient is in withdrawal management, a stage some roles cover; a spare counselor on
    the team can be removed, another staff member can be edited, a break-glass grant waits
    for review, an urgent alert for the director and a C-SSRS owed for closing, so every
    allowed request finds its object (never a 404).
    """
    staff = {role.value: make_staff(role, f"matrix_{role.value}") for role in Role}
    clinical = [u for r, u in staff.items() if "records.view_chart" in ROLE_PERMISSIONS[r]]
    spare = make_staff(Role.COUNSELOR, "matrix_spare")
    other = make_staff(Role.NURSE, "matrix_other")
    patient = make_patient(
        actor=staff[Role.CLINICAL_DIRECTOR],
        stage=Stage.WITHDRAWAL_MANAGEMENT,
        team=[*clinical, spare],
        given="Matrixgiven",
        family="Matrixfamily",
    )
    grant = break_glass_grant(user=other, patient=patient, reason="Unresponsive in the lobby.")
    member = CareTeamMember.objects.get(patient=patient, user=spare, active=True)
    alert = urgent_alert(patient, staff[Role.CLINICAL_DIRECTOR])
    # A draft intake with a substance row to remove, and an unconfirmed problem to confirm.
    substance, problem = intake_objects(patient, staff[Role.CLINICAL_DIRECTOR])
    # An open helpline inquiry for the helpline API's {reference}.
    inquiry = callback_request_create(
        data={
            "name": "Matrixcaller",
            "phone": "555-010-9999",
            "for_whom": "myself",
            "consent": True,
        },
        source_ip="192.0.2.10",
    )
    # A role change awaiting approval, asked by an administrator outside the matrix.
    requester = make_staff(Role.ADMINISTRATOR, "matrix_requester")
    change = staff_set_role(actor=requester, user=other, role=Role.CLINICAL_DIRECTOR)
    assert change is not None
    # An open pathway task for the task pages' {task_id} (a C-SSRS owed after a screen).
    task = cssrs_owed_open(
        patient=patient, source_type="matrix", source_id=0, actor=staff[Role.NURSE]
    )[0]
    group, session, note = treatment_objects(patient, staff)
    return AccessWorld(
        staff,
        patient,
        grant,
        member,
        other,
        alert,
        substance.pk,
        problem.pk,
        inquiry.reference,
        change.pk,
        task.pk,
        group.pk,
        session.pk,
        note.pk,
    )


def treatment_objects(patient: Patient, staff: dict[str, User]) -> tuple:
    """Return a group run by the matrix counselor with the matrix physician (the director
    may open any group), a session of it, and a signed individual note of ``patient``."""
    import datetime as dt

    from django.utils import timezone

    from openrecovery.treatment.models import ProgressNote, TherapySession
    from openrecovery.treatment.services.groups import group_create, group_member_add

    counselor, physician = staff[Role.COUNSELOR], staff[Role.PHYSICIAN]
    group = group_create(
        actor=counselor, name="Matrix group", facilitator=counselor, co_facilitator=physician,
        weekday=0, start_time=dt.time(10), room="Room 1",
    )  # fmt: skip
    group_member_add(actor=counselor, group=group, patient=patient)
    starts = timezone.now() - dt.timedelta(hours=2)
    session = TherapySession.objects.create(
        kind="group", group=group, clinician=counselor, co_facilitator=physician,
        starts_at=starts, ends_at=starts + dt.timedelta(hours=1), room="Room 1",
    )  # fmt: skip
    note = ProgressNote.objects.create(
        patient=patient, episode=patient.episodes.get(), author=counselor, format="dap",
        sections={"data": "Matrix note."}, started_at=starts, ended_at=starts,
        modality="in_person", status="signed", signed_at=starts, created_at=starts,
        updated_at=starts,
    )  # fmt: skip
    return group, session, note
