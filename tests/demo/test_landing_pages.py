"""Every demo role lands on something useful after sign-in (``LOGIN_REDIRECT_URL``).

The demo is loaded once for the module (``conftest.demo_loaded``).
"""

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from openrecovery.accounts.models import User
from openrecovery.demo.staff import DEMO_STAFF
from openrecovery.records.choices import Stage
from openrecovery.records.models import EpisodeOfCare
from tests.support.factories import verified_client

CONTENT_ROLE_LINKS = ("/help/", "/help/self-check/", "/help/callback/", "/help/privacy/")


def landing(username: str):
    """Return the page ``username`` lands on after signing in, and its text."""
    response = verified_client(User.objects.get(username=username)).get(
        resolve_url(settings.LOGIN_REDIRECT_URL)
    )
    assert response.status_code == 200, username
    return response, response.content.decode()


def mine(response) -> dict[str, list[str]]:
    return {g.stage: [e.patient.mrn for e in g.episodes] for g in response.context["groups"]}


def test_every_demo_role_lands_on_the_dashboard(demo):
    assert resolve_url(settings.LOGIN_REDIRECT_URL) == reverse("chart:dashboard")
    assert {s.username for s in DEMO_STAFF} == {
        "admissions", "nurse", "physician", "counselor", "director", "editor", "reviewer", "admin"
    }  # fmt: skip


def test_admissions_lands_on_new_patients_and_a_way_to_the_queue(demo):
    response, body = landing("admissions")
    assert mine(response)[Stage.ASSESSMENT]  # on the care team while they are assessed
    covered = {e.stage for e in response.context["covered"]}
    assert Stage.INQUIRY in covered
    for episode in response.context["covered"]:
        assert episode.patient.mrn in body
    assert reverse("helpline:console:queue_page") in body
    assert "Open the admissions queue" in body


def test_clinicians_land_on_their_patients_by_stage(demo):
    for username, stages in (
        ("nurse", (Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT)),
        ("physician", (Stage.WITHDRAWAL_MANAGEMENT, Stage.TREATMENT)),
        ("counselor", (Stage.ASSESSMENT, Stage.TREATMENT, Stage.AFTERCARE)),
    ):
        response, body = landing(username)
        groups = mine(response)
        for stage in stages:
            assert groups[stage], (username, stage)
            assert all(mrn in body for mrn in groups[stage])
        assert "Open the admissions queue" not in body
    # The counselor's urgent alert (the high-risk C-SSRS) is the first thing on the page.
    response, body = landing("counselor")
    assert len(response.context["alerts"]) == 1
    assert body.index(response.context["alerts"][0].patient.mrn) < body.index("stage-column")


def test_the_director_lands_on_every_open_episode_of_the_program(demo):
    response, body = landing("director")
    shown = {e.stage for e in response.context["covered"]}
    shown |= {stage for stage, mrns in mine(response).items() if mrns}
    open_stages = set(
        EpisodeOfCare.objects.filter(ended_at__isnull=True).values_list("stage", flat=True)
    )
    assert shown == open_stages
    assert "Open the admissions queue" in body


def test_content_roles_land_on_what_they_will_do_with_clear_empty_states(demo):
    for username, intro, first_list, empty in (
        ("editor", "As a content editor you will write", "My drafts", "No drafts yet."),
        (
            "reviewer",
            "As a medical reviewer you will check drafts",
            "Waiting for my review",
            "No review requests.",
        ),
    ):
        response, body = landing(username)
        assert "Medically reviewed public pages" in body
        assert intro in body
        assert first_list in body and empty in body
        assert "Overdue for review" in body and "No pages past their review date." in body
        assert "until then these lists stay empty" in body
        assert all(f'href="{link}"' in body for link in CONTENT_ROLE_LINKS)
        assert response.context["groups"] == [] and response.context["covered"] == []
        assert "MRN" not in body  # no patient is shown to a role without charts


def test_the_administrator_lands_on_staff_audit_and_access_reviews(demo):
    _response, body = landing("admin")
    assert "Your role does not include patient charts." in body
    for url, label in (
        (reverse("accounts:staff_list"), "Staff accounts"),
        (reverse("reports:audit_report"), "Audit report"),
        (reverse("privacy:review_list"), "Access reviews"),
    ):
        assert f'<a href="{url}">{label}</a>' in body
    assert "Medically reviewed public pages" not in body
    assert "MRN" not in body
