"""Break-glass: a stated reason, time-limited access, flagged and reviewed."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.privacy.choices import AccessBasis
from openrecovery.privacy.gates import access_basis, patients_visible_to
from openrecovery.privacy.models import BreakGlassGrant
from openrecovery.privacy.services import (
    ERROR_ALREADY_REVIEWED,
    ERROR_NOT_PERMITTED,
    ERROR_OWN_GRANT,
    ERROR_TEAM_UNDER_BREAK_GLASS,
    MIN_REASON_LENGTH,
    break_glass_grant,
    break_glass_review,
    care_team_member_add,
    care_team_member_remove,
)
from openrecovery.privacy.views import ERROR_NO_SUCH_MRN
from openrecovery.records.choices import Stage
from openrecovery.records.models import CareTeamMember
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff, verified_client

REASON = "Found unresponsive in the waiting room"


@pytest.fixture
def patient(director):
    return make_patient(actor=director, stage=Stage.TREATMENT)


def ask(client, patient, reason=REASON, mrn=None):
    return client.post(
        reverse("privacy:break_glass"), {"mrn": mrn or patient.mrn, "reason": reason}
    )


def test_grant_opens_the_chart_flagged_and_time_limited(settings, counselor, patient):
    client = verified_client(counselor)
    assert client.get(reverse("chart:chart", args=[patient.pk])).status_code == 404
    mark = audit_mark()
    response = ask(client, patient)
    assert response.status_code == 302
    assert response.url == reverse("chart:chart", args=[patient.pk])
    grant = BreakGlassGrant.objects.get(user=counselor, patient=patient)
    assert grant.reason == REASON
    assert grant.expires_at - grant.created_at == dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES)
    page = client.get(response.url)
    assert page.status_code == 200
    assert "Emergency access." in page.content.decode()
    assert access_basis(counselor, patient) == AccessBasis.BREAK_GLASS
    assert patient in patients_visible_to(counselor)
    granted, viewed = (
        events_since(mark, action=Action.BREAK_GLASS),
        events_since(mark, action=Action.VIEW),
    )
    assert len(granted) == 1 and granted[0].flagged
    assert granted[0].object_id == str(grant.pk)
    assert [(v.patient_id, v.flagged, v.purpose, v.detail) for v in viewed] == [
        (patient.pk, True, "emergency", {"basis": "break_glass"})
    ]


@pytest.mark.parametrize("reason", ["", "   ", "help", "x" * (MIN_REASON_LENGTH - 1)])
def test_reason_needs_fifteen_characters(counselor, patient, reason):
    mark = audit_mark()
    response = ask(verified_client(counselor), patient, reason=reason)
    assert response.status_code == 422
    assert "reason" in response.context["form"].errors
    assert not BreakGlassGrant.objects.exists()
    assert not events_since(mark, action=Action.BREAK_GLASS)
    with pytest.raises(ValidationError) as caught:
        break_glass_grant(user=counselor, patient=patient, reason=reason)
    assert "reason" in caught.value.message_dict


def test_padding_does_not_count_towards_the_reason(counselor, patient):
    with pytest.raises(ValidationError):
        break_glass_grant(user=counselor, patient=patient, reason="  short reason  " + " " * 20)


def test_unknown_mrn_is_a_field_error(counselor, patient):
    response = ask(verified_client(counselor), patient, mrn="MRN9999999")
    assert response.status_code == 422
    assert response.context["form"].errors == {"mrn": [ERROR_NO_SUCH_MRN]}
    assert not BreakGlassGrant.objects.exists()


def test_access_ends_when_the_grant_expires(settings, counselor, patient):
    settings.BREAK_GLASS_MINUTES = 5  # shorter than the session's idle timeout
    client = verified_client(counselor)
    ask(client, patient)
    url = reverse("chart:chart", args=[patient.pk])
    assert client.get(url).status_code == 200
    later = timezone.now() + dt.timedelta(minutes=settings.BREAK_GLASS_MINUTES, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert client.get(url).status_code == 404
        assert ask(client, patient).status_code == 302  # a new emergency needs a new grant
        assert client.get(url).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=later + dt.timedelta(minutes=6)):
        assert patient not in patients_visible_to(counselor)
        assert access_basis(counselor, patient) is None


def test_access_ends_when_expires_at_passes(counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
    grant.save()
    assert verified_client(counselor).get(
        reverse("chart:chart", args=[patient.pk])
    ).status_code == (404)


@pytest.mark.parametrize("role", [Role.CONTENT_EDITOR, Role.ADMINISTRATOR, Role.MEDICAL_REVIEWER])
def test_roles_without_break_glass_get_403(role, patient):
    user = make_staff(role)
    client = verified_client(user)
    assert client.get(reverse("privacy:break_glass")).status_code == 403
    response = ask(client, patient)
    assert response.status_code == 403
    assert patient.mrn not in response.content.decode()
    assert not BreakGlassGrant.objects.exists()
    with pytest.raises(Forbidden, match=ERROR_NOT_PERMITTED):
        break_glass_grant(user=user, patient=patient, reason=REASON)


def test_review_list_and_review(director, counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    client = verified_client(director)
    listing = client.get(reverse("privacy:review_list"))
    assert listing.status_code == 200
    assert listing.context["rows"] == [(grant, 0)]
    assert REASON in listing.content.decode()
    mark = audit_mark()
    response = client.post(
        reverse("privacy:review", args=[grant.pk]), {"note": "Justified: seizure"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.reviewed_by, grant.review_note) == (director, "Justified: seizure")
    assert grant.reviewed_at is not None
    reviewed = events_since(mark, action=Action.BREAK_GLASS_REVIEWED)
    assert [(e.actor_id, e.patient_id, e.object_id) for e in reviewed] == [
        (director.pk, patient.pk, str(grant.pk))
    ]
    assert client.get(reverse("privacy:review_list")).context["rows"] == []


def test_review_needs_a_note_and_happens_once(director, counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    client = verified_client(director)
    client.post(reverse("privacy:review", args=[grant.pk]), {"note": "   "})
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    break_glass_review(reviewer=director, grant=grant, note="Fine")
    with pytest.raises(StateConflict, match=ERROR_ALREADY_REVIEWED):
        break_glass_review(reviewer=director, grant=grant, note="Again")


def test_administrator_may_review(administrator, counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    assert verified_client(administrator).get(reverse("privacy:review_list")).status_code == 200
    break_glass_review(reviewer=administrator, grant=grant, note="Checked")


@pytest.mark.parametrize("role", [Role.COUNSELOR, Role.NURSE, Role.CONTENT_EDITOR])
def test_others_cannot_review(role, counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    user = make_staff(role)
    client = verified_client(user)
    assert client.get(reverse("privacy:review_list")).status_code == 403
    assert client.post(reverse("privacy:review", args=[grant.pk]), {"note": "x"}).status_code == 403
    with pytest.raises(Forbidden, match=ERROR_NOT_PERMITTED):
        break_glass_review(reviewer=user, grant=grant, note="Self-approved")
    grant.refresh_from_db()
    assert grant.reviewed_at is None


def test_review_of_unknown_grant_is_404(director):
    response = verified_client(director).post(
        reverse("privacy:review", args=[424242]), {"note": "x"}
    )
    assert response.status_code == 404


def test_a_director_cannot_review_their_own_emergency_access(director, administrator, patient):
    grant = break_glass_grant(user=director, patient=patient, reason=REASON)
    client = verified_client(director)
    listing = client.get(reverse("privacy:review_list")).content.decode()
    assert "Your own: another reviewer records it." in listing
    assert reverse("privacy:review", args=[grant.pk]) not in listing
    response = client.post(reverse("privacy:review", args=[grant.pk]), {"note": "All fine"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    with pytest.raises(Forbidden, match=ERROR_OWN_GRANT):
        break_glass_review(reviewer=director, grant=grant, note="All fine")
    break_glass_review(reviewer=administrator, grant=grant, note="Checked by someone else")
    grant.refresh_from_db()
    assert grant.reviewed_by == administrator


def test_care_team_changes_under_break_glass_are_refused_and_flagged(director, counselor):
    """The attack: during a grant, a physician added themselves and a nurse to the team and
    both kept the chart after the grant expired."""
    patient = make_patient(actor=director, stage=Stage.TREATMENT, team=[counselor])
    physician = make_staff(Role.PHYSICIAN, "dr-emergency")
    nurse = make_staff(Role.NURSE, "nurse-emergency")
    grant = break_glass_grant(user=physician, patient=patient, reason=REASON)
    client = verified_client(physician)
    add = reverse("chart:care_team_add", args=[patient.pk])
    for member, team_role in ((physician, "attending_physician"), (nurse, "primary_nurse")):
        response = client.post(add, {"user": member.pk, "team_role": team_role})
        assert response.status_code == 422
        assert ERROR_TEAM_UNDER_BREAK_GLASS in response.content.decode()
    assert not CareTeamMember.objects.filter(patient=patient, user__in=[physician, nurse]).exists()
    existing = CareTeamMember.objects.get(patient=patient, user=counselor, active=True)
    client.post(reverse("chart:care_team_remove", args=[patient.pk, existing.pk]))
    assert CareTeamMember.objects.get(pk=existing.pk).active
    refused = AuditEvent.objects.filter(
        object_type="break_glass_grant", object_id=str(grant.pk), outcome=Outcome.DENIED
    )
    assert refused.count() == 3
    assert all(e.flagged and e.patient_id == patient.pk for e in refused)
    # The review shows what was refused under the grant.
    review = verified_client(director).get(reverse("privacy:review_list")).content.decode()
    assert "Refused while in use: 3 care-team changes" in review
    # When the grant expires, nobody kept access.
    BreakGlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now())
    assert access_basis(physician, patient) is None
    assert access_basis(nurse, patient) is None


def test_members_with_standing_access_still_change_the_team(director, patient):
    nurse = make_staff(Role.NURSE, "nurse-joining")
    member = care_team_member_add(
        actor=director, patient=patient, user=nurse, team_role="primary_nurse"
    )
    assert member.active
    care_team_member_remove(actor=director, member=member)
    assert not CareTeamMember.objects.get(pk=member.pk).active


def test_the_review_list_is_audited_with_the_patients_it_showed(director, counselor, patient):
    break_glass_grant(user=counselor, patient=patient, reason=REASON)
    mark = audit_mark()
    verified_client(director).get(reverse("privacy:review_list"))
    [viewed] = events_since(mark, object_type="break_glass_review_list")
    assert (viewed.actor_id, viewed.detail) == (director.pk, {"patients": [patient.pk]})


def test_reviewing_twice_says_it_was_done(director, counselor, patient):
    grant = break_glass_grant(user=counselor, patient=patient, reason=REASON)
    client = verified_client(director)
    url = reverse("privacy:review", args=[grant.pk])
    assert client.post(url, {"note": "Justified"}).status_code == 302
    response = client.post(url, {"note": "Again"}, follow=True)
    assert ERROR_ALREADY_REVIEWED in response.content.decode()
    grant.refresh_from_db()
    assert grant.review_note == "Justified"
