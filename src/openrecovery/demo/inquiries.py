"""A month of the helpline: inquiries closed every day, and the queue waiting now.

Run after the stories (whose recent first contacts came in as inquiries and were
converted, see ``stories``), so the admissions console shows a real program's day:

- every day of the last ``HELPLINE_DAYS``, a few web callbacks and logged calls that
  were answered and closed as referred elsewhere, not a fit or lost contact, so the
  console's figures and its per-day table are filled;
- the open queue (``OPEN_QUEUE``): web callbacks and logged calls of every urgency,
  some claimed, some with pre-screens whose danger rules show banners, and exactly one
  past the response target (``HELPLINE_RESPONSE_MINUTES``) without first contact.

Everything goes through the helpline services (``helpline.HelplineDesk``) and is
audited; only the times are moved back.
"""

import dataclasses
import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from openrecovery.accounts.models import User
from openrecovery.helpline.choices import (
    CallOutcome,
    DispositionKind,
    ForWhom,
    InquirySource,
    ReferralTarget,
)
from openrecovery.helpline.models import Inquiry
from openrecovery.helpline.selectors import response_minutes

from .helpline import HelplineDesk
from .histories import HELPLINE_DAYS
from .people import DEMO_SEED, People

DEMO_HELPLINE_SEED = DEMO_SEED + 4
# Sent twice from one phone: merged by the coordinator (issue 10, point 3).
DUPLICATE_CALLER = {
    "name": "T.",
    "phone": "415-555-0166",
    "best_time": "lunchtime",
    "for_whom": ForWhom.MYSELF,
    "substances": "Xanax",
    "voicemail_ok": False,
    "message": "",
}
CLOSED_PER_DAY = (1, 2, 2, 3)  # closed inquiries (besides conversions) per day
LOST_CONTACT_AFTER_DAYS = 4  # lost contact is decided after callbacks on three days
# The first closures (the oldest days) show each way an inquiry ends without a patient.
FIRST_KINDS = (DispositionKind.REFERRED, DispositionKind.NOT_A_FIT, DispositionKind.LOST_CONTACT)
REFERRALS = (
    (ReferralTarget.FINDTREATMENT_GOV, "Moving to another state next month"),
    (ReferralTarget.SAMHSA_HELPLINE, "No insurance; wanted free options near home"),
    (ReferralTarget.OTHER_PROVIDER, "Alcohol-only outpatient program closer to home"),
    (ReferralTarget.OTHER_PROVIDER, "Adolescent program (the caller's son is 16)"),
)
NOT_A_FIT = (
    "Looking for alcohol treatment only",
    "Wanted a prescriber to continue the current dose, not treatment",
    "Outside our service area",
    "Called for general information",
)
LOST_CONTACT = (
    "No answer on three attempts; voicemail full",
    "Number disconnected after the first call",
    "No callback after two voicemails",
)
LOST_OUTCOMES = (CallOutcome.NO_ANSWER, CallOutcome.VOICEMAIL, CallOutcome.NO_ANSWER)
DANGER_WEIGHTS = {"plain": 10, "alcohol": 4, "seizures": 3, "opioids": 2, "pregnancy": 1}


@dataclasses.dataclass(frozen=True)
class OpenCase:
    """One inquiry waiting in the demo's queue now."""

    source: str
    minutes: float  # since it came in (kept inside the response target unless overdue)
    self_check: str = ""  # the result of a self-check sent with a callback ("" none)
    danger: str = ""  # the pre-screen's preset in ``helpline.DANGERS`` ("" none yet)
    worker: str = ""  # the demo username holding it ("" nobody); a logged call's taker
    attempts: tuple[str, ...] = ()  # call outcomes so far, oldest first
    for_whom: str = ForWhom.MYSELF
    released: bool = False  # reached, then put back in the queue for a later call
    overdue: bool = False  # past the response target with nobody reached yet

    @property
    def contacted(self) -> bool:
        return self.source == InquirySource.PHONE or CallOutcome.REACHED in self.attempts


WEB, PHONE, API = InquirySource.WEB, InquirySource.PHONE, InquirySource.API
OPEN_QUEUE: tuple[OpenCase, ...] = (
    OpenCase(WEB, 6, self_check="self_harm"),
    OpenCase(PHONE, 25, danger="suicidal", worker="admissions"),
    OpenCase(PHONE, 14, danger="overdose", worker="admissions", for_whom=ForWhom.SOMEONE_ELSE),
    OpenCase(
        WEB,
        47,
        self_check="seizure",
        worker="director",
        attempts=(CallOutcome.VOICEMAIL,),
        overdue=True,
    ),  # fmt: skip
    OpenCase(WEB, 9, self_check="many_signs"),
    OpenCase(PHONE, 130, danger="opioids", worker="director"),
    OpenCase(
        WEB,
        190,
        danger="pregnancy",
        worker="admissions",
        attempts=(CallOutcome.NO_ANSWER, CallOutcome.REACHED),
    ),  # fmt: skip
    OpenCase(WEB, 3, for_whom=ForWhom.SOMEONE_ELSE),
    OpenCase(WEB, 11, self_check="few_signs"),
    OpenCase(API, 5),
    OpenCase(PHONE, 65, danger="plain", worker="admissions"),
    OpenCase(
        WEB,
        1200,
        danger="plain",
        worker="director",
        attempts=(CallOutcome.REACHED,),
        released=True,
    ),  # fmt: skip
)


@dataclasses.dataclass
class HelplineCounts:
    """What ``demo_helpline_create`` took in: open inquiries, and closed ones by kind."""

    open: int = 0
    closed: Counter = dataclasses.field(default_factory=Counter)


def _minutes(minutes: float) -> dt.timedelta:
    return dt.timedelta(minutes=minutes)


class _Month:
    """Play the month's closed inquiries and the open queue through one desk."""

    def __init__(self, staff: dict[str, User], seed: int) -> None:
        self.staff = staff
        self.desk = HelplineDesk(staff, People(seed))
        self.rng = self.desk.rng
        self.now = timezone.now()
        self.counts = HelplineCounts()

    def received_on(self, days: int) -> dt.datetime:
        """Return a plausible time of day for an inquiry ``days`` days ago (today: earlier)."""
        if days == 0:
            return self.now - dt.timedelta(hours=self.rng.uniform(1.5, 8))
        day = timezone.localdate(self.now) - dt.timedelta(days=days)
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
        night = self.rng.random() < 0.15  # the 24/7 line: some call in the small hours
        hours = self.rng.uniform(0, 7) if night else self.rng.uniform(7, 23.5)
        # At least the longest wait for a callback before now, so it was worked by now.
        return min(midnight + dt.timedelta(hours=hours), self.now - dt.timedelta(hours=8))

    def first_contact_delay(self, received: dt.datetime) -> dt.timedelta:
        """Return how long a callback waited for first contact: mostly minutes.

        Today's inquiries were all reached within half an hour (they are closed already).
        """
        rng = self.rng
        if self.now - received < dt.timedelta(hours=8):
            return _minutes(rng.uniform(2, 30))
        low, high = rng.choices(((2, 15), (15, 60), (60, 360)), weights=(6, 3, 1))[0]
        return _minutes(rng.uniform(low, high))

    def closed(self, days: int, kind: str) -> None:
        """Take in one inquiry ``days`` days ago and close it as ``kind``."""
        rng, desk = self.rng, self.desk
        worker = self.staff["admissions" if rng.random() < 0.75 else "director"]
        source = rng.choices((WEB, PHONE, API), weights=(13, 6, 1))[0]
        received = self.received_on(days)
        sent = None
        if source == WEB and rng.random() < 0.4:
            sent = desk.self_check(rng.choice(("few_signs", "some_signs", "many_signs", "seizure")))
        inquiry = desk.receive(
            source=source, received=received, data=desk.caller(), actor=worker, self_check=sent
        )
        contact = received
        if source != PHONE:
            claimed = received + _minutes(rng.uniform(1, 10))
            desk.claim(inquiry, worker, claimed)
            if kind == DispositionKind.LOST_CONTACT:
                self.lost(inquiry, worker, claimed)
                return
            contact = max(received + self.first_contact_delay(received), claimed + _minutes(1))
            if rng.random() < 0.3:
                desk.call(inquiry, worker, CallOutcome.NO_ANSWER, claimed)
            desk.call(inquiry, worker, CallOutcome.REACHED, contact)
        elif kind == DispositionKind.LOST_CONTACT:
            self.lost(inquiry, worker, contact + dt.timedelta(hours=2))
            return
        if rng.random() < 0.6:
            danger = rng.choices(list(DANGER_WEIGHTS), weights=list(DANGER_WEIGHTS.values()))[0]
            desk.prescreen(inquiry, worker, danger, contact + _minutes(rng.uniform(5, 15)))
        at = min(contact + _minutes(rng.uniform(20, 45)), self.now - _minutes(1))
        if kind == DispositionKind.REFERRED:
            target, detail = rng.choice(REFERRALS)
            desk.close(inquiry, worker, kind, at, referral_target=target, referral_detail=detail)
        else:
            desk.close(inquiry, worker, kind, at, notes=rng.choice(NOT_A_FIT))
        self.counts.closed[kind] += 1

    def lost(self, inquiry: Inquiry, worker: User, first: dt.datetime) -> None:
        """Call back on three days without reaching anyone, then close as lost contact."""
        at = first
        for number, outcome in enumerate(LOST_OUTCOMES):
            if number:
                at += dt.timedelta(days=1, minutes=self.rng.uniform(-90, 90))
            self.desk.call(inquiry, worker, outcome, at)
        closed = at + dt.timedelta(hours=2)
        notes = self.rng.choice(LOST_CONTACT)
        self.desk.close(inquiry, worker, DispositionKind.LOST_CONTACT, closed, notes=notes)
        self.counts.closed[DispositionKind.LOST_CONTACT] += 1

    def month(self) -> None:
        """Close a few inquiries on each of the last ``HELPLINE_DAYS`` days, oldest first."""
        # Scheduling and merging are played elsewhere (stories convert; no demo duplicates).
        skipped = {DispositionKind.SCHEDULE_ASSESSMENT, DispositionKind.MERGED}
        kinds = [k for k in DispositionKind if k not in skipped]
        forced = list(FIRST_KINDS)
        for days in range(HELPLINE_DAYS - 1, -1, -1):
            for _ in range(self.rng.choice(CLOSED_PER_DAY)):
                if days < LOST_CONTACT_AFTER_DAYS:
                    kind = self.rng.choice((DispositionKind.REFERRED, DispositionKind.NOT_A_FIT))
                else:
                    kind = forced.pop(0) if forced else self.rng.choice(kinds)
                self.closed(days, kind)

    def waiting(self, case: OpenCase) -> None:
        """Take in one inquiry of the open queue and work it as far as ``case`` says."""
        desk, target = self.desk, response_minutes()
        minutes = case.minutes
        if not case.contacted:
            minutes = max(minutes, 2 * target) if case.overdue else min(minutes, 0.8 * target)
        received = self.now - _minutes(minutes)
        worker = self.staff[case.worker] if case.worker else None
        data = desk.caller(for_whom=case.for_whom)
        sent = desk.self_check(case.self_check) if case.self_check else None
        inquiry = desk.receive(
            source=case.source, received=received, data=data, actor=worker, self_check=sent
        )
        contact = received
        if worker is not None and case.source != PHONE:
            claimed = received + _minutes(min(2, minutes / 4))
            desk.claim(inquiry, worker, claimed)
            step = (self.now - claimed) / (len(case.attempts) + 1)
            for number, outcome in enumerate(case.attempts, start=1):
                contact = claimed + step * number
                next_at = self._tomorrow_morning() if case.released else None
                desk.call(inquiry, worker, outcome, contact, next_at=next_at)
        if worker is not None and case.danger:
            at = contact + min(_minutes(10), (self.now - contact) / 2)
            desk.prescreen(inquiry, worker, case.danger, at)
        if worker is not None and case.released:
            desk.release(inquiry, worker)
        self.counts.open += 1

    def merged_pair(self) -> None:
        """Take in one callback twice, 12 minutes apart, three days ago; merge the second
        into the first, then refer the first (no random draws: the rest stays as it was)."""
        desk, worker = self.desk, self.staff["admissions"]
        day = timezone.localdate(self.now) - dt.timedelta(days=3)
        noon = dt.datetime.combine(day, dt.time(13), tzinfo=timezone.get_current_timezone())
        first = desk.receive(source=WEB, received=noon, data=DUPLICATE_CALLER)
        again = {**DUPLICATE_CALLER, "message": "Sent this already, nobody called yet."}
        second = desk.receive(source=WEB, received=noon + _minutes(12), data=again)
        desk.claim(first, worker, noon + _minutes(14))
        desk.call(first, worker, CallOutcome.REACHED, noon + _minutes(15))
        desk.merge(first, second, worker, noon + _minutes(16))
        target, detail = REFERRALS[0]
        at = noon + _minutes(40)
        desk.close(first, worker, DispositionKind.REFERRED, at, referral_target=target,
                   referral_detail=detail)  # fmt: skip
        self.counts.closed[DispositionKind.REFERRED] += 1
        self.counts.closed[DispositionKind.MERGED] += 1

    def _tomorrow_morning(self) -> dt.datetime:
        day = timezone.localtime(self.now) + dt.timedelta(days=1)
        return day.replace(hour=10, minute=0, second=0, microsecond=0)


def demo_helpline_create(staff: list[User], seed: int = DEMO_HELPLINE_SEED) -> HelplineCounts:
    """Fill the helpline with a month of closed inquiries and today's open queue.

    Call once, after ``demo_stories_create`` (its conversions are the month's converted
    inquiries).
    """
    month = _Month({u.username: u for u in staff}, seed)
    with transaction.atomic():
        month.month()
        for case in OPEN_QUEUE:
            month.waiting(case)
        month.merged_pair()
    return month.counts


def demo_helpline_converted() -> int:
    """Return how many inquiries were converted into patients (by the stories)."""
    return Inquiry.objects.filter(disposition_kind=DispositionKind.SCHEDULE_ASSESSMENT).count()
