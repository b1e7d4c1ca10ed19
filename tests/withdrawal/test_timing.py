"""Due and overdue around midnight and daylight-saving changes, in the program's time zone."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from openrecovery.withdrawal.protocols import DEFAULT_INTERVALS, is_overdue, next_due
from openrecovery.withdrawal.timing import (
    NEVER_ASSESSED,
    age_words,
    clock_words,
    due_words,
    duration_words,
    elapsed,
)

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _new_york(settings):
    settings.TIME_ZONE = "America/New_York"
    with timezone.override(NEW_YORK):
        yield


def local(*args, fold=0):
    return dt.datetime(*args, tzinfo=NEW_YORK, fold=fold)


def test_durations_in_words():
    assert duration_words(dt.timedelta(minutes=45, seconds=59)) == "45 min"
    assert duration_words(dt.timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert duration_words(dt.timedelta(hours=3)) == "3 h"
    assert duration_words(dt.timedelta(days=1, hours=3)) == "1 d 3 h"
    assert duration_words(dt.timedelta(seconds=-5)) == "0 min"


def test_a_mild_score_late_in_the_evening_is_due_after_midnight():
    given = local(2026, 12, 2, 22, 30)
    due = next_due(given, "mild", DEFAULT_INTERVALS)
    assert timezone.localtime(due) == local(2026, 12, 3, 2, 30)
    assert due_words(due, local(2026, 12, 2, 23, 50)) == "Due in 2 h 40 min (02:30 tomorrow)"
    assert not is_overdue(due, local(2026, 12, 3, 2, 29))
    assert is_overdue(due, local(2026, 12, 3, 2, 30))
    assert due_words(due, local(2026, 12, 3, 2, 45)) == "Overdue by 15 min (due 02:30)"


def test_an_overdue_assessment_from_before_midnight_says_yesterday():
    due = local(2026, 12, 2, 23, 40)
    assert due_words(due, local(2026, 12, 3, 0, 10)) == "Overdue by 30 min (due 23:40 yesterday)"


def test_spring_forward_the_hour_is_an_hour_of_elapsed_time():
    # 2026-03-08: clocks in New York go from 02:00 EST to 03:00 EDT.
    given = local(2026, 3, 8, 1, 30)  # EST
    due = next_due(given, "severe", DEFAULT_INTERVALS)
    assert elapsed(given, due) == dt.timedelta(hours=1)
    assert timezone.localtime(due) == local(2026, 3, 8, 3, 30)  # the wall clock jumps
    assert due_words(due, given) == "Due in 1 h (03:30)"
    in_utc = given.astimezone(dt.UTC)
    assert not is_overdue(due, in_utc + dt.timedelta(minutes=59))
    assert is_overdue(due, in_utc + dt.timedelta(minutes=60))


def test_fall_back_the_hour_is_an_hour_of_elapsed_time():
    # 2026-11-01: clocks go from 02:00 EDT back to 01:00 EST; 01:30 happens twice.
    given = local(2026, 11, 1, 1, 30, fold=0)  # the first 01:30 (EDT)
    due = next_due(given, "very_severe", DEFAULT_INTERVALS)
    assert elapsed(given, due) == dt.timedelta(hours=1)
    shown = timezone.localtime(due)
    assert (shown.hour, shown.minute, shown.utcoffset()) == (1, 30, dt.timedelta(hours=-5))
    in_utc = given.astimezone(dt.UTC)
    assert due_words(due, in_utc + dt.timedelta(minutes=20)) == "Due in 40 min (01:30)"
    assert not is_overdue(due, in_utc + dt.timedelta(minutes=59))
    assert is_overdue(due, in_utc + dt.timedelta(hours=1))
    # The wall clock says 01:30 both times: compared by it, the second would not be late.
    assert is_overdue(due, local(2026, 11, 1, 1, 30, fold=1))


def test_times_in_one_local_zone_are_still_compared_as_instants():
    first = local(2026, 11, 1, 1, 50, fold=0)  # EDT, 10 minutes before the second 01:00
    due = local(2026, 11, 1, 1, 10, fold=1)  # EST, 20 minutes later in elapsed time
    assert not is_overdue(due, first)
    assert due_words(due, first) == "Due in 20 min (01:10)"


def test_an_eight_hour_wait_across_the_change_is_eight_hours():
    given = local(2026, 11, 1, 0, 0)
    due = next_due(given, "none", DEFAULT_INTERVALS)
    assert elapsed(given, due) == dt.timedelta(hours=8)
    assert timezone.localtime(due).hour == 7  # the wall clock shows one hour less


def test_never_assessed_is_due_now():
    assert is_overdue(None, local(2026, 12, 2, 12, 0))
    assert due_words(None, local(2026, 12, 2, 12, 0)) == NEVER_ASSESSED


def test_clock_and_age_words():
    now = local(2026, 12, 2, 12, 0)
    assert clock_words(local(2026, 12, 2, 8, 5), now) == "08:05"
    assert clock_words(local(2026, 12, 5, 8, 5), now) == "08:05 on 2026-12-05"
    assert age_words(local(2026, 12, 2, 11, 25), now) == "35 min ago"
    assert age_words(local(2026, 12, 2, 11, 59, 30), now) == "just now"


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    moment=st.datetimes(
        min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
        max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
        timezones=st.sampled_from([NEW_YORK, zoneinfo.ZoneInfo("Europe/Berlin"), dt.UTC]),
    ),
    band=st.sampled_from(list(DEFAULT_INTERVALS)),
)
def test_the_wait_is_the_interval_in_elapsed_time_in_any_zone(moment, band):
    due = next_due(moment, band, DEFAULT_INTERVALS)
    wait = dt.timedelta(minutes=DEFAULT_INTERVALS[band])
    assert elapsed(moment, due) == wait
    # Compared as instants, whichever zone the clock reading is in.
    just_before = (due - dt.timedelta(microseconds=1)).astimezone(NEW_YORK)
    assert not is_overdue(due, just_before)
    assert is_overdue(due, due.astimezone(NEW_YORK))
