"""Free text names catalogue medications: every name of REFERENCE section 12 is found."""

import pytest

from openrecovery.medications.choices import DrugClass
from openrecovery.medications.matching import medications_in, mentions_class, one_slip_apart

B, Z = DrugClass.BENZODIAZEPINE, DrugClass.Z_DRUG
# REFERENCE section 12, name by name, with the entry each one must reach.
SECTION_12 = [
    ("alprazolam", "alprazolam"), ("Xanax", "alprazolam"),
    ("chlordiazepoxide", "chlordiazepoxide"), ("Librium", "chlordiazepoxide"),
    ("clobazam", "clobazam"), ("Onfi", "clobazam"), ("Sympazan", "clobazam"),
    ("clonazepam", "clonazepam"), ("Klonopin", "clonazepam"),
    ("clorazepate", "clorazepate"), ("Tranxene", "clorazepate"),
    ("diazepam", "diazepam"), ("Valium", "diazepam"), ("Diastat", "diazepam"),
    ("Valtoco", "diazepam"),
    ("estazolam", "estazolam"), ("ProSom", "estazolam"),
    ("flurazepam", "flurazepam"), ("Dalmane", "flurazepam"),
    ("lorazepam", "lorazepam"), ("Ativan", "lorazepam"),
    ("midazolam", "midazolam"), ("Versed", "midazolam"), ("Nayzilam", "midazolam"),
    ("oxazepam", "oxazepam"), ("Serax", "oxazepam"),
    ("quazepam", "quazepam"), ("Doral", "quazepam"),
    ("temazepam", "temazepam"), ("Restoril", "temazepam"),
    ("triazolam", "triazolam"), ("Halcion", "triazolam"),
    ("remimazolam", "remimazolam"), ("Byfavo", "remimazolam"),
    ("etizolam", "etizolam"), ("bromazolam", "bromazolam"), ("clonazolam", "clonazolam"),
    ("flualprazolam", "flualprazolam"), ("flubromazolam", "flubromazolam"),
    ("diclazepam", "diclazepam"), ("phenazepam", "phenazepam"),
    ("bars", "alprazolam"), ("xannies", "alprazolam"), ("K-pins", "clonazepam"),
    ("zolpidem", "zolpidem"), ("Ambien", "zolpidem"), ("zaleplon", "zaleplon"),
    ("Sonata", "zaleplon"), ("eszopiclone", "eszopiclone"), ("Lunesta", "eszopiclone"),
]  # fmt: skip


def codes(text):
    return [m.medication.code if m.medication else None for m in medications_in(text)]


@pytest.mark.parametrize(("name", "code"), SECTION_12, ids=[n for n, _ in SECTION_12])
def test_every_section_12_name_matches_its_entry_in_any_case(name, code):
    for text in (name, name.upper(), name.lower(), f"takes {name} 2mg nightly, since 2020"):
        [match] = medications_in(text)
        assert match.medication.code == code, text
        assert text[match.start : match.end].casefold() == name.casefold()


def test_benzos_is_the_class_without_an_entry():
    [match] = medications_in("some benzos from a friend")
    assert (match.medication, match.drug_class, match.term) == (None, B, "benzos")


@pytest.mark.parametrize(
    ("text", "drug_class"),
    [
        (name, Z if code in ("zolpidem", "zaleplon", "eszopiclone") else B)
        for name, code in SECTION_12
    ],
)
def test_each_name_has_its_class(text, drug_class):
    assert mentions_class(text, [drug_class])


def test_matching_is_by_whole_word():
    assert codes("embarsassed, sambars, crowbars") == []
    assert codes("Dorall, versedly, onfire") == []
    assert codes("Xanax2mg, 1mg-Ativan") == ["alprazolam", "lorazepam"]


def test_spaces_and_hyphens_inside_a_name_are_either():
    assert codes("k pins, kpins, K-pins, K-pin") == ["clonazepam"] * 4


def test_every_name_in_a_list_is_found_in_order():
    text = "Xanax and klonopin, sometimes vodka; ambien to sleep; oxycodone"
    assert codes(text) == ["alprazolam", "clonazepam", "zolpidem", "oxycodone"]


@pytest.mark.parametrize(
    ("text", "code"),
    [("clonazapam", "clonazepam"), ("alprazolan", "alprazolam"), ("lorazapam", "lorazepam"),
     ("klonipin", "clonazepam"), ("xanex", "alprazolam"), ("vallium", "diazepam"),
     ("diazepan", "diazepam"), ("tranxine", "clorazepate"), ("restorl", "temazepam"),
     ("klonopni", "clonazepam")],
)  # fmt: skip
def test_common_misspellings_match(text, code):
    assert codes(text) == [code]


def test_an_unknown_name_with_a_benzodiazepine_ending_is_a_benzodiazepine():
    [match] = medications_in("bromazepam from abroad")
    assert match.medication is None and match.drug_class == B
    assert mentions_class("nitrazepam", [B])


def test_unrelated_text_names_nothing():
    assert medications_in("kratom, coffee, wine") == []
    assert not mentions_class("vodka", [B])


def test_one_slip():
    assert one_slip_apart("clonazepam", "clonazapam")  # substitution
    assert one_slip_apart("clonazepam", "clonazepm")  # deletion
    assert one_slip_apart("clonazepam", "clonazepaam")  # insertion
    assert one_slip_apart("clonazepam", "clonazpeam")  # two neighbours swapped
    assert not one_slip_apart("clonazepam", "clonazepam")
    assert not one_slip_apart("clonazepam", "clonazolam")
