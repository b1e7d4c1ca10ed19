"""The demo's people agree with themselves: names fit sex and gender, care teams differ
from patient to patient, and intake versions count plausible saves.

The demo is loaded once for the module (``conftest.demo_loaded``).
"""

from collections import Counter

from openrecovery.accounts.roles import Role
from openrecovery.assessment.choices import AssessmentStatus
from openrecovery.assessment.forms import DRAFT_FORMS
from openrecovery.assessment.models import IntakeAssessment
from openrecovery.demo.people import (
    FEMALE_NAMES,
    GENDER_OF_IDENTITY,
    MALE_NAMES,
    NAMES_OF_SEX,
    NEUTRAL_NAMES,
)
from openrecovery.demo.staff import USERNAME_OF_ROLE, USERNAMES_BY_ROLE
from openrecovery.records.models import CareTeamMember, EpisodeOfCare, Patient

# Distinct care teams (who, in which seat) the open episodes with a team of two or more
# must show at least: with one person per role every such team at a stage was the same.
DISTINCT_TEAMS_MIN = 8


def test_name_pools_do_not_overlap():
    assert not set(FEMALE_NAMES) & set(MALE_NAMES)
    assert not (set(FEMALE_NAMES) | set(MALE_NAMES)) & set(NEUTRAL_NAMES)


def test_every_name_fits_the_sex_and_gender_recorded(demo):
    patients = list(Patient.objects.all())
    assert len(patients) >= 45
    for p in patients:
        assert p.legal_given_name in NAMES_OF_SEX[p.sex_at_birth], (p.mrn, p.legal_given_name)
        gender = GENDER_OF_IDENTITY[p.gender_identity]
        assert p.pronouns == gender.pronouns, p.mrn
        if p.preferred_name:
            assert p.preferred_name in gender.names, (p.mrn, p.preferred_name)
        elif gender.names is not NAMES_OF_SEX[p.sex_at_birth]:
            raise AssertionError(f"{p.mrn}: goes by the legal name of another gender")
    # Mostly women and men, as many of each, and the identities recorded.
    sexes = Counter(p.sex_at_birth for p in patients)
    assert sexes["female"] >= 15 and sexes["male"] >= 15
    assert sum(bool(p.gender_identity) for p in patients) >= len(patients) * 0.9


def test_care_teams_differ_and_are_drawn_from_staff_of_the_seat_role(demo):
    members = CareTeamMember.objects.filter(active=True).select_related("user")
    teams: dict[int, set[tuple[str, str]]] = {}
    holders: dict[str, Counter[str]] = {}
    for m in members:
        teams.setdefault(m.patient_id, set()).add((m.team_role, m.user.username))
        assert m.user.username in USERNAMES_BY_ROLE[m.user.role]
        holders.setdefault(m.user.role, Counter())[m.user.username] += 1
    open_ = EpisodeOfCare.objects.filter(ended_at__isnull=True).values_list("patient_id", flat=True)
    assert set(teams) <= set(open_)
    shared = [frozenset(t) for t in teams.values() if len(t) >= 2]
    assert len(set(shared)) >= DISTINCT_TEAMS_MIN, Counter(shared).most_common(3)
    for role in (Role.COUNSELOR, Role.NURSE, Role.PHYSICIAN):
        # Everyone of the role has patients; the one to sign in as has the most.
        assert set(holders[role]) == set(USERNAMES_BY_ROLE[role]), role
        assert holders[role].most_common(1)[0][0] == USERNAME_OF_ROLE[role], holders[role]


def test_intake_versions_count_one_save_per_part(demo):
    """A version per save: the start, each section once, each substance row, the signing."""
    intakes = IntakeAssessment.objects.prefetch_related("substances")
    assert intakes.count() >= 20
    for intake in intakes:
        bound = 1 + len(DRAFT_FORMS) + intake.substances.count()
        bound += intake.status == AssessmentStatus.SIGNED
        assert intake.version <= bound, (intake.pk, intake.version, bound)
    assert max(intakes.values_list("version", flat=True)) <= len(DRAFT_FORMS) + 4
