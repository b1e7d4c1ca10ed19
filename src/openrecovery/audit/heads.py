"""Lane heads exported outside the database, so a rewound lane cannot pass verification.

The chain alone cannot see one attack: with the triggers removed, delete a lane's
newest events and wind its head back to the last event left. Every MAC still matches.
An export of the heads kept elsewhere (write-once storage, another machine), taken on
a schedule, records how far each lane had grown; ``verify_audit --heads FILE`` then
requires each lane to reach at least that far, through the very event the export saw.

The export carries its own HMAC (the audit key), so an edited export is refused.
"""

import hashlib
import hmac
import json
from typing import Any

from django.utils import timezone

from .chain import audit_key
from .models import AuditEvent, AuditLane
from .verification import DELETED, ChainProblem

FORMAT = "openrecovery-audit-heads/1"
ERROR_FORMAT = "This is not an audit heads export (format {found!r})."
ERROR_MAC = "The heads export was altered or made with another key: its MAC does not match."


class HeadsExportInvalid(ValueError):
    """The file is not a heads export, or its MAC does not match."""


def _mac(lanes: list[dict[str, Any]], exported_at: str) -> str:
    body = json.dumps({"exported_at": exported_at, "lanes": lanes}, sort_keys=True).encode()
    return hmac.new(audit_key(), body, hashlib.sha256).hexdigest()


def heads_export() -> dict[str, Any]:
    """Return every lane head now, with the time and an HMAC over both."""
    lanes = [
        {"lane": lane, "last_seq": seq, "last_id": last_id, "last_mac": mac}
        for lane, seq, last_id, mac in AuditLane.objects.order_by("lane").values_list(
            "lane", "last_seq", "last_id", "last_mac"
        )
    ]
    exported_at = timezone.now().isoformat(timespec="seconds")
    return {
        "format": FORMAT,
        "exported_at": exported_at,
        "lanes": lanes,
        "mac": _mac(lanes, exported_at),
    }


def heads_load(text: str) -> dict[str, Any]:
    """Parse an export and check its MAC; raise HeadsExportInvalid if either fails."""
    try:
        export = json.loads(text)
        found = export.get("format")
    except (ValueError, AttributeError) as exc:
        raise HeadsExportInvalid(ERROR_FORMAT.format(found=None)) from exc
    if found != FORMAT:
        raise HeadsExportInvalid(ERROR_FORMAT.format(found=found))
    expected = _mac(export.get("lanes", []), export.get("exported_at", ""))
    if not hmac.compare_digest(expected, str(export.get("mac", ""))):
        raise HeadsExportInvalid(ERROR_MAC)
    return export


def heads_check(export: dict[str, Any]) -> list[ChainProblem]:
    """Return a problem for each lane that is shorter now than the export saw it.

    A lane passes when the event at the exported position is still there, with the
    exported id and MAC (the chain walk proves everything before and after it).
    """
    problems = []
    seen_at = export["exported_at"]
    for head in export["lanes"]:
        lane, seq, last_id = head["lane"], head["last_seq"], head["last_id"]
        if not seq:
            continue
        event = AuditEvent.objects.filter(lane=lane, lane_seq=seq).values("id", "mac").first()
        if event is None or event["id"] != last_id or event["mac"] != head["last_mac"]:
            problems.append(
                ChainProblem(
                    last_id or 0,
                    DELETED,
                    lane,
                    f"the lane was wound back: the heads export of {seen_at} saw it reach "
                    f"position {seq} (#{last_id}), which is gone or replaced",
                )
            )
    return problems
