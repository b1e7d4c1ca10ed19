"""An export of the lane heads, kept outside the database, catches a lane wound back.

The attack the chain alone cannot see: with the triggers removed, delete a lane's
newest events and move its head back to the last event left. Every MAC still matches;
only a record of how far the lane had grown, taken earlier, shows what is missing.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from openrecovery.audit.heads import ERROR_MAC, FORMAT, heads_check, heads_export
from openrecovery.audit.verification import DELETED, audit_verify
from tests.support.audit import raw_sql, triggers_removed


def export_to(path: Path) -> Path:
    err = io.StringIO()
    call_command("export_audit_heads", "--output", str(path), stderr=err)
    assert "Wrote the audit lane heads" in err.getvalue()
    return path


def verify_with_heads(path: Path) -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", "--all", "--heads", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue()


def wind_back(lane: int, keep: int) -> None:
    """Delete the lane's events after position ``keep`` and move its head back to it."""
    with triggers_removed():
        raw_sql("DELETE FROM audit_event WHERE lane = %s AND lane_seq > %s", [lane, keep])
        raw_sql(
            "UPDATE audit_lane SET last_seq = %s, "
            "last_id = (SELECT id FROM audit_event WHERE lane = %s AND lane_seq = %s), "
            "last_mac = (SELECT mac FROM audit_event WHERE lane = %s AND lane_seq = %s) "
            "WHERE lane = %s",
            [keep, lane, keep, lane, keep, lane],
        )


def test_the_export_lists_every_lane_head_with_an_hmac(lane_events):
    events = lane_events(3, lane=11)
    export = heads_export()
    assert export["format"] == FORMAT
    head = next(h for h in export["lanes"] if h["lane"] == 11)
    assert head == {"lane": 11, "last_seq": 3, "last_id": events[-1].id, "last_mac": events[-1].mac}
    assert len(export["mac"]) == 64


def test_the_command_prints_the_export_without_output(lane_events):
    lane_events(1, lane=12)
    out = io.StringIO()
    call_command("export_audit_heads", stdout=out)
    assert json.loads(out.getvalue())["format"] == FORMAT


def test_a_lane_wound_back_passes_the_chain_but_fails_against_the_export(lane_events, tmp_path):
    events = lane_events(5, lane=13)
    saved = export_to(tmp_path / "heads.json")
    lane_events(2, lane=13)  # the lane keeps growing after the export: that is fine
    assert verify_with_heads(saved)[0]

    wind_back(13, keep=3)
    assert audit_verify().ok  # the gap ADR 0001 names: the chain alone cannot tell
    passed, output = verify_with_heads(saved)
    assert not passed
    assert f"FAIL: first problem at sequence number {events[4].id} ({DELETED})" in output
    assert "wound back" in output


def test_a_replaced_exported_event_fails_too(lane_events, tmp_path):
    lane_events(3, lane=14)
    export = heads_export()
    wind_back(14, keep=2)
    lane_events(1, lane=14)  # a new event takes the exported position with another MAC
    problems = heads_check(export)
    assert [(p.kind, p.lane) for p in problems] == [(DELETED, 14)]


def test_an_edited_export_is_refused(lane_events, tmp_path):
    lane_events(3, lane=15)
    path = export_to(tmp_path / "heads.json")
    export = json.loads(path.read_text())
    next(h for h in export["lanes"] if h["lane"] == 15)["last_seq"] = 1
    path.write_text(json.dumps(export))
    with pytest.raises(CommandError, match="MAC does not match"):
        call_command("verify_audit", "--heads", str(path), stdout=io.StringIO())
    assert "MAC does not match" in ERROR_MAC


@pytest.mark.parametrize("content", ["not json", '{"format": "other"}', "[]"])
def test_a_file_that_is_no_export_is_refused(db, tmp_path, content):
    path = tmp_path / "heads.json"
    path.write_text(content)
    with pytest.raises(CommandError, match="not an audit heads export"):
        call_command("verify_audit", "--heads", str(path), stdout=io.StringIO())
