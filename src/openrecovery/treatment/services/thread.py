"""The golden thread at signing: a note's flags, and who hears of them.

A note that addresses no plan objective, or a late entry, is flagged on the note and to
its author and supervisor (the care team's clinical supervisor; else the clinical
directors) as a warning alert. Ids and codes only in the audit log.
"""

import datetime as dt

from django.conf import settings

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.records.alerts import alert_raise
from openrecovery.records.choices import AlertKind, AlertSeverity, CareTeamRole
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient

FLAG_NO_OBJECTIVE = "no_objective"
FLAG_LATE_ENTRY = "late_entry"
FLAG_UNADDRESSED = "objective_unaddressed"

FLAG_MESSAGES = {
    FLAG_NO_OBJECTIVE: "A signed session note addresses no treatment plan objective.",
    FLAG_LATE_ENTRY: "A session note was signed after the program's late-entry limit.",
    FLAG_UNADDRESSED: "A treatment plan objective has not been addressed in any session.",
}


def late_entry_limit() -> dt.timedelta:
    """Return how long after a session its note may be signed before it is a late entry."""
    return dt.timedelta(days=int(settings.TREATMENT_LATE_ENTRY_DAYS))


def is_late(session_ended_at: dt.datetime, signed_at: dt.datetime) -> bool:
    """Return whether a note signed at ``signed_at`` is a late entry for its session."""
    return signed_at - session_ended_at > late_entry_limit()


def note_flags(*, objective_count: int, late: bool) -> list[str]:
    """Return a note's flags at signing, in a fixed order."""
    flags = []
    if objective_count == 0:
        flags.append(FLAG_NO_OBJECTIVE)
    if late:
        flags.append(FLAG_LATE_ENTRY)
    return flags


def supervisors_of(patient: Patient) -> list[User]:
    """Return the patient's clinical supervisors on the care team, else the directors."""
    supervisors = [
        m.user
        for m in CareTeamMember.objects.filter(
            patient=patient,
            active=True,
            team_role=CareTeamRole.CLINICAL_SUPERVISOR,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ]
    if supervisors:
        return supervisors
    return list(User.objects.filter(role=Role.CLINICAL_DIRECTOR, is_active=True).order_by("pk"))


def thread_flags_raise(
    *,
    patient: Patient,
    episode: EpisodeOfCare | None,
    flags: list[str],
    author: User,
    source_type: str,
    source_id: int,
    supervisors: list[User] | None = None,
) -> None:
    """Raise one warning alert per flag to the author and the supervisors.

    ``supervisors`` may be passed in when the caller flags many notes of one patient set.
    """
    if not flags:
        return
    recipients = {author.pk: author}
    for user in supervisors if supervisors is not None else supervisors_of(patient):
        recipients.setdefault(user.pk, user)
    for flag in flags:
        alert_raise(
            patient=patient,
            episode=episode,
            kind=AlertKind.TREATMENT_THREAD,
            severity=AlertSeverity.WARNING,
            message=FLAG_MESSAGES[flag],
            source_type=source_type,
            source_id=source_id,
            recipients=list(recipients.values()),
            actor=author,
        )
