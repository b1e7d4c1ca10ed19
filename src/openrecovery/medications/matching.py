"""Find catalogue medications named in free text ("xanax 2mg, sometimes K-pins").

Names match as whole words, in any case, with spaces or hyphens inside a name taken as
either ("K-pins", "k pins"). A long name with one slip (a letter wrong, missing, extra
or two swapped: "clonazapam") still matches, and so do the common misspellings the
catalogue lists. Words for the class ("benzos") and the class's name endings
("-azepam", "-azolam": "bromazepam", which the catalogue lacks) are recognized as a
benzodiazepine without naming one. An entry nothing recognizes is not thereby "not a
benzodiazepine" (REFERENCE section 12): callers say "unrecognized", never "none".
"""

import dataclasses
import re
from collections.abc import Iterable
from functools import cache

from .catalogue import CATALOGUE, Medication
from .choices import DrugClass

# Words that name the class rather than a medication, with their common spellings.
CLASS_WORDS = {
    DrugClass.BENZODIAZEPINE: (
        "benzo", "benzos", "benzodiazepine", "benzodiazepines", "benzodiazapine",
        "benzodiazapines", "benzodiazepene", "benzodiazepenes",
    ),
    DrugClass.Z_DRUG: ("z-drug", "z-drugs"),
    DrugClass.OPIOID: ("opioid", "opioids", "opiate", "opiates"),
}  # fmt: skip
# Name endings of benzodiazepines (and the thienodiazepines sold as them).
BENZODIAZEPINE_ENDING = re.compile(
    r"(?<![a-z])[a-z]{2,}(?:azepam|azolam|azepate|zolam)(?![a-z])", re.I
)
# One slip is tolerated only in names this long: shorter ones collide with other words.
FUZZY_MIN_LENGTH = 7
WORD = re.compile(r"[a-z]+", re.I)


@dataclasses.dataclass(frozen=True)
class MedicationMatch:
    """A medication (or a class word) found in text, and where."""

    drug_class: DrugClass
    medication: Medication | None  # None: a class word or a name ending, no entry
    term: str
    start: int
    end: int


def _term_pattern(term: str) -> str:
    parts = re.split(r"[\s-]+", term.strip())
    return r"[\s-]?".join(re.escape(p) for p in parts if p)


@cache
def _exact() -> tuple[re.Pattern[str], dict[str, tuple[DrugClass, Medication | None]]]:
    """Return one alternation of every name (longest first) and what each name means."""
    meaning: dict[str, tuple[DrugClass, Medication | None]] = {}
    terms = []
    for medication in CATALOGUE.values():
        for name in medication.names:
            meaning[_key(name)] = (medication.drug_class, medication)
            terms.append(name)
    for drug_class, words in CLASS_WORDS.items():
        for word in words:
            meaning.setdefault(_key(word), (drug_class, None))
            terms.append(word)
    terms.sort(key=len, reverse=True)
    alternation = "|".join(_term_pattern(t) for t in terms)
    return re.compile(rf"(?<![a-z])(?:{alternation})(?![a-z])", re.I), meaning


def _key(term: str) -> str:
    return re.sub(r"[\s-]+", "", term.casefold())


@cache
def _fuzzy_names() -> dict[str, Medication]:
    return {
        name.casefold(): m
        for m in CATALOGUE.values()
        for name in (m.generic_name, *m.brand_names)
        if len(name) >= FUZZY_MIN_LENGTH and name.isalpha()
    }


def one_slip_apart(a: str, b: str) -> bool:
    """Return True if ``a`` becomes ``b`` by one substitution, insertion, deletion or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = (diffs + [-1, -1])[:2]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def medications_in(text: str) -> list[MedicationMatch]:
    """Return every medication, class word or benzodiazepine name ending in ``text``."""
    pattern, meaning = _exact()
    found = []
    covered: list[tuple[int, int]] = []
    for hit in pattern.finditer(text):
        drug_class, medication = meaning[_key(hit.group())]
        found.append(MedicationMatch(drug_class, medication, hit.group(), *hit.span()))
        covered.append(hit.span())

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e in covered)

    names = _fuzzy_names()
    for word in WORD.finditer(text):
        token = word.group().casefold()
        if len(token) < FUZZY_MIN_LENGTH - 1 or not free(*word.span()):
            continue
        close = [m for name, m in names.items() if one_slip_apart(token, name)]
        for medication in dict.fromkeys(close):
            found.append(
                MedicationMatch(medication.drug_class, medication, word.group(), *word.span())
            )
        if close:
            covered.append(word.span())
    for hit in BENZODIAZEPINE_ENDING.finditer(text):
        if free(*hit.span()):
            found.append(MedicationMatch(DrugClass.BENZODIAZEPINE, None, hit.group(), *hit.span()))
    return sorted(found, key=lambda m: m.start)


def mentions_class(text: str, classes: Iterable[DrugClass]) -> bool:
    """Return True if ``text`` names a medication (or the class) of any of ``classes``."""
    wanted = set(classes)
    return any(match.drug_class in wanted for match in medications_in(text))
