"""Amplifiers: combinations on one list that raise the risk, found from seed data."""

import pytest

from service.amplifiers import stated_dose_mg
from service.matching import check


def _found(medications, lexicon):
    return {a.amplifier.id: a for a in check(medications, [], lexicon).amplifiers}


def _example(side, lexicon):
    """One ingredient that a side of a seeded combination matches (its first ingredient or class member)."""
    if side.ingredients:
        return sorted(side.ingredients)[0]
    return sorted(m.ingredient for c in sorted(side.classes) for m in lexicon.class_members[c])[0]


def test_every_seeded_combination_is_found_from_two_entries_and_cites_its_sources(lexicon):
    assert len(lexicon.amplifiers) >= 13
    for amplifier in lexicon.amplifiers:
        first, second = _example(amplifier.first, lexicon), _example(amplifier.second, lexicon)
        found = _found([first, second], lexicon)
        assert amplifier.id in found, (amplifier.id, first, second)
        assert found[amplifier.id].medicines == (first, second)
        assert amplifier.references and amplifier.why and amplifier.tier in ("strong", "moderate", "weak")


@pytest.mark.parametrize("medications, expected", [
    (["simvastatin 80 mg", "clarithromycin"], "statin-strong-cyp3a4-inhibitor"),
    (["Lipitor 40mg", "Biaxin XL"], "statin-strong-cyp3a4-inhibitor"),
    (["lovastatin", "itraconazole 100 mg"], "statin-strong-cyp3a4-inhibitor"),
    (["atorvastatin", "Paxlovid"], "statin-strong-cyp3a4-inhibitor"),
    (["Crestor", "gemfibrozil 600 mg bid"], "statin-gemfibrozil"),
    (["pravastatin", "ciclosporin"], "statin-ciclosporin"),
    (["colchicine 0.6 mg", "fenofibrate"], "colchicine-statin-or-fibrate"),
    (["Lasix 40mg", "metolazone 2.5 mg"], "loop-and-thiazide"),
    (["bumetanide", "HCTZ"], "loop-and-thiazide"),
    (["Nexium", "Lasix"], "ppi-and-diuretic"),
    (["Ventolin inhaler", "prednisone 40 mg"], "beta2-agonist-and-steroid-theophylline-or-diuretic"),
    (["salmeterol", "theophylline"], "beta2-agonist-and-steroid-theophylline-or-diuretic"),
])
def test_combinations_written_as_people_write_them(lexicon, medications, expected):
    assert expected in _found(medications, lexicon)


def test_an_unrelated_pair_and_a_single_medicine_are_no_combination(lexicon):
    assert _found(["Lasix", "Tylenol"], lexicon) == {}
    assert _found(["clarithromycin"], lexicon) == {}
    # rosuvastatin and pravastatin are not cleared by CYP3A4: no strong-inhibitor combination
    assert "statin-strong-cyp3a4-inhibitor" not in _found(["rosuvastatin", "clarithromycin"], lexicon)


def test_two_ingredients_of_one_product_are_not_a_combination_of_the_list(lexicon):
    assert _found(["Dyazide"], lexicon) == {}
    assert _found(["Symbicort"], lexicon) == {}


@pytest.mark.parametrize("statin, counted", [
    ("simvastatin 40 mg", True), ("simvastatin 20 mg", False), ("simvastatin 10mg", False), ("Zocor 80mg", True),
])
def test_a_dose_limit_counts_only_above_it(lexicon, statin, counted):
    found = _found([statin, "amiodarone"], lexicon)
    assert ("simvastatin-above-20mg-amiodarone-amlodipine-ranolazine" in found) is counted


def test_an_unstated_dose_is_reported_with_the_limit(lexicon):
    result = check(["simvastatin", "amlodipine 5 mg"], [], lexicon)
    (amplifier,) = [a for a in result.amplifiers_json if a["id"].startswith("simvastatin-above-20mg")]
    assert "above 20 mg" in amplifier["dose_note"] and "does not say the dose" in amplifier["dose_note"]
    assert [m["index"] for m in amplifier["medicines"]] == [0, 1]


@pytest.mark.parametrize("text, dose", [
    ("simvastatin 80 mg", 80), ("Zocor 40MG tablet", 40), ("simva 20 MG Oral Tablet", 20), ("colchicine 0.6mg", 0.6),
    ("simvastatin", None), ("Vytorin 10/40", None), ("simvastatin 20 mg or 40 mg", None),
])
def test_the_stated_dose_is_read_only_when_unambiguous(text, dose):
    assert stated_dose_mg(text) == dose


def test_amplifier_wording_keeps_the_safety_rules(lexicon):
    for amplifier in lexicon.amplifiers:
        words = amplifier.why.lower()
        assert " causes " not in words and "stop" not in words and "quinine" not in words
