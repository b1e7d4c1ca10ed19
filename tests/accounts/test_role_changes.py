"""Nobody changes their own role; a role that opens more patients needs a second person.

The attack a security review found: an administrator changed their own role to clinical
director and could open every chart.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.accounts.models import RoleChange, User
from openrecovery.accounts.roles import Role, role_adds_patient_access
from openrecovery.accounts.services import (
    ERROR_APPROVER,
    ERROR_DECIDED,
    ERROR_OWN_ROLE,
    role_change_decide,
    staff_set_role,
)
from openrecovery.audit.choices import Action, Outcome
from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden, StateConflict
from openrecovery.records.choices import Stage
from tests.support.factories import make_patient, make_staff, verified_client


@pytest.fixture
def admin(db):
    return make_staff(Role.ADMINISTRATOR, "admin-one")


@pytest.fixture
def second_admin(db):
    return make_staff(Role.ADMINISTRATOR, "admin-two")


def role_events(user: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(action=Action.PERMISSION_CHANGE, object_id=str(user.pk)).order_by(
            "id"
        )
    )


def test_an_administrator_cannot_make_themselves_clinical_director(admin, director):
    patient = make_patient(actor=director, stage=Stage.TREATMENT, family="Outofreach")
    client = verified_client(admin)
    response = client.post(
        reverse("accounts:staff_change", args=[admin.pk]),
        {"role": Role.CLINICAL_DIRECTOR},
        follow=True,
    )
    assert ERROR_OWN_ROLE in response.content.decode()
    assert User.objects.get(pk=admin.pk).role == Role.ADMINISTRATOR
    assert client.get(reverse("chart:chart", args=[patient.pk])).status_code in (403, 404)
    with pytest.raises(ValidationError, match="own role"):
        staff_set_role(actor=admin, user=admin, role=Role.COUNSELOR)
    assert not role_events(admin)[1:]  # only the role given at creation


def test_the_staff_page_offers_no_role_change_for_oneself(admin):
    page = verified_client(admin).get(reverse("accounts:staff_list")).content.decode()
    assert (
        reverse("accounts:staff_change", args=[admin.pk]) not in page.split("(your own)")[0][-400:]
    )
    assert "(your own)" in page


def test_a_role_that_opens_more_patients_waits_for_a_second_person(admin, second_admin, counselor):
    client = verified_client(admin)
    response = client.post(
        reverse("accounts:staff_change", args=[counselor.pk]),
        {"role": Role.CLINICAL_DIRECTOR},
        follow=True,
    )
    assert "waits for another administrator or the clinical director" in response.content.decode()
    assert User.objects.get(pk=counselor.pk).role == Role.COUNSELOR
    change = RoleChange.objects.get(user=counselor)
    assert (change.status, change.role_from, change.role_to, change.requested_by) == (
        "pending",
        Role.COUNSELOR,
        Role.CLINICAL_DIRECTOR,
        admin,
    )
    requested = role_events(counselor)[-1]
    assert requested.flagged
    assert requested.detail["status"] == "requested"
    assert (
        "Awaiting approval: Clinical director"
        in client.get(reverse("accounts:staff_list")).content.decode()
    )

    # The one who asked cannot approve it.
    with pytest.raises(Forbidden, match="second person"):
        role_change_decide(actor=admin, change_id=change.pk, approve=True)
    # Another administrator can, from the approvals page.
    approver = verified_client(second_admin)
    listing = approver.get(reverse("accounts:role_changes")).content.decode()
    assert counselor.username in listing and "Approve" in listing
    approver.post(
        reverse("accounts:role_change_decision", args=[change.pk]), {"decision": "approve"}
    )
    assert User.objects.get(pk=counselor.pk).role == Role.CLINICAL_DIRECTOR
    approved = role_events(counselor)[-1]
    assert (approved.actor_id, approved.flagged, approved.detail["status"]) == (
        second_admin.pk,
        True,
        "approved",
    )
    assert approved.detail["requested_by"] == admin.pk
    with pytest.raises(StateConflict, match=ERROR_DECIDED):
        role_change_decide(actor=second_admin, change_id=change.pk, approve=False)


def test_the_director_may_approve_or_reject_but_not_for_themselves(admin, director, nurse):
    change = staff_set_role(actor=admin, user=nurse, role=Role.CLINICAL_DIRECTOR)
    assert change is not None
    verified_client(director).post(
        reverse("accounts:role_change_decision", args=[change.pk]), {"decision": "reject"}
    )
    change.refresh_from_db()
    assert (change.status, change.decided_by) == ("rejected", director)
    assert User.objects.get(pk=nurse.pk).role == Role.NURSE
    rejected = role_events(nurse)[-1]
    assert (rejected.flagged, rejected.outcome, rejected.detail["status"]) == (
        True,
        Outcome.DENIED,
        "rejected",
    )
    # A change for the director is decided by someone else.
    own = staff_set_role(actor=admin, user=director, role=Role.PHYSICIAN)
    assert own is None  # physician opens no stage or data the director lacks: applied at once
    demoted = User.objects.get(pk=director.pk)
    back = staff_set_role(actor=admin, user=demoted, role=Role.CLINICAL_DIRECTOR)
    with pytest.raises(Forbidden):
        role_change_decide(actor=demoted, change_id=back.pk, approve=True)  # no longer may approve


def test_others_cannot_open_or_decide_role_changes(admin, counselor, nurse):
    change = staff_set_role(actor=admin, user=nurse, role=Role.CLINICAL_DIRECTOR)
    client = verified_client(counselor)
    assert client.get(reverse("accounts:role_changes")).status_code == 403
    response = client.post(
        reverse("accounts:role_change_decision", args=[change.pk]), {"decision": "approve"}
    )
    assert response.status_code == 403
    assert RoleChange.objects.get(pk=change.pk).status == "pending"
    with pytest.raises(Forbidden, match=ERROR_APPROVER):
        role_change_decide(actor=counselor, change_id=change.pk, approve=True)


def test_a_newer_request_replaces_the_pending_one(admin, nurse):
    first = staff_set_role(actor=admin, user=nurse, role=Role.CLINICAL_DIRECTOR)
    second = staff_set_role(actor=admin, user=nurse, role=Role.ADMISSIONS_COORDINATOR)
    assert RoleChange.objects.get(pk=first.pk).status == "rejected"
    assert RoleChange.objects.get(pk=second.pk).status == "pending"


@pytest.mark.parametrize(
    ("old", "new", "wider"),
    [
        (Role.ADMINISTRATOR, Role.CLINICAL_DIRECTOR, True),
        (Role.COUNSELOR, Role.NURSE, True),  # withdrawal management coverage
        (Role.CONTENT_EDITOR, Role.COUNSELOR, True),
        ("", Role.NURSE, True),
        (Role.COUNSELOR, Role.ADMINISTRATOR, True),  # the audit report names patients
        (Role.NURSE, Role.PHYSICIAN, False),
        (Role.CLINICAL_DIRECTOR, Role.COUNSELOR, False),
        (Role.COUNSELOR, Role.CONTENT_EDITOR, False),
    ],
)
def test_which_changes_open_more_patients(old, new, wider):
    assert role_adds_patient_access(old, new) is wider


def test_a_change_that_opens_nothing_more_applies_at_once_unflagged(admin, nurse):
    assert staff_set_role(actor=admin, user=nurse, role=Role.PHYSICIAN) is None
    assert User.objects.get(pk=nurse.pk).role == Role.PHYSICIAN
    event = role_events(nurse)[-1]
    assert (event.flagged, event.detail) == (False, {"from": Role.NURSE, "to": Role.PHYSICIAN})
