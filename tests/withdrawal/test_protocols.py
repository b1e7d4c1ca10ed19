"""Protocols are versioned data: the shipped default, revisions, and what each judgement keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openrecovery.audit.models import AuditEvent
from openrecovery.core.errors import Forbidden
from openrecovery.instruments.definitions.ciwab import CIWAB
from openrecovery.withdrawal.models import CiwabJudgement, WithdrawalProtocol
from openrecovery.withdrawal.protocols import BAND_CODES, protocol_validate
from openrecovery.withdrawal.services import protocol_current, protocol_revise
from tests.support.factories import verified_client
from tests.support.withdrawal import ciwab_record

pytestmark = pytest.mark.django_db

INTERVALS = {"none": 480, "mild": 240, "moderate": 120, "severe": 60, "very_severe": 60}


def test_the_shipped_default_is_version_1():
    protocol = protocol_current()
    assert protocol.version == 1 and protocol.created_by is None
    assert protocol.intervals == INTERVALS
    assert protocol.prn_reassess_minutes == 60
    assert protocol.rise_threshold == 10 and protocol.reescalate_minutes == 15
    assert "Busto" in protocol.sources and "J Gen Intern Med 2025" in protocol.sources
    assert "NEWS2" in protocol.sources or "National Early Warning Score 2" in protocol.sources
    assert protocol.instrument_version == CIWAB.version


def test_the_bands_are_the_instruments():
    assert BAND_CODES == tuple(b.code for b in CIWAB.bands)
    assert set(protocol_current().intervals) == set(BAND_CODES)


def test_a_revision_is_a_new_version_and_the_old_one_stays(director):
    first = protocol_current()
    second = protocol_revise(
        actor=director, reason="Moderate every 90 minutes", intervals={**INTERVALS, "moderate": 90}
    )
    assert second.version == 2 and protocol_current() == second
    assert (
        second.intervals["moderate"] == 90 and second.change_reason == "Moderate every 90 minutes"
    )
    first.refresh_from_db()
    assert first.intervals == INTERVALS
    event = AuditEvent.objects.filter(object_type="withdrawal_protocol").get()
    assert event.detail == {"version": 2, "previous": 1} and event.actor_id == director.pk


def test_each_judgement_keeps_the_version_it_was_judged_under(patient, nurse, director):
    before = ciwab_record(patient, nurse, total=25).administration
    protocol_revise(actor=director, reason="Faster", intervals={**INTERVALS, "moderate": 60})
    after = ciwab_record(patient, nurse, total=25).administration
    old = CiwabJudgement.objects.get(administration=before)
    new = CiwabJudgement.objects.get(administration=after)
    assert (old.protocol.version, new.protocol.version) == (1, 2)
    assert (old.next_due_at - old.administered_at).total_seconds() == 7200
    assert (new.next_due_at - new.administered_at).total_seconds() == 3600


def test_only_a_clinical_director_revises(nurse, physician):
    for user in (nurse, physician):
        with pytest.raises(Forbidden):
            protocol_revise(actor=user, reason="no", rise_threshold=5)
    assert WithdrawalProtocol.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"intervals": {"none": 480, "mild": 240}},
        {"intervals": {**INTERVALS, "severe": 5}},
        {"intervals": {**INTERVALS, "severe": 300}},  # severe waits longer than moderate
        {"rise_threshold": 0},
        {"rise_threshold": True},
        {"reescalate_minutes": 0},
        {"prn_reassess_minutes": 600},
    ],
)
def test_unusable_settings_are_refused(director, changes):
    with pytest.raises(ValidationError):
        protocol_revise(actor=director, reason="try", **changes)
    assert WithdrawalProtocol.objects.count() == 1


def test_limits_must_be_plausible_and_ordered():
    limits = {k: dict(v) for k, v in protocol_current().vital_limits.items()}
    limits["spo2"] = {"low": 95, "high": 90}
    with pytest.raises(ValidationError) as refused:
        protocol_validate(
            intervals=INTERVALS,
            vital_limits=limits,
            rise_threshold=10,
            reescalate_minutes=15,
            prn_reassess_minutes=60,
        )
    assert "SpO2" in refused.value.message_dict["vital_limits"][0]


def test_a_reason_is_required(director):
    with pytest.raises(ValidationError) as refused:
        protocol_revise(actor=director, reason="  ", rise_threshold=5)
    assert "change_reason" in refused.value.message_dict


def _form_data(**changes):
    protocol = protocol_current()
    data = {
        "rise_threshold": protocol.rise_threshold,
        "reescalate_minutes": protocol.reescalate_minutes,
        "prn_reassess_minutes": protocol.prn_reassess_minutes,
        "change_reason": "Night shift asked for it",
    }
    for band, minutes in protocol.intervals.items():
        data[f"interval_{band}"] = minutes
    for sign, limit in protocol.vital_limits.items():
        data[f"limit_{sign}_low"], data[f"limit_{sign}_high"] = limit["low"], limit["high"]
    data.update(changes)
    return data


def test_the_page_lets_a_director_save_a_new_version(director):
    client = verified_client(director)
    page = client.get(reverse("withdrawal:protocol")).content.decode()
    assert "Save version 2" in page and "480 minutes" in page
    response = client.post(reverse("withdrawal:protocol"), _form_data(rise_threshold=8))
    assert response.status_code == 302
    current = protocol_current()
    assert current.version == 2 and current.rise_threshold == 8
    assert current.vital_limits["temperature"] == {"low": 35.1, "high": 38.0}


def test_the_page_shows_a_refusal(director):
    response = verified_client(director).post(
        reverse("withdrawal:protocol"), _form_data(interval_severe=300)
    )
    assert response.status_code == 422
    assert "may not wait longer" in response.content.decode()
    assert protocol_current().version == 1


def test_other_roles_read_the_protocol_but_may_not_change_it(nurse):
    client = verified_client(nurse)
    page = client.get(reverse("withdrawal:protocol")).content.decode()
    assert "Save version" not in page and "Sources" in page
    assert client.post(reverse("withdrawal:protocol"), _form_data()).status_code == 403
