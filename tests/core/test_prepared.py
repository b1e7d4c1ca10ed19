"""A prepared query returns what its queryset returns, and builds its SQL once."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from openrecovery.accounts.models import User
from openrecovery.core.prepared import PreparedQuery
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient, TimelineEvent
from tests.support.factories import make_patient

pytestmark = pytest.mark.django_db


def _team(patient_id):
    return (
        CareTeamMember.objects.filter(patient_id=patient_id, active=True)
        .select_related("user")
        .only("patient_id", "team_role", "active", *User.name_fields("user"))
        .order_by("team_role")
    )


def test_instances_with_related_rows_and_deferred_fields(director, counselor):
    patient = make_patient(actor=director, team=[counselor, director])
    prepared = PreparedQuery(_team)
    expected = list(_team(patient.pk))
    with CaptureQueriesContext(connection) as captured:
        found = prepared.fetch(patient_id=patient.pk)
        names = [str(m.user) for m in found]  # the users came with the rows
    assert len(captured.captured_queries) == 1
    assert [(m.pk, m.team_role, m.user_id) for m in found] == [
        (m.pk, m.team_role, m.user_id) for m in expected
    ]
    assert names == [str(m.user) for m in expected]
    assert found[0].get_deferred_fields() == expected[0].get_deferred_fields()
    assert found[0]._state.db == "default" and not found[0]._state.adding


def test_annotations_and_converters(director, counselor, nurse):
    patient = make_patient(actor=director, team=[counselor])

    def build(patient_id, user_id):
        on_team = CareTeamMember.objects.filter(patient=OuterRef("pk"), user_id=user_id)
        return Patient.objects.filter(pk=patient_id).annotate(on=Exists(on_team)).order_by("pk")

    prepared = PreparedQuery(build)
    (mine,) = prepared.fetch(patient_id=patient.pk, user_id=counselor.pk)
    (theirs,) = prepared.fetch(patient_id=patient.pk, user_id=nurse.pk)
    assert mine.on is True and theirs.on is False  # converted to booleans, not 1 / 0
    assert mine.date_of_birth == patient.date_of_birth  # a date, not a string
    assert mine.created_at == Patient.objects.get(pk=patient.pk).created_at  # aware datetime


def test_values_list_tuples(director):
    patient = make_patient(actor=director)

    def build(patient_id):
        return (
            TimelineEvent.objects.filter(patient_id=patient_id)
            .order_by("-occurred_at", "-id")
            .values_list("pk", "kind", "occurred_at", "actor__username")
        )

    assert PreparedQuery(build).fetch(patient_id=patient.pk) == list(build(patient.pk))
    assert PreparedQuery(build).fetch(patient_id=patient.pk + 1000) == []


@override_settings(PREPARED_QUERY_CHECK=False)
def test_the_queryset_is_built_once_per_connection(director):
    patient = make_patient(actor=director)
    builds = []

    def build(patient_id):
        builds.append(patient_id)
        return EpisodeOfCare.objects.filter(patient_id=patient_id).order_by("-started_at")

    prepared = PreparedQuery(build)
    for _ in range(3):
        assert [e.pk for e in prepared.fetch(patient_id=patient.pk)] == [
            e.pk for e in EpisodeOfCare.objects.filter(patient=patient)
        ]
    assert len(builds) == 1

    def other_thread():  # another thread has its own connection, so its own compiler
        try:
            prepared.fetch(patient_id=patient.pk)
        except Exception:  # noqa: BLE001, S110 (its test database may not be reachable)
            pass

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert len(builds) == 2
    prepared.fetch(patient_id=patient.pk)
    assert len(builds) == 2


def test_the_check_catches_a_builder_that_reads_something_else(director):
    patient = make_patient(actor=director)
    status = ["assessment"]

    def build(patient_id):  # wrong: the stage is frozen into the prepared SQL
        return EpisodeOfCare.objects.filter(patient_id=patient_id, stage=status[0])

    prepared = PreparedQuery(build)
    prepared.fetch(patient_id=patient.pk)
    status[0] = "treatment"
    with pytest.raises(AssertionError, match="other SQL than its queryset builds"):
        prepared.fetch(patient_id=patient.pk)


def test_a_moment_is_a_parameter_on_every_backend(director):
    patient = make_patient(actor=director)
    created = Patient.objects.get(pk=patient.pk).created_at

    def build(patient_id, since):
        return Patient.objects.filter(pk=patient_id, created_at__gte=since).order_by("pk")

    prepared = PreparedQuery(build, since=dt.datetime)
    before, after = created - dt.timedelta(seconds=1), created + dt.timedelta(microseconds=1)
    assert [p.pk for p in prepared.fetch(patient_id=patient.pk, since=before)] == [patient.pk]
    assert prepared.fetch(patient_id=patient.pk, since=after) == []
    # The same moment in another zone is the same moment.
    other = created.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    assert [p.pk for p in prepared.fetch(patient_id=patient.pk, since=other)] == [patient.pk]
    with pytest.raises(TypeError, match="aware datetime"):
        prepared.fetch(patient_id=patient.pk, since=before.replace(tzinfo=None))
    with pytest.raises(TypeError, match="must be datetime"):
        prepared.fetch(patient_id=patient.pk, since="2026-01-01")


def test_parameters_that_cannot_be_prepared():
    rewritten = PreparedQuery(
        lambda name: Patient.objects.filter(search_family__startswith=name), name=str
    )
    with pytest.raises(TypeError, match="must appear, unchanged"):
        rewritten.fetch(name="smi")
    prepared = PreparedQuery(lambda patient_id: Patient.objects.filter(pk=patient_id))
    with pytest.raises(TypeError, match="must be int"):
        prepared.fetch(patient_id="1")
    with pytest.raises(TypeError, match="expected parameters"):
        prepared.fetch(pk=1)
    with pytest.raises(TypeError, match="model instances or values_list"):
        PreparedQuery(lambda patient_id: Patient.objects.filter(pk=patient_id).values()).fetch(
            patient_id=1
        )
    with pytest.raises(TypeError, match="cannot prefetch"):
        PreparedQuery(
            lambda patient_id: Patient.objects.filter(pk=patient_id).prefetch_related("care_team")
        ).fetch(patient_id=1)
