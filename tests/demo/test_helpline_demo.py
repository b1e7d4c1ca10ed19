"""The demo's helpline: a filled queue, figures over the last 30 days, every disposition,
danger banners, one inquiry past the response target, conversions that link to patients.

The demo is loaded once for the module (``conftest.demo_loaded``).
"""

import datetime as dt
import re

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import audit_verify
from openrecovery.helpline.choices import DispositionKind, ForWhom, InquirySource, Urgency
from openrecovery.helpline.console.selectors import figures_panel, queue_rows
from openrecovery.helpline.models import OPEN, CallAttempt, Disposition, Inquiry, PreScreen
from openrecovery.helpline.selectors import conversion_figures, inquiry_detail
from openrecovery.records.choices import Stage, TimelineKind
from tests.support.factories import verified_client

PHONE = re.compile(r"\d{3}-555-01\d\d")


def admissions_client():
    return verified_client(User.objects.get(username="admissions"))


def test_the_queue_holds_callbacks_and_calls_of_every_urgency(demo):
    rows = queue_rows()
    open_ = Inquiry.objects.filter(OPEN)
    assert len(rows) == open_.count() >= 10
    kinds = set(open_.values_list("source", "urgency"))
    for source in (InquirySource.WEB, InquirySource.PHONE):
        assert {(source, u) for u in Urgency.values} <= kinds, source
    assert [r.urgency_label for r in rows] == sorted(
        (r.urgency_label for r in rows), key=[u.label for u in Urgency].index
    )
    # Some are claimed (by both coordinators on shift), some wait for anyone.
    holders = {r.claimed_by for r in rows}
    assert {"Avery Lindqvist", "Dana Whitcombe", ""} == holders
    # Exactly one is past the response target without first contact.
    overdue = [r for r in rows if r.overdue]
    assert len(overdue) == 1 and not overdue[0].contacted
    # Callers are fictional: 555-01xx numbers only.
    assert all(PHONE.fullmatch(p) for p in Inquiry.objects.values_list("phone", flat=True))
    page = admissions_client().get(reverse("helpline:console:queue_page"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f'<strong class="text-body">{len(rows)}</strong> open' in body
    assert body.count("past target") == 1
    assert all(r.reference in body for r in rows)
    assert "No closed inquiries yet." not in body


def test_prescreens_raise_urgency_and_show_their_danger_banners(demo):
    fired: dict[str, Inquiry] = {}
    for inquiry in Inquiry.objects.filter(OPEN, prescreen__isnull=False):
        for rule in inquiry_detail(inquiry)["danger_rules"]:
            fired.setdefault(rule.code, inquiry)
    assert set(fired) == {
        "overdose_911",
        "suicide_988",
        "supervised_withdrawal",
        "naloxone",
        "pregnancy",
        "no_abrupt_stop",
    }
    assert fired["suicide_988"].urgency == fired["overdose_911"].urgency == Urgency.URGENT
    assert fired["naloxone"].urgency == Urgency.HIGH
    client = admissions_client()
    page = client.get(reverse("helpline:console:inquiry", args=[fired["suicide_988"].reference]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-rule="suicide_988"' in body and "Call 988 now" in body


def test_figures_and_the_per_day_table_are_filled(demo):
    panel = figures_panel()
    for window in panel.windows:
        assert window.total > 0 and window.converted > 0, window
        assert window.median_minutes is not None and 0 < window.median_minutes < 120
        assert 0 < window.share_percent < 100
    assert all(n > 0 for _day, n in panel.last_days)
    # Inquiries arrived on every one of the last 30 days.
    today = timezone.localdate()
    days = {day for day, n in conversion_figures(30).per_day if n}
    assert {today - dt.timedelta(days=n) for n in range(30)} <= days
    page = admissions_client().get(reverse("helpline:console:figures"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "—" not in body  # every figure has a value
    assert re.search(r"\d+% \(\d+\)", body)


def test_every_disposition_appears_in_the_last_thirty_days(demo):
    since = timezone.now() - dt.timedelta(days=30)
    closed = Inquiry.objects.filter(closed_at__gte=since)
    assert set(closed.values_list("disposition_kind", flat=True)) == set(DispositionKind.values)
    for inquiry in Inquiry.objects.exclude(OPEN).select_related("disposition"):
        disposition = inquiry.disposition
        assert disposition.kind == inquiry.disposition_kind
        assert disposition.created_at == inquiry.closed_at
        if disposition.kind == DispositionKind.REFERRED:
            assert disposition.referral_target
    lost = Inquiry.objects.filter(disposition_kind=DispositionKind.LOST_CONTACT)
    assert all(i.call_attempts.count() >= 3 for i in lost)


def test_times_are_in_order_and_in_the_past(demo):
    now = timezone.now()
    for inquiry in Inquiry.objects.all():
        end = inquiry.closed_at or now
        assert inquiry.received_at <= end <= now
        if inquiry.first_contact_at is not None:
            assert inquiry.received_at <= inquiry.first_contact_at <= end
        if inquiry.claimed_at is not None:
            assert inquiry.received_at <= inquiry.claimed_at <= end
    for attempt in CallAttempt.objects.select_related("inquiry"):
        assert attempt.inquiry.received_at <= attempt.attempted_at
        assert attempt.attempted_at <= (attempt.inquiry.closed_at or now)
    for prescreen in PreScreen.objects.select_related("inquiry"):
        assert prescreen.inquiry.received_at <= prescreen.updated_at
        assert prescreen.updated_at <= (prescreen.inquiry.closed_at or now)


def test_conversions_link_to_patients_whose_stories_start_there(demo):
    converted = Inquiry.objects.filter(
        disposition_kind=DispositionKind.SCHEDULE_ASSESSMENT
    ).select_related("patient", "disposition__clinician")
    assert converted.count() >= 5
    readmitted = for_someone_else = 0
    for inquiry in converted:
        patient = inquiry.patient
        assert patient is not None
        if inquiry.for_whom == ForWhom.SOMEONE_ELSE:
            # A relative called: they are the patient's contact, not the patient's name.
            contact = patient.contacts.get()
            assert (contact.name, contact.phone) == (inquiry.name, inquiry.phone)
            assert inquiry.name not in patient.display_name
            for_someone_else += 1
        else:
            assert patient.phone_mobile == inquiry.phone
        clinician = inquiry.disposition.clinician
        assert clinician.role == Role.COUNSELOR
        # The episode the conversion opened starts at assessment, when the inquiry closed.
        opening = patient.episodes.get(started_at=inquiry.closed_at)
        first = opening.transitions.order_by("moved_at", "pk").first()
        assert (first.from_stage, first.to_stage) == ("", Stage.ASSESSMENT)
        assert opening.started_at == first.moved_at == inquiry.closed_at
        readmitted += opening.previous_episode_id is not None
        assert patient.care_team.filter(user=clinician).exists()
        assert patient.timeline.filter(
            kind=TimelineKind.CONTACT,
            summary__startswith=f"Helpline inquiry {inquiry.reference}: assessment scheduled",
            occurred_at=inquiry.closed_at,
        ).exists()
    assert readmitted >= 1  # an earlier patient who called again
    assert for_someone_else >= 1  # a relative who called for them


def test_the_helpline_load_is_audited_and_the_chain_verifies(demo, capsys):
    created = AuditEvent.objects.filter(object_type="inquiry", action="create")
    assert created.count() == Inquiry.objects.count()
    assert Disposition.objects.count() == Inquiry.objects.exclude(OPEN).count()
    assert audit_verify().ok
    call_command("verify_audit")
    assert "OK:" in capsys.readouterr().out
