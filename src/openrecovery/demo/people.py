"""Seeded fictional people: names, birth dates, addresses, phones in the 555-01xx range.

Every person is invented: given names drawn from pools by sex (below), family names,
addresses and contacts from Faker, seeded; phones are in the range reserved for fiction
(555-0100 to 555-0199), e-mail addresses under example.com. Names, sex at birth, gender
identity and pronouns agree with one another (``People.identity``).
The same seed gives the same people, so a fresh database gets the same demo every time.
"""

import dataclasses
import datetime as dt
import random
from typing import Any

from faker import Faker

from openrecovery.records.choices import SexAtBirth

DEMO_SEED = 20250101
AREA_CODES = (212, 312, 415, 503, 617, 702, 808, 919)
RELATIONSHIPS = ("Sibling", "Parent", "Partner", "Friend", "Adult child")

# Given names by the sex they are usually given for: a person's legal given name comes
# from the pool of their sex at birth, a name they go by from the pool of their gender.
FEMALE_NAMES = (
    "Abigail", "Alicia", "Amara", "Amy", "Angela", "Beatriz", "Bridget", "Carmen",
    "Caroline", "Chloe", "Claire", "Daniela", "Denise", "Diana", "Elena", "Erin",
    "Fatima", "Gloria", "Hannah", "Helen", "Imani", "Ingrid", "Isabel", "Janet", "Jasmine",
    "Joanna", "Julia", "Karen", "Katherine", "Laura", "Leah", "Linda", "Lucia", "Maya",
    "Megan", "Monica", "Nadia", "Naomi", "Natalie", "Olivia", "Paula", "Priya", "Rachel",
    "Rosa", "Ruth", "Sandra", "Sofia", "Susan", "Teresa", "Valerie", "Vanessa", "Yvonne",
)  # fmt: skip
MALE_NAMES = (
    "Aaron", "Adrian", "Ahmed", "Andre", "Anthony", "Benjamin", "Brian", "Carlos",
    "Daniel", "David", "Derek", "Diego", "Edward", "Elijah", "Eric", "Felix", "Frank",
    "Gabriel", "Gregory", "Henry", "Hector", "Isaac", "James", "Javier", "Jerome", "Joel",
    "Jonathan", "Kenneth", "Kevin", "Luis", "Malik", "Marcus", "Mark", "Martin", "Michael",
    "Nathan", "Oscar", "Patrick", "Paul", "Rafael", "Raymond", "Richard", "Samuel",
    "Scott", "Stephen", "Terrence", "Thomas", "Victor", "Walter", "William", "Xavier",
)  # fmt: skip
# Given to anyone: for people whose sex at birth is intersex, unknown or not told.
NEUTRAL_NAMES = (
    "Alex", "Avery", "Blake", "Cameron", "Casey", "Dakota", "Drew", "Emerson", "Finley",
    "Jamie", "Jordan", "Kai", "Morgan", "Quinn", "Reese", "Riley", "Robin", "Rowan",
    "Sage", "Skyler", "Taylor",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Gender:
    """A gender identity as the chart records it, its pronouns and the names that fit."""

    identity: str
    pronouns: str
    names: tuple[str, ...]


WOMAN = Gender("Woman", "she/her", FEMALE_NAMES)
MAN = Gender("Man", "he/him", MALE_NAMES)
TRANS_WOMAN = Gender("Transgender woman", "she/her", FEMALE_NAMES)
TRANS_MAN = Gender("Transgender man", "he/him", MALE_NAMES)
NON_BINARY = Gender("Non-binary", "they/them", NEUTRAL_NAMES)
NOT_SAID = Gender("", "", NEUTRAL_NAMES)  # declined to say: nothing recorded
# The legal given names of each sex at birth.
NAMES_OF_SEX: dict[str, tuple[str, ...]] = {
    SexAtBirth.FEMALE: FEMALE_NAMES,
    SexAtBirth.MALE: MALE_NAMES,
    SexAtBirth.INTERSEX: NEUTRAL_NAMES,
    SexAtBirth.UNKNOWN: NEUTRAL_NAMES,
    SexAtBirth.DECLINED: NEUTRAL_NAMES,
}
# (sex at birth, gender, weight per 100 people).
SEX_AND_GENDER: tuple[tuple[str, Gender, int], ...] = (
    (SexAtBirth.FEMALE, WOMAN, 46),
    (SexAtBirth.FEMALE, TRANS_MAN, 1),
    (SexAtBirth.FEMALE, NON_BINARY, 1),
    (SexAtBirth.MALE, MAN, 46),
    (SexAtBirth.MALE, TRANS_WOMAN, 1),
    (SexAtBirth.MALE, NON_BINARY, 1),
    (SexAtBirth.INTERSEX, NON_BINARY, 1),
    (SexAtBirth.DECLINED, NOT_SAID, 3),
)
GENDERS = (WOMAN, MAN, TRANS_WOMAN, TRANS_MAN, NON_BINARY, NOT_SAID)
GENDER_OF_IDENTITY: dict[str, Gender] = {g.identity: g for g in GENDERS}
PREFERRED_NAME_SHARE = 0.1  # people whose sex and gender agree but who go by another name


class People:
    """Seeded fictional demographics."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (fictional data, not security)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)

    def phone(self) -> str:
        """Return a fictional phone number such as ``415-555-0137``."""
        area = self.rng.choice(AREA_CODES)
        return f"{area}-555-01{self.rng.randrange(100):02d}"

    def birth_date(self) -> dt.date:
        return dt.date(1952, 1, 1) + dt.timedelta(days=self.rng.randrange(365 * 52))

    def caller_name(self) -> str:
        """Return what a caller gives as their name: a first name, or an initial."""
        if self.rng.random() < 0.15:
            return f"{self.fake.first_name()[0]}."
        return self.fake.first_name()

    def identity(self) -> tuple[str, Gender, str, str]:
        """Return (sex at birth, gender, legal given name, preferred name), consistent.

        The legal name fits the sex at birth; someone whose gender differs goes by a name
        that fits their gender, as do a few others who prefer another name of their own.
        """
        rng = self.rng
        sex, gender, _ = rng.choices(SEX_AND_GENDER, weights=[w for *_, w in SEX_AND_GENDER])[0]
        given = rng.choice(NAMES_OF_SEX[sex])
        preferred = ""
        if gender.names is not NAMES_OF_SEX[sex] or rng.random() < PREFERRED_NAME_SHARE:
            preferred = rng.choice([n for n in gender.names if n != given])
        return sex, gender, given, preferred

    def patient_fields(self) -> dict[str, Any]:
        """Return the fields of a fictional patient, ready for ``patient_register``."""
        sex, gender, given, preferred = self.identity()
        family = self.fake.last_name()
        return {
            "legal_given_name": given,
            "legal_family_name": family,
            "preferred_name": preferred,
            "date_of_birth": self.birth_date(),
            "sex_at_birth": sex,
            "gender_identity": gender.identity,
            "pronouns": gender.pronouns,
            "phone_mobile": self.phone(),
            "email": f"{preferred or given}.{family}@example.com".lower().replace(" ", ""),
            "address_line1": self.fake.street_address(),
            "city": self.fake.city(),
            "state": self.fake.state_abbr(),
            "postal_code": self.fake.zipcode(),
            "emergency_contact_name": self.fake.name(),
            "emergency_contact_phone": self.phone(),
            "emergency_contact_relationship": self.rng.choice(RELATIONSHIPS),
        }
