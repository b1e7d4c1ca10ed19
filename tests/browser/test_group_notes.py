"""A facilitator runs a group of six with one absent: the shared part written once, three
members individualized, one sign; each member's chart shows only their own note."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from openrecovery.records.choices import Stage
from openrecovery.treatment.choices import NoteStatus, SessionKind
from openrecovery.treatment.models import ProgressNote, TherapySession
from openrecovery.treatment.services.groups import group_create, group_member_add
from tests.support.browser import sign_in
from tests.support.factories import make_patient
from tests.treatment.group_support import signed_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = [
    ("Rosa", "Lindqvist"),
    ("Theo", "Baptiste"),
    ("Mira", "Castellanos"),
    ("Dev", "Raman"),
    ("Lena", "Okonkwo"),
    ("Ada", "Whitfield"),
]
SHARED = "We practised urge surfing: noticing a craving rise, peak and pass in about 20 minutes."
WORDS = {
    0: "Rosa described a craving at the bus stop and rode it out with the breathing count.",
    1: "Theo planned what to say to his cousin who offers pills at weekends.",
    3: "Dev said evenings are hardest; will try the wind-down plan before bed.",
}
ABSENT = 5  # Ada


def test_a_facilitator_writes_a_group_of_six_once_and_each_chart_shows_its_own(
    page: Page, server, inspect, director, counselor
):
    group = group_create(
        actor=counselor, name="Relapse prevention", facilitator=counselor,
        weekday=timezone.localdate().weekday(), start_time=dt.time(10, 0), room="Room 2",
    )  # fmt: skip
    patients = []
    for given, family in NAMES:
        patient = make_patient(
            actor=director, stage=Stage.TREATMENT, team=[counselor], given=given, family=family
        )
        signed_plan(
            patient.episodes.get(), director,
            [f"{given} names three personal triggers", f"{given} uses one craving skill daily"],
        )  # fmt: skip
        group_member_add(actor=counselor, group=group, patient=patient)
        patients.append(patient)
    starts = timezone.now() - dt.timedelta(hours=2)
    session = TherapySession.objects.create(
        kind=SessionKind.GROUP, group=group, clinician=counselor, starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=60), room="Room 2",
    )  # fmt: skip

    sign_in(page, server, counselor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    page.get_by_role("link", name="Groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    inspect.check(page, "0-groups")
    page.get_by_role("link", name="Relapse prevention").click()
    expect(page.locator("#roster li")).to_have_count(6)
    inspect.check(page, "0-group-roster")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("My calendar")
    inspect.check(page, "1-calendar")
    page.locator(f"[data-session='{session.pk}'] a").click()
    expect(page).to_have_url(re.compile(rf"/treatment/sessions/{session.pk}/$"))
    expect(page.locator("#participants")).to_contain_text("6 on the roster")
    inspect.check(page, "2-session-before")

    # The shared part, once.
    page.get_by_label("Topic").fill("Riding out a craving")
    page.get_by_label("Curriculum module covered").select_option(label="Coping with cravings")
    page.get_by_label("Relapse-prevention skills").check()
    page.get_by_label("What the group did").fill(SHARED)
    # Attendance: one absent, with the reason.
    absent = page.locator(f"article[data-member='{patients[ABSENT].pk}']")
    absent.get_by_label("Absent", exact=True).check()
    absent.get_by_label(re.compile("Why .* was absent")).fill("Medical appointment")
    # Three members individualized; the other two take part as the shared part says.
    for index, words in WORDS.items():
        card = page.locator(f"article[data-member='{patients[index].pk}']")
        card.get_by_label(re.compile("said and did")).fill(words)
    inspect.check(page, "3-session-filled")
    page.get_by_role("button", name="Sign the group note").click()
    expect(page.get_by_role("status").filter(has_text="Signed: 5 member notes")).to_be_visible()
    expect(page.get_by_role("heading", name="Signed group note")).to_be_visible()
    inspect.check(page, "4-session-signed")

    signed = ProgressNote.objects.filter(group_note__session=session)
    assert signed.count() == 5
    assert set(signed.values_list("status", flat=True)) == {NoteStatus.SIGNED}

    for index, patient in enumerate(patients):
        page.goto(f"{server}/patients/{patient.pk}/")
        notes = page.locator("#session-notes")
        expect(notes).to_be_visible()
        if index == ABSENT:
            expect(notes).to_contain_text("No session notes yet.")
        else:
            expect(notes).to_contain_text(SHARED)
            expect(notes).to_contain_text("5 participants")
            expect(notes).to_contain_text(f"{NAMES[index][0]} names three personal triggers")
            if index in WORDS:
                expect(notes).to_contain_text(WORDS[index])
            else:
                expect(notes).to_contain_text("Took part as in the shared part.")
        body = page.content()
        for other, words in WORDS.items():
            if other != index:
                assert words not in body
        for other, (_given, family) in enumerate(NAMES):
            if other != index:
                assert family not in body
        curriculum = page.locator("#curriculum-progress")
        if index != ABSENT:
            expect(curriculum.locator("[data-module='cravings']")).to_contain_text("Covered")
        if index in (0, 2):
            inspect.check(page, f"5-chart-{NAMES[index][0].lower()}")

    # A correction to a signed member note is an addendum; the note stays as signed.
    rosa = patients[0]
    page.goto(f"{server}/patients/{rosa.pk}/")
    page.locator("#session-notes").get_by_role("link", name="All session notes").click()
    page.get_by_text("Add an addendum to this note").click()
    page.get_by_label("Addendum (the signed note stays as it is)").fill("Rosa arrived at 10:05.")
    page.get_by_role("button", name="Add the addendum").click()
    expect(page.get_by_role("status").filter(has_text="Addendum added")).to_be_visible()
    expect(page.locator("#session-notes")).to_contain_text("Rosa arrived at 10:05.")
    inspect.check(page, "6-notes-with-addendum")
