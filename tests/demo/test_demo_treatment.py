"""The demo's treatment: signed plans, threaded notes, groups, reviews owed where due."""

from django.utils import timezone

from openrecovery.records.choices import Stage, TaskKind, TaskStatus
from openrecovery.records.models import ClinicalAlert, ClinicalTask, EpisodeOfCare
from openrecovery.treatment.measurement import REVIEW_STATUSES
from openrecovery.treatment.measurement_selectors import episode_courses
from openrecovery.treatment.models import GroupNote, ProgressNote, TherapySession, TreatmentPlan
from openrecovery.treatment.selectors import plan_in_force


def _treating():
    return list(
        EpisodeOfCare.objects.filter(ended_at__isnull=True, stage=Stage.TREATMENT).select_related(
            "patient"
        )
    )


def test_every_patient_in_treatment_has_a_signed_plan_and_threaded_notes(demo):
    episodes = _treating()
    assert len(episodes) >= 5
    for episode in episodes:
        plan = plan_in_force(episode)
        assert plan is not None and plan.patient_agreement == "agreed"
        assert plan.signed_at <= timezone.now()
    signed = ProgressNote.objects.filter(status="signed")
    assert signed.count() >= 2 * len(episodes)
    assert not signed.filter(objectives__isnull=True, group_note__isnull=True).exists()
    assert not signed.filter(late_entry=True).exists()  # written the day of the session
    assert not ClinicalAlert.objects.filter(kind="treatment_thread").exists()
    assert TreatmentPlan.objects.filter(status="signed").count() == len(episodes)


def test_each_counselor_runs_a_group_with_last_weeks_session_signed(demo):
    signed = GroupNote.objects.filter(status="signed").select_related("session")
    assert signed.count() >= 2
    for group_note in signed:
        assert group_note.session.starts_at < timezone.now()
        assert group_note.member_notes.filter(status="signed").exists()
    assert TherapySession.objects.filter(starts_at__gt=timezone.now()).count() >= 8


def test_plan_reviews_are_owed_exactly_where_a_course_calls_for_one(demo):
    owed = set(
        ClinicalTask.objects.filter(kind=TaskKind.PLAN_REVIEW, status=TaskStatus.OPEN).values_list(
            "episode_id", flat=True
        )
    )
    due = {
        e.pk
        for e in _treating()
        if any(
            c.status in REVIEW_STATUSES and c.code in ("phq9", "gad7")
            for c in episode_courses(e, timezone.now())
        )
    }
    assert owed == due and due
