"""The medication catalogue: one entry per medication, as data, each citing its sources.

Generic, brand and street names (for matching free text, ``matching.py``), the drug
class, the US controlled-substance schedule, the forms and strengths it comes in, the
dose unit a taper may step by, and its dose equal to diazepam 10 mg in each
equivalence table (``equivalence.py``). Doses are ``Decimal`` so that "a multiple of the
dose unit" is exact. Nothing here is stored in the database: a change is a code change,
reviewed like one.
"""

import dataclasses
from decimal import Decimal

from .choices import DrugClass, EquivalenceTableCode, FormKind, Schedule

D = Decimal

SOURCE_TABLE_7 = (
    "2025 Joint Clinical Practice Guideline on Benzodiazepine Tapering (Brunner et al., "
    "J Gen Intern Med 2025, doi:10.1007/s11606-025-09499-2), Table 7 (VA/DoD 2021 and Ashton)"
)
SOURCE_NAMES = "OpenRecovery clinical reference, section 12 (medication names to recognize)"
SOURCE_LABEL = (
    "FDA-approved labeling (DailyMed) for strengths, forms and the maximum daily dose [check "
    "against the current labels before showing them to patients]"
)
SOURCE_SCHEDULE = "21 CFR 1308 (DEA schedules of controlled substances)"
SOURCE_DESIGNER_SCHEDULE = (
    "DEA temporary scheduling order, 88 FR 48112 (26 Jul 2023; extended to 26 Jul 2026), "
    "permanent placement proposed in 90 FR 35253 (25 Jul 2025)"
)
SOURCE_DESIGNER = (
    "OpenRecovery clinical reference, section 12 (designer benzodiazepines sold as street pills "
    "or powders); not approved by the FDA, no labeled dose"
)
SOURCE_STREET = (
    "OpenRecovery clinical reference, section 12 (street words), with common spellings of them"
)
# The program's rule, not a published one: a daily dose above three times the label's
# maximum is treated as a typing slip (100 for 1.00). Misuse exceeds the label, rarely by more.
PLAUSIBLE_FACTOR = 3


@dataclasses.dataclass(frozen=True)
class DoseForm:
    """A form a medication comes in: strengths per unit, or a liquid's concentration.

    ``taper_unit_mg`` is the smallest step this form measures when it allows a finer one
    than the tablets (a liquid measured in 0.1 mL steps: 0.1 mL times the concentration).
    """

    kind: FormKind
    strengths_mg: tuple[Decimal, ...] = ()
    concentration_mg_per_ml: Decimal | None = None
    taper_unit_mg: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class Equivalent:
    """A medication's dose equal to diazepam 10 mg in one table, as published there."""

    table: EquivalenceTableCode
    mg_per_diazepam_10: Decimal
    published: str  # the table's own wording, e.g. "1-2 (use 1)"


@dataclasses.dataclass(frozen=True)
class Medication:
    """One catalogue entry: names, class, schedule, forms, taper unit and equivalents."""

    code: str
    generic_name: str
    drug_class: DrugClass
    schedule: Schedule
    sources: tuple[str, ...]
    brand_names: tuple[str, ...] = ()
    street_names: tuple[str, ...] = ()
    # Common misspellings met in free text (matching also allows one slip in long names).
    misspellings: tuple[str, ...] = ()
    forms: tuple[DoseForm, ...] = ()
    # The default step of a taper, in whole or split tablets or capsules.
    taper_unit_mg: Decimal | None = None
    label_max_daily_mg: Decimal | None = None
    equivalents: tuple[Equivalent, ...] = ()
    half_life_hours: str = ""
    designer: bool = False
    note: str = ""

    def __str__(self) -> str:
        return self.generic_name

    @property
    def names(self) -> tuple[str, ...]:
        """Return every name the entry is known by: generic, brands, street, misspellings."""
        return (self.generic_name, *self.brand_names, *self.street_names, *self.misspellings)

    @property
    def max_plausible_daily_mg(self) -> Decimal | None:
        """Return the highest daily dose taken as plausible (None: no labeled dose)."""
        if self.label_max_daily_mg is None:
            return None
        return self.label_max_daily_mg * PLAUSIBLE_FACTOR

    def equivalent_in(self, table: str) -> Equivalent | None:
        """Return this medication's entry in ``table``, or None if the table has none."""
        return next((e for e in self.equivalents if e.table == table), None)

    def allowed_units_mg(self) -> tuple[Decimal, ...]:
        """Return the units a taper may step by: the tablets' and any finer form's."""
        if self.taper_unit_mg is None:
            return ()
        finer = {f.taper_unit_mg for f in self.forms if f.taper_unit_mg is not None}
        return tuple(sorted({self.taper_unit_mg, *finer}))

    def finest_unit_mg(self) -> Decimal | None:
        """Return the smallest step any form allows (a liquid's, when it has one)."""
        units = [f.taper_unit_mg for f in self.forms if f.taper_unit_mg is not None]
        if self.taper_unit_mg is not None:
            units.append(self.taper_unit_mg)
        return min(units, default=None)


ASHTON = EquivalenceTableCode.ASHTON
VA_DOD = EquivalenceTableCode.VA_DOD_2021


def _table7(va_dod: str, ashton: str, ashton_published: str = "") -> tuple[Equivalent, ...]:
    """Return a Table 7 row: VA/DoD 2021 and Ashton doses equal to diazepam 10 mg."""
    return (
        Equivalent(VA_DOD, D(va_dod), va_dod),
        Equivalent(ASHTON, D(ashton), ashton_published or ashton),
    )


def _strengths(kind: FormKind, *mg: str) -> DoseForm:
    return DoseForm(kind, tuple(D(m) for m in mg))


def _liquid(mg_per_ml: str) -> DoseForm:
    concentration = D(mg_per_ml)
    # Oral syringes measure 0.1 mL steps: the finest step a liquid allows.
    return DoseForm(FormKind.ORAL_LIQUID, (), concentration, concentration * D("0.1"))


_BENZO = (SOURCE_TABLE_7, SOURCE_NAMES, SOURCE_LABEL, SOURCE_SCHEDULE)
_NAMED = (SOURCE_NAMES, SOURCE_LABEL, SOURCE_SCHEDULE)
_DESIGNER = (SOURCE_DESIGNER, SOURCE_DESIGNER_SCHEDULE)
_DESIGNER_UNSCHEDULED = (
    SOURCE_DESIGNER,
    "Not named in the DEA's temporary order of 88 FR 48112 (2023) [check the current federal "
    "and state status]",
)
_OTHER = (SOURCE_LABEL, SOURCE_SCHEDULE)

B = DrugClass.BENZODIAZEPINE
IV = Schedule.IV

BENZODIAZEPINES = (
    Medication(
        "alprazolam",
        "alprazolam",
        B,
        IV,
        _BENZO,
        brand_names=("Xanax", "Xanax XR"),
        street_names=("bars", "xannies", "xanies", "zannies", "xans", "handlebars"),
        misspellings=("xanex", "xannax", "zanax", "xanaz", "alprazolem", "alprazalam"),
        forms=(
            _strengths(FormKind.TABLET, "0.25", "0.5", "1", "2"),
            _strengths(FormKind.EXTENDED_RELEASE_TABLET, "0.5", "1", "2", "3"),
            _strengths(FormKind.ORALLY_DISINTEGRATING_TABLET, "0.25", "0.5", "1", "2"),
            _liquid("1"),
        ),
        taper_unit_mg=D("0.125"),
        label_max_daily_mg=D("10"),
        equivalents=_table7("1", "0.5"),
        half_life_hours="6-12",
    ),
    Medication(
        "chlordiazepoxide",
        "chlordiazepoxide",
        B,
        IV,
        _BENZO,
        brand_names=("Librium",),
        misspellings=("chlordiazepoxid", "librum"),
        forms=(_strengths(FormKind.CAPSULE, "5", "10", "25"),),
        taper_unit_mg=D("5"),
        label_max_daily_mg=D("300"),
        equivalents=_table7("25", "25"),
        half_life_hours="5-30 [active metabolite 36-200]",
    ),
    Medication(
        "clobazam",
        "clobazam",
        B,
        IV,
        (SOURCE_NAMES, SOURCE_LABEL, SOURCE_SCHEDULE),
        brand_names=("Onfi", "Sympazan"),
        forms=(
            _strengths(FormKind.TABLET, "10", "20"),
            _strengths(FormKind.ORAL_FILM, "5", "10", "20"),
            _liquid("2.5"),
        ),
        taper_unit_mg=D("5"),
        label_max_daily_mg=D("40"),
        note="Not in Table 7: no diazepam equivalent in either table.",
    ),
    Medication(
        "clonazepam",
        "clonazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Klonopin",),
        street_names=("K-pins", "K pins", "Kpins", "K-pin"),
        misspellings=("klonipin", "klonapin", "klonopen", "clonopin", "clonazapam", "klonazepam"),
        forms=(
            _strengths(FormKind.TABLET, "0.5", "1", "2"),
            _strengths(FormKind.ORALLY_DISINTEGRATING_TABLET, "0.125", "0.25", "0.5", "1", "2"),
        ),
        taper_unit_mg=D("0.125"),
        label_max_daily_mg=D("20"),
        equivalents=_table7("1", "0.5"),
        half_life_hours="18-50",
    ),
    Medication(
        "clorazepate",
        "clorazepate",
        B,
        IV,
        _BENZO,
        brand_names=("Tranxene", "Tranxene T-Tab"),
        misspellings=("clorazepat", "tranxine", "tranxen"),
        forms=(_strengths(FormKind.TABLET, "3.75", "7.5", "15"),),
        taper_unit_mg=D("3.75"),
        label_max_daily_mg=D("90"),
        equivalents=_table7("15", "15"),
        half_life_hours="[active metabolite 36-200]",
    ),
    Medication(
        "diazepam",
        "diazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Valium", "Diastat", "Valtoco"),
        street_names=("vallies",),
        misspellings=("valum", "vallium", "valuim", "diazapam", "diazepan"),
        forms=(
            _strengths(FormKind.TABLET, "2", "5", "10"),
            _liquid("1"),
            _liquid("5"),
            DoseForm(FormKind.INJECTION, (), D("5")),
            _strengths(FormKind.RECTAL_GEL, "2.5", "10", "20"),
            _strengths(FormKind.NASAL_SPRAY, "5", "10", "15", "20"),
        ),
        taper_unit_mg=D("1"),
        label_max_daily_mg=D("40"),
        equivalents=_table7("10", "10"),
        half_life_hours="20-100 [active metabolite 36-200]",
    ),
    Medication(
        "estazolam",
        "estazolam",
        B,
        IV,
        _BENZO,
        brand_names=("ProSom",),
        misspellings=("estazolem", "estazolan"),
        forms=(_strengths(FormKind.TABLET, "1", "2"),),
        taper_unit_mg=D("0.5"),
        label_max_daily_mg=D("2"),
        equivalents=_table7("1", "1", "1-2 (use 1)"),
        half_life_hours="10-24",
    ),
    Medication(
        "flurazepam",
        "flurazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Dalmane",),
        misspellings=("flurazepan", "flurazapam"),
        forms=(_strengths(FormKind.CAPSULE, "15", "30"),),
        taper_unit_mg=D("15"),
        label_max_daily_mg=D("30"),
        equivalents=_table7("15", "15", "15-30 (use 15)"),
        half_life_hours="[active metabolite 40-250]",
    ),
    Medication(
        "lorazepam",
        "lorazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Ativan", "Loreev XR"),
        misspellings=("ativen", "attivan", "lorazapam", "lorazepem", "lorezepam"),
        forms=(
            _strengths(FormKind.TABLET, "0.5", "1", "2"),
            _strengths(FormKind.EXTENDED_RELEASE_CAPSULE, "1", "1.5", "2", "3"),
            _liquid("2"),
            DoseForm(FormKind.INJECTION, (), D("2")),
        ),
        taper_unit_mg=D("0.25"),
        label_max_daily_mg=D("10"),
        equivalents=_table7("2", "1"),
        half_life_hours="10-20",
    ),
    Medication(
        "midazolam",
        "midazolam",
        B,
        IV,
        _NAMED,
        brand_names=("Versed", "Nayzilam", "Seizalam"),
        misspellings=("midazolan", "midazalam"),
        forms=(
            DoseForm(FormKind.INJECTION, (), D("1")),
            DoseForm(FormKind.INJECTION, (), D("5")),
            _liquid("2"),
            _strengths(FormKind.NASAL_SPRAY, "5"),
        ),
        note="Given in hospital or for seizure clusters; not in Table 7 and not tapered here.",
    ),
    Medication(
        "oxazepam",
        "oxazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Serax",),
        misspellings=("oxazepan", "oxazapam"),
        forms=(_strengths(FormKind.CAPSULE, "10", "15", "30"),),
        taper_unit_mg=D("5"),
        label_max_daily_mg=D("120"),
        equivalents=_table7("30", "20"),
        half_life_hours="4-15",
        note="10 and 15 mg capsules make every multiple of 5 mg from 10 mg up; a 5 mg dose "
        "needs a pharmacy-made liquid or a switch to diazepam.",
    ),
    Medication(
        "quazepam",
        "quazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Doral",),
        misspellings=("quazepan", "quazapam"),
        forms=(_strengths(FormKind.TABLET, "15"),),
        taper_unit_mg=D("7.5"),
        label_max_daily_mg=D("15"),
        equivalents=_table7("10", "20"),
    ),
    Medication(
        "temazepam",
        "temazepam",
        B,
        IV,
        _BENZO,
        brand_names=("Restoril",),
        misspellings=("temazepan", "temazapam", "restoral"),
        forms=(_strengths(FormKind.CAPSULE, "7.5", "15", "22.5", "30"),),
        taper_unit_mg=D("7.5"),
        label_max_daily_mg=D("30"),
        equivalents=_table7("15", "20"),
        half_life_hours="8-22",
    ),
    Medication(
        "triazolam",
        "triazolam",
        B,
        IV,
        _BENZO,
        brand_names=("Halcion",),
        misspellings=("triazolan", "halcyon"),
        forms=(_strengths(FormKind.TABLET, "0.125", "0.25"),),
        taper_unit_mg=D("0.125"),
        label_max_daily_mg=D("0.5"),
        equivalents=_table7("0.25", "0.5"),
        half_life_hours="about 2",
    ),
    Medication(
        "remimazolam",
        "remimazolam",
        B,
        IV,
        _NAMED,
        brand_names=("Byfavo",),
        forms=(DoseForm(FormKind.INJECTION, (D("20"),)),),
        note="A procedural sedative given intravenously; not in Table 7 and not tapered here.",
    ),
)


def _designer(code: str, schedule: Schedule, sources: tuple[str, ...]) -> Medication:
    return Medication(code, code, B, schedule, sources, designer=True)


DESIGNER_BENZODIAZEPINES = (
    _designer("etizolam", Schedule.I, _DESIGNER),
    _designer("bromazolam", Schedule.NOT_CONTROLLED, _DESIGNER_UNSCHEDULED),
    _designer("clonazolam", Schedule.I, _DESIGNER),
    _designer("flualprazolam", Schedule.I, _DESIGNER),
    _designer("flubromazolam", Schedule.I, _DESIGNER),
    _designer("diclazepam", Schedule.I, _DESIGNER),
    _designer("phenazepam", Schedule.NOT_CONTROLLED, _DESIGNER_UNSCHEDULED),
)

Z = DrugClass.Z_DRUG
Z_DRUGS = (
    Medication(
        "zolpidem",
        "zolpidem",
        Z,
        IV,
        _NAMED,
        brand_names=("Ambien", "Ambien CR", "Edluar", "Intermezzo"),
        misspellings=("ambian", "zolpidum", "zolpidam"),
        forms=(
            _strengths(FormKind.TABLET, "5", "10"),
            _strengths(FormKind.EXTENDED_RELEASE_TABLET, "6.25", "12.5"),
            _strengths(FormKind.SUBLINGUAL, "1.75", "3.5", "5", "10"),
        ),
        label_max_daily_mg=D("12.5"),
    ),
    Medication(
        "zaleplon",
        "zaleplon",
        Z,
        IV,
        _NAMED,
        brand_names=("Sonata",),
        forms=(_strengths(FormKind.CAPSULE, "5", "10"),),
        label_max_daily_mg=D("20"),
    ),
    Medication(
        "eszopiclone",
        "eszopiclone",
        Z,
        IV,
        _NAMED,
        brand_names=("Lunesta",),
        misspellings=("eszopiclon",),
        forms=(_strengths(FormKind.TABLET, "1", "2", "3"),),
        label_max_daily_mg=D("3"),
    ),
)

OP = DrugClass.OPIOID
OUD = DrugClass.OUD_MEDICATION
OPIOIDS = (
    Medication(
        "oxycodone",
        "oxycodone",
        OP,
        Schedule.II,
        _OTHER,
        brand_names=("OxyContin", "Roxicodone", "Percocet", "Oxaydo"),
        street_names=("oxy", "oxys", "percs", "roxies"),
    ),
    Medication(
        "hydrocodone",
        "hydrocodone",
        OP,
        Schedule.II,
        _OTHER,
        brand_names=("Vicodin", "Norco", "Hysingla"),
    ),
    Medication(
        "hydromorphone", "hydromorphone", OP, Schedule.II, _OTHER, brand_names=("Dilaudid",)
    ),
    Medication(
        "fentanyl",
        "fentanyl",
        OP,
        Schedule.II,
        _OTHER,
        brand_names=("Duragesic", "Actiq"),
        street_names=("fent",),
        misspellings=("fentanil", "fentynal", "fentenyl"),
    ),
    Medication("heroin", "heroin", OP, Schedule.I, (SOURCE_SCHEDULE,)),
    Medication(
        "morphine", "morphine", OP, Schedule.II, _OTHER, brand_names=("MS Contin", "Kadian")
    ),
    Medication("codeine", "codeine", OP, Schedule.II, _OTHER),
    Medication("tramadol", "tramadol", OP, IV, _OTHER, brand_names=("Ultram",)),
)
OUD_MEDICATIONS = (
    Medication(
        "buprenorphine",
        "buprenorphine",
        OUD,
        Schedule.III,
        _OTHER,
        brand_names=("Suboxone", "Subutex", "Sublocade", "Zubsolv", "Brixadi"),
        street_names=("subs",),
        note="2025 joint guideline rec. 21: never disrupt buprenorphine because of "
        "benzodiazepine concerns.",
    ),
    Medication(
        "methadone",
        "methadone",
        OUD,
        Schedule.II,
        _OTHER,
        brand_names=("Dolophine", "Methadose"),
        note="2025 joint guideline rec. 21: never disrupt methadone because of "
        "benzodiazepine concerns.",
    ),
    Medication(
        "naltrexone",
        "naltrexone",
        OUD,
        Schedule.NOT_CONTROLLED,
        _OTHER,
        brand_names=("Vivitrol", "Revia"),
    ),
)
C = DrugClass.OTHER_CNS_DEPRESSANT
OTHER_CNS_DEPRESSANTS = (
    Medication("phenobarbital", "phenobarbital", C, IV, _OTHER, misspellings=("phenobarb",)),
    Medication("carisoprodol", "carisoprodol", C, IV, _OTHER, brand_names=("Soma",)),
    Medication(
        "gabapentin",
        "gabapentin",
        C,
        Schedule.NOT_CONTROLLED,
        _OTHER,
        brand_names=("Neurontin", "Gralise"),
    ),
    Medication("pregabalin", "pregabalin", C, Schedule.V, _OTHER, brand_names=("Lyrica",)),
)

CATALOGUE: dict[str, Medication] = {
    m.code: m
    for m in (
        *BENZODIAZEPINES,
        *DESIGNER_BENZODIAZEPINES,
        *Z_DRUGS,
        *OPIOIDS,
        *OUD_MEDICATIONS,
        *OTHER_CNS_DEPRESSANTS,
    )
}
_BY_NAME = {name.casefold(): m for m in CATALOGUE.values() for name in m.names}
_BY_CLINICAL_NAME = {
    name.casefold(): m for m in CATALOGUE.values() for name in (m.generic_name, *m.brand_names)
}


def medication_get(name: str, *, clinical: bool = False) -> Medication | None:
    """Return the entry a name names exactly (any case), or None.

    Any name the catalogue knows counts, street names and misspellings too; with
    ``clinical`` only the generic and brand names do (an order never says "bars").
    """
    names = _BY_CLINICAL_NAME if clinical else _BY_NAME
    return names.get(" ".join(name.split()).casefold())
