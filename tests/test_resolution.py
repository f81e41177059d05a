"""Resolution: medication strings as people write them -> ingredients."""

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.resolution import fuzzy_match, resolve, suggest

CASES = list(csv.DictReader((Path(__file__).parent / "resolution_cases.csv").open(encoding="utf-8")))


def _ingredient_set(text, lexicon):
    resolution = resolve(text, lexicon)
    return {i.name for i in resolution.ingredients} if resolution.complete else set()


def test_case_table_is_large_and_varied():
    categories = {row["category"].split()[0] for row in CASES}
    assert len(CASES) >= 200
    assert {"brand", "generic", "combination", "misspelling", "nonsense", "negative", "uk"} <= categories


def test_resolution_table_accuracy_is_at_least_97_percent(lexicon):
    misses = [
        (row["input"], row["ingredients"], sorted(_ingredient_set(row["input"], lexicon)))
        for row in CASES
        if _ingredient_set(row["input"], lexicon) != set(filter(None, row["ingredients"].split(";")))
    ]
    accuracy = 1 - len(misses) / len(CASES)
    assert accuracy >= 0.97, f"accuracy {accuracy:.3f}; misses: {misses}"


@pytest.mark.parametrize("row", [r for r in CASES if r["category"] == "nonsense"], ids=lambda r: r["input"])
def test_nonsense_never_resolves_to_a_drug(row, lexicon):
    resolution = resolve(row["input"], lexicon)
    assert resolution.ingredients == ()


@pytest.mark.parametrize(
    ("text", "expected", "match"),
    [
        ("Lasix 40mg daily", {"furosemide"}, "brand"),
        ("frusemide", {"furosemide"}, "synonym"),
        ("salbutamol inhaler", {"albuterol"}, "synonym"),
        ("furosemide", {"furosemide"}, "exact"),
        ("Hyzaar 50/12.5", {"losartan", "hydrochlorothiazide"}, "brand"),
    ],
)
def test_names_resolve_and_say_how_they_matched(text, expected, match, lexicon):
    resolution = resolve(text, lexicon)
    assert {i.name for i in resolution.ingredients} == expected
    assert {i.match for i in resolution.ingredients} == {match}


def test_combination_separators_all_split(lexicon):
    for text in ("losartan/HCTZ", "losartan-HCTZ", "losartan + HCTZ", "losartan and HCTZ", "losartan with HCTZ"):
        assert _ingredient_set(text, lexicon) == {"losartan", "hydrochlorothiazide"}, text


def test_salt_words_after_a_name_are_part_of_it(lexicon):
    assert _ingredient_set("atorvastatin calcium 20mg", lexicon) == {"atorvastatin"}
    assert _ingredient_set("metoprolol succinate ER", lexicon) == {"metoprolol"}


def test_misspelling_resolves_only_as_fuzzy_and_says_so(lexicon):
    (ingredient,) = resolve("simvastatinn 20mg", lexicon).ingredients
    assert ingredient.name == "simvastatin"
    assert ingredient.match == "fuzzy"
    assert ingredient.matched_text == "simvastatinn"


def test_far_misspelling_is_unresolved_with_ranked_suggestions(lexicon):
    resolution = resolve("Lasics", lexicon)
    assert resolution.ingredients == ()
    assert resolution.unrecognised == ("lasics",)
    assert resolution.suggestions[0].name == "Lasix"


def test_ambiguous_misspelling_is_not_guessed(lexicon):
    # "vitamins" is as close to vitamin A as to vitamin C, D or E.
    assert fuzzy_match("vitamins", lexicon) is None


def test_misspelling_with_a_different_first_letter_is_not_guessed(lexicon):
    assert fuzzy_match("kasix", lexicon) is None


def test_unknown_words_beside_a_known_drug_are_reported(lexicon):
    resolution = resolve("Lipitor frobnicate", lexicon)
    assert {i.name for i in resolution.ingredients} == {"atorvastatin"}
    assert resolution.unrecognised == ("frobnicate",)
    assert not resolution.complete


def test_reason_after_for_is_ignored(lexicon):
    assert _ingredient_set("Plavix 75 mg daily for stent", lexicon) == {"clopidogrel"}


def test_routes_are_read_from_form_words(lexicon):
    assert resolve("fluticasone nasal spray", lexicon).routes == {"nasal"}
    assert resolve("iron sucrose 200mg IV", lexicon).routes == {"injection"}
    assert resolve("hydrocortisone cream", lexicon).routes == {"topical"}


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01", "/////", "💊💊", "a" * 10_000, "(((", "mg mg mg", "١٢٣"])
def test_no_input_crashes(text, lexicon):
    resolution = resolve(text, lexicon)
    assert resolution.ingredients == ()


def test_suggest_completes_prefixes_curated_first(lexicon):
    names = [s.name for s in suggest("lasi", lexicon)]
    assert names[0] == "Lasix"


def test_suggest_tolerates_typos_and_caps_results(lexicon):
    assert "atorvastatin" in {i for s in suggest("atorvastatn", lexicon) for i in s.ingredients}
    assert len(suggest("flu", lexicon, limit=50)) > 10  # many names start so ...
    assert len(suggest("flu", lexicon, limit=10)) == 10  # ... and the limit holds


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120))
def test_resolve_never_crashes_and_names_only_known_ingredients(text, lexicon):
    resolution = resolve(text, lexicon)
    known = {i for entry in lexicon.names.values() for i in entry.ingredients}
    assert {i.name for i in resolution.ingredients} <= known
    assert resolution.input == text
