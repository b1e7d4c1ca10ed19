"""Seeded fictional people: names, birth dates, addresses, phones in the 555-01xx range.

Every name, phone number and address is invented (Faker, seeded); phones are in the
range reserved for fiction (555-0100 to 555-0199), e-mail addresses under example.com.
The same seed gives the same people, so a fresh database gets the same demo every time.
"""

import datetime as dt
import random
from typing import Any

from faker import Faker

from openrecovery.records.choices import SexAtBirth

DEMO_SEED = 20250101
AREA_CODES = (212, 312, 415, 503, 617, 702, 808, 919)
RELATIONSHIPS = ("Sibling", "Parent", "Partner", "Friend", "Adult child")


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

    def patient_fields(self) -> dict[str, Any]:
        """Return the fields of a fictional patient, ready for ``patient_register``."""
        sex = self.rng.choices(
            [SexAtBirth.FEMALE, SexAtBirth.MALE, SexAtBirth.INTERSEX, SexAtBirth.DECLINED],
            weights=[48, 48, 1, 3],
        )[0]
        given = (
            self.fake.first_name_female() if sex == SexAtBirth.FEMALE else self.fake.first_name()
        )
        family = self.fake.last_name()
        return {
            "legal_given_name": given,
            "legal_family_name": family,
            "preferred_name": self.fake.first_name() if self.rng.random() < 0.1 else "",
            "date_of_birth": self.birth_date(),
            "sex_at_birth": sex,
            "phone_mobile": self.phone(),
            "email": f"{given}.{family}@example.com".lower().replace(" ", ""),
            "address_line1": self.fake.street_address(),
            "city": self.fake.city(),
            "state": self.fake.state_abbr(),
            "postal_code": self.fake.zipcode(),
            "emergency_contact_name": self.fake.name(),
            "emergency_contact_phone": self.phone(),
            "emergency_contact_relationship": self.rng.choice(RELATIONSHIPS),
        }
