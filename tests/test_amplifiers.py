"""Amplifiers: combinations on one list that raise the risk, found from seed data."""

import pytest

from service.doses import daily_dose
from service.matching import check


def _found(medications, lexicon):
    return {a.amplifier.id: a for a in check(medications, [], lexicon).amplifiers}


def _pairs(medications, lexicon):
    return {(a.amplifier.id, *a.medicines) for a in check(medications, [], lexicon).amplifiers}


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


@pytest.mark.parametrize("text, ingredients, ingredient, names, dose", [
    ("simvastatin 80 mg", ["simvastatin"], "simvastatin", ["simvastatin"], 80),
    ("Zocor 40MG tablet", ["simvastatin"], "simvastatin", ["zocor"], 40),
    ("simva 20 MG Oral Tablet", ["simvastatin"], "simvastatin", ["simva"], 20),
    ("colchicine 0.6mg", ["colchicine"], "colchicine", ["colchicine"], 0.6),
    ("Zocor 80", ["simvastatin"], "simvastatin", ["zocor"], 80),  # a bare strength right after the name
    ("simvastatin 0.08 g", ["simvastatin"], "simvastatin", ["simvastatin"], 80),
    ("simvastatin 20 mg twice daily", ["simvastatin"], "simvastatin", ["simvastatin"], 40),
    ("simvastatin 40mg bd", ["simvastatin"], "simvastatin", ["simvastatin"], 80),
    ("simvastatin 20 mg q12h", ["simvastatin"], "simvastatin", ["simvastatin"], 40),
    ("simvastatina 20 mg dos veces al dia", ["simvastatin"], "simvastatin", ["simvastatina"], 40),
    ("simvastatin 80 mg (started a week ago)", ["simvastatin"], "simvastatin", ["simvastatin"], 80),
    ("simvastatina 40 mg medio comprimido", ["simvastatin"], "simvastatin", ["simvastatina"], 20),
    ("simvastatin 40 mg every other day", ["simvastatin"], "simvastatin", ["simvastatin"], 40),  # on the days taken
    ("simvastatin 20mg, 2 tablets at night", ["simvastatin"], "simvastatin", ["simvastatin"], 40),
    ("simvastatin 80 mg 1/2 tab", ["simvastatin"], "simvastatin", ["simvastatin"], 40),
    ("Vytorin 10/80", ["ezetimibe", "simvastatin"], "simvastatin", ["vytorin", "vytorin"], 80),
    ("Advicor 500/20", ["niacin", "lovastatin"], "lovastatin", ["advicor", "advicor"], 20),
    ("simvastatin/ezetimibe 80/10", ["simvastatin", "ezetimibe"], "simvastatin", ["simvastatin", "ezetimibe"], 80),
    ("amlodipine/atorvastatin 5 mg/40 mg", ["amlodipine", "atorvastatin"], "atorvastatin",
     ["amlodipine", "atorvastatin"], 40),
    ("ezetimibe 10 mg / simvastatin 40", ["ezetimibe", "simvastatin"], "simvastatin", ["ezetimibe", "simvastatin"], 40),
])
def test_the_daily_dose_of_each_ingredient_is_read_as_written(text, ingredients, ingredient, names, dose):
    assert daily_dose(text, ingredients, ingredient, names).mg == dose


@pytest.mark.parametrize("text, ingredients, names, written", [
    ("simvastatin", ["simvastatin"], ["simvastatin"], False),
    ("simvastatin 20 mg or 40 mg", ["simvastatin"], ["simvastatin"], True),
    ("Vytorin 10/40/5", ["ezetimibe", "simvastatin"], ["vytorin", "vytorin"], True),  # three parts, two ingredients
    ("Vytorin 40 mg", ["ezetimibe", "simvastatin"], ["vytorin", "vytorin"], True),  # whose 40 mg?
    ("Zocor 1 daily", ["simvastatin"], ["zocor"], True),  # a count, not milligrams
    # Counts and frequencies that could be read two ways: once read 400, 40 (not 10), 80, 60, 2025 and 5 mg
    ("simvastatin 80 mg 0.5 tab", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 20 mg ½ tab", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 80mg 1 1/2 tablets", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 40 mg x 2 weeks", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 20 mg x2", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 20 mg three times a week", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 20 mg twice weekly", ["simvastatin"], ["simvastatin"], True),
    ("Vytorin (since 3/2025)", ["ezetimibe", "simvastatin"], ["vytorin", "vytorin"], True),
    ("Vytorin started 3/25", ["ezetimibe", "simvastatin"], ["vytorin", "vytorin"], True),
    ("simvastatin 5 mg/ml oral suspension 10 ml", ["simvastatin"], ["simvastatin"], True),
    ("simvastatin 5mg/5ml 10 ml", ["simvastatin"], ["simvastatin"], True),
])
def test_a_dose_that_cannot_be_told_for_sure_is_not_read(text, ingredients, names, written):
    dose = daily_dose(text, ingredients, "simvastatin", names)
    assert dose.mg is None and dose.written is written


def test_every_pair_on_the_list_is_a_combination_not_only_the_first(lexicon):
    assert _pairs(["Lipitor 40", "simvastatin 40", "clarithromycin"], lexicon) >= {
        ("statin-strong-cyp3a4-inhibitor", "atorvastatin", "clarithromycin"),
        ("statin-strong-cyp3a4-inhibitor", "simvastatin", "clarithromycin")}
    assert _pairs(["Lasix 40 mg", "HCTZ 25 mg", "metolazone 2.5 mg"], lexicon) >= {
        ("loop-and-thiazide", "furosemide", "hydrochlorothiazide"), ("loop-and-thiazide", "furosemide", "metolazone")}
    assert {("loop-and-thiazide", "furosemide", "hydrochlorothiazide"), ("loop-and-thiazide", "bumetanide",
            "hydrochlorothiazide")} <= _pairs(["Lasix", "Bumex", "HCTZ"], lexicon)


def test_entries_in_the_same_combination_share_its_rank(lexicon):
    for medications in (["Lasix", "Bumex", "HCTZ"], ["Lasix 40 mg", "Lasix 40 mg", "HCTZ"]):
        ranks = {item.index: item.rank for item in check(medications, [], lexicon).reasoning.attribution}
        assert ranks[0] == ranks[1], (medications, ranks)


@pytest.mark.parametrize("statin", ["ezetimibe 10 mg / simvastatin 40", "simvastatin 20 mg bid", "Vytorin 10/80",
                                    "simvastatin 10 mg, 4 tablets daily", "Zocor 80"])
def test_a_dose_limit_counts_the_daily_dose_of_the_statin_itself(lexicon, statin):
    found = _found([statin, "amlodipine 5 mg"], lexicon)
    amplifier = found["simvastatin-above-20mg-amiodarone-amlodipine-ranolazine"]
    assert "mg a day is above the 20 mg limit" in amplifier.json(check([statin, "amlodipine"], [], lexicon).entries)["dose_note"]


def test_a_written_dose_is_never_called_unwritten(lexicon):
    result = check(["Vytorin 10/80"], [], lexicon)
    (item,) = result.reasoning.attribution
    assert item.factors["dose_above_limit"] and not any("No dose was written" in r for r in item.reasons)


def test_amplifier_wording_keeps_the_safety_rules(lexicon):
    for amplifier in lexicon.amplifiers:
        words = amplifier.why.lower()
        assert " causes " not in words and "stop" not in words and "quinine" not in words
