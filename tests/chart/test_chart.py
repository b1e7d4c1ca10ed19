"""The patient chart, its print view and its timeline pages."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from openrecovery.chart.selectors import TIMELINE_PAGE
from openrecovery.records.choices import Stage, TimelineKind
from openrecovery.records.models import TimelineEvent
from openrecovery.records.services import episode_move_stage
from tests.support.factories import make_patient, verified_client


def add_notes(patient, n: int) -> list[TimelineEvent]:
    base = timezone.now() - dt.timedelta(days=1)
    return TimelineEvent.objects.bulk_create(
        TimelineEvent(
            patient=patient,
            kind=TimelineKind.NOTE,
            summary=f"Note {i:03d}",
            occurred_at=base - dt.timedelta(minutes=i),
        )
        for i in range(n)
    )


def test_chart_shows_the_record(director, counselor):
    patient = make_patient(
        actor=director, stage=Stage.ASSESSMENT, team=[counselor], preferred_name="Sam"
    )
    episode_move_stage(
        actor=director, episode=patient.episodes.get(), to_stage=Stage.TREATMENT, reason="Ready"
    )
    response = verified_client(counselor).get(reverse("chart:chart", args=[patient.pk]))
    chart = response.context["chart"]
    assert chart.patient == patient
    assert chart.episode.stage == Stage.TREATMENT
    assert [t.to_stage for t in chart.transitions] == ["treatment", "assessment", "inquiry"]
    assert [m.user for m in chart.care_team] == [counselor]
    body = response.content.decode()
    assert f"Sam {patient.legal_family_name}" in body
    assert patient.mrn in body
    assert "Assessment → Treatment: Ready" in body


def test_stage_form_offers_only_allowed_moves(director):
    patient = make_patient(actor=director, stage=Stage.ASSESSMENT)
    response = verified_client(director).get(reverse("chart:chart", args=[patient.pk]))
    choices = [c for c, _ in response.context["stage_form"].fields["to_stage"].choices]
    assert choices == ["withdrawal_management", "treatment", "closed"]
    assert response.context["discharge_types"] == [
        "referred_out",
        "lost_contact",
        "not_admitted",
        "administrative",
    ]


def test_timeline_pages_through_everything_once(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    add_notes(patient, TIMELINE_PAGE + 7)
    total = TimelineEvent.objects.filter(patient=patient).count()
    client = verified_client(counselor)
    first = client.get(reverse("chart:chart", args=[patient.pk])).context["chart"]
    assert len(first.timeline) == TIMELINE_PAGE and first.timeline_more
    seen = [e.pk for e in first.timeline]
    before = seen[-1]
    while True:
        page = client.get(reverse("chart:timeline", args=[patient.pk]), {"before": before})
        events = page.context["events"]
        seen += [e.pk for e in events]
        if not page.context["more"]:
            break
        before = events[-1].pk
    assert len(seen) == len(set(seen)) == total


def test_timeline_ignores_foreign_or_bad_anchors(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    other = make_patient(actor=director, stage=Stage.TREATMENT)
    foreign = add_notes(other, 1)[0]
    client = verified_client(counselor)
    url = reverse("chart:timeline", args=[patient.pk])
    for before in (str(foreign.pk), "abc", str(2**64), "-1"):
        page = client.get(url, {"before": before})
        assert page.status_code == 200
        assert all(e.patient_id == patient.pk for e in page.context["events"])
        assert "Note 000" not in page.content.decode()


def test_print_view_is_a_summary(director, counselor):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    response = verified_client(counselor).get(reverse("chart:print", args=[patient.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "42 CFR Part 2" in body
    assert patient.mrn in body


def test_unknown_patient_ids_are_404(counselor):
    client = verified_client(counselor)
    for name in ("chart:chart", "chart:print", "chart:timeline"):
        assert client.get(reverse(name, args=[987654321])).status_code == 404
    assert client.get("/patients/abc/").status_code == 404
