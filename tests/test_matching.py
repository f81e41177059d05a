"""Matching: resolved ingredients -> cramp-associated classes, and the whole-list result."""

import re

import pytest

from service.matching import check, check_entry


def _classes(text, lexicon):
    return {f.drug_class.id for f in check_entry(text, lexicon).flags}


def test_combination_inherits_every_flag_of_its_ingredients(lexicon):
    assert _classes("Dyazide", lexicon) == {"potassium-sparing-diuretics", "thiazide-diuretics"}
    assert _classes("Caduet 5/10", lexicon) == {"statins", "dihydropyridine-ccbs"}


@pytest.mark.parametrize(
    ("flagged", "not_flagged"),
    [
        ("iron sucrose 200mg IV", "ferrous sulfate 325mg"),
        ("IV iron infusion", "iron tablets"),
        ("fluticasone/salmeterol 250/50", "fluticasone nasal spray"),
        ("hydrocortisone 10mg tablets", "hydrocortisone cream 1%"),
        ("estradiol 1mg tablet", "estradiol patch"),
    ],
)
def test_route_decides_the_answer(flagged, not_flagged, lexicon):
    assert check_entry(flagged, lexicon).status == "flagged"
    entry = check_entry(not_flagged, lexicon)
    assert entry.status == "not_flagged"


def test_route_excluded_entry_explains_why(lexicon):
    notes = " ".join(check_entry("hydrocortisone cream", lexicon).notes)
    assert "only in these forms" in notes


def test_flag_carries_tier_mechanism_key_figure_and_references(lexicon):
    (flag,) = check_entry("Lipitor", lexicon).flags
    assert flag.tier == "strong"
    assert "1.16" in flag.drug_class.key_figure
    assert flag.drug_class.mechanism
    assert all(r.url.startswith("http") for r in flag.references)


def test_extrapolated_member_has_its_own_lower_tier(lexicon):
    (flag,) = check_entry("amlodipine", lexicon).flags
    assert flag.tier == "weak"
    assert "extrapolation" in flag.note


def test_statuses_are_exactly_one_of_three(lexicon):
    result = check(["Lasix", "Tylenol", "xyzzy"], [], lexicon)
    assert [e.status for e in result.entries] == ["flagged", "not_flagged", "unresolved"]
    assert result.summary == {
        "total": 3, "flagged": 1, "not_flagged": 1, "unresolved": 1,
        "highest_tier": "moderate", "classes": ["loop-diuretics"],
    }


def test_partly_recognised_entry_is_never_reported_as_not_flagged(lexicon):
    assert check_entry("Tylenol frobnicate", lexicon).status == "unresolved"


def test_results_keep_input_order_and_text(lexicon):
    inputs = ["xyzzy", "Lipitor 20mg", "Tylenol", "lasix"]
    assert [e.resolution.input for e in check(inputs, [], lexicon).entries] == inputs


def test_quinine_gets_the_fda_warning_and_is_never_suggested(lexicon):
    result = check(["quinine 300mg at night for cramps"], [], lexicon)
    (warning,) = result.warnings
    assert warning.code == "quinine-for-cramps"
    assert "FDA" in warning.message
    assert any("fda.gov" in r.url for r in warning.references)
    assert check(["Lasix"], [], lexicon).warnings == []


@pytest.mark.parametrize("text", ["tonic water", "agua tónica para los calambres", "quinina 300 mg"])
def test_quinine_however_written_gets_the_warning(text, lexicon):
    assert [w.code for w in check([text], [], lexicon).warnings] == ["quinine-for-cramps"]


def test_a_medicine_in_two_classes_of_one_name_is_named_once_in_the_professional_note(lexicon):
    note = check(["Adderall 20 mg"], [], lexicon).advice["professional"]
    assert note.count("Stimulants and decongestants") == 1


def test_every_result_advises_talking_to_the_prescriber_and_never_to_stop(lexicon):
    for meds in (["Lasix"], ["Tylenol"], ["xyzzy"], ["Lasix", "Lipitor", "xyzzy"]):
        result = check(meds, [], lexicon)
        text = " ".join([result.advice["patient"], result.disclaimer])
        assert "prescriber or pharmacist" in text
        assert not re.search(r"\b(you should|please) (stop|start|change|switch)\b", text, re.I)
        assert not re.search(r"\b(causes|caused) (your |muscle |leg )?cramps", text + result.advice["professional"], re.I)


def test_conditions_match_by_synonym_and_unknown_ones_are_listed(lexicon):
    result = check(["Lasix"], ["CKD", "Type 2 Diabetes", "bad knees"], lexicon)
    assert [c.id for c in result.conditions] == ["kidney-disease", "diabetes"]
    assert result.unmatched_conditions == ["bad knees"]
    assert all(c.references for c in result.conditions)


@pytest.mark.parametrize(
    ("text", "condition"),
    [("Stage 3 CKD", "kidney-disease"), ("type II diabetes", "diabetes"), ("on haemodialysis 3x/week", "kidney-disease"),
     ("hypothyroidism (treated)", "thyroid-disease"), ("28 weeks pregnant", "pregnancy"),
     ("elderly", "older-age"), ("older adult, lives alone", "older-age"), ("over 65", "older-age")],
)
def test_conditions_are_found_inside_longer_descriptions(text, condition, lexicon):
    assert [c.id for c in check(["Lasix"], [text], lexicon).conditions] == [condition]


@pytest.mark.parametrize("text", ["no diabetes", "family history of kidney disease", "bad knees"])
def test_negated_or_unknown_conditions_are_not_matched(text, lexicon):
    result = check(["Lasix"], [text], lexicon)
    assert result.conditions == [] and result.unmatched_conditions == [text]


def test_the_same_medicine_written_twice_is_pointed_out(lexicon):
    entries = check(["simvastatin 40 mg", "Lasix", "Zocor 40 mg", "furosemide 20mg"], [], lexicon).entries
    assert not any("listed twice" in n for n in entries[0].notes + entries[1].notes)
    assert any("Medicine 1 of this list (simvastatin 40 mg) also holds simvastatin" in n for n in entries[2].notes)
    assert any("Medicine 2 of this list (Lasix) also holds furosemide" in n for n in entries[3].notes)


@pytest.mark.parametrize("medications", [["Flonase nasal spray", "Advair Diskus 250/50"],
                                         ["hydrocortisone cream 1%", "Solu-Cortef injection"]])
def test_one_ingredient_in_two_forms_is_not_called_a_duplicate(medications, lexicon):
    entries = check(medications, [], lexicon).entries
    assert not any("listed twice" in note for e in entries for note in e.notes)

