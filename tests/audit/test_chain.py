"""The HMAC chain: what the MAC covers, and that its key lives outside the database."""

import datetime as dt

from django.core.management import CommandError, call_command
from django.test import override_settings

from openrecovery.audit.chain import audit_key, compute_mac, genesis_mac
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.verification import ALTERED, _fields, audit_verify


def test_mac_covers_fields_id_and_place_in_the_lane(lane_events):
    first, second = lane_events(2)
    position = {
        "event_id": second.id,
        "lane": second.lane,
        "lane_seq": second.lane_seq,
        "prev_id": first.id,
        "prev_mac": first.mac,
    }
    assert compute_mac(_fields(second), **position) == second.mac
    for change in (
        {"lane_seq": second.lane_seq + 1},
        {"prev_id": first.id - 1},
        {"prev_mac": genesis_mac(second.lane)},
        {"lane": second.lane + 1},
        {"event_id": second.id + 1},
        {"event_id": None},
    ):
        assert compute_mac(_fields(second), **(position | change)) != second.mac


def test_events_are_stamped_in_utc(lane_events):
    event = AuditEvent.objects.get(pk=lane_events(1)[0].pk)
    assert event.occurred_at.utcoffset() == dt.timedelta(0)


def test_key_comes_from_settings_not_the_database(settings):
    settings.AUDIT_HMAC_KEY = "an entirely different key for this test only"
    audit_key.cache_clear()
    assert audit_key() == b"an entirely different key for this test only"


def test_key_file_is_used_when_no_key_is_set(settings, tmp_path):
    settings.AUDIT_HMAC_KEY = ""
    settings.AUDIT_KEY_FILE = str(tmp_path / "keys" / "audit.key")
    audit_key.cache_clear()
    key = audit_key()
    assert len(key) == 64
    assert (tmp_path / "keys" / "audit.key").stat().st_mode & 0o777 == 0o600
    audit_key.cache_clear()
    assert audit_key() == key  # the same file, the same key


def test_verification_with_a_different_key_fails(lane_events):
    events = lane_events(3, lane=1)
    assert audit_verify().ok
    with override_settings(AUDIT_HMAC_KEY="someone else's key, not ours, 0123456789"):
        audit_key.cache_clear()
        report = audit_verify()
        try:
            call_command("verify_audit")
        except CommandError:
            failed = True
        else:
            failed = False
    audit_key.cache_clear()
    assert failed
    assert not report.ok
    assert report.first.kind == ALTERED
    assert report.first.seq <= events[0].id
    assert audit_verify().ok
