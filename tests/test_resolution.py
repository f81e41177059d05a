"""Resolution: medication strings as people write them -> ingredients."""

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

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


# RxNorm clinical drug names (SCD, SBD, GPCK, BPCK) as pharmacy systems send them.
@pytest.mark.parametrize(
    ("text", "expected", "routes"),
    [
        ("furosemide 40 MG Oral Tablet", {"furosemide"}, {"oral"}),
        ("Furosemide 40 MG Oral Tablet [Lasix]", {"furosemide"}, {"oral"}),
        ("NDA020503 200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", {"albuterol"}, {"inhaled"}),
        ("tiotropium 0.018 MG Dry Powder Inhaler", {"tiotropium"}, {"inhaled"}),
        ("heparin sodium, porcine 1000 UNT/ML Injectable Solution", {"heparin"}, {"injection"}),
        ("0.5 ML heparin sodium, porcine 10000 UNT/ML Prefilled Syringe", {"heparin"}, {"injection"}),
        ("nitrofurantoin, macrocrystals 100 MG Oral Capsule", {"nitrofurantoin"}, {"oral"}),
        ("etonogestrel 68 MG Drug Implant", {"etonogestrel"}, {"implant"}),
        ("3 ML insulin glargine 100 UNT/ML Cartridge", {"insulin glargine"}, {"injection"}),
        ("fentanyl 0.1 MG/ACTUAT Mucosal Spray", {"fentanyl"}, {"mucosal"}),
        ("timolol 5 MG/ML Ophthalmic Solution", {"timolol"}, {"ophthalmic"}),
        ("estradiol 0.1 MG/DAY Transdermal System", {"estradiol"}, {"transdermal"}),
        ("24 HR nifedipine 30 MG Extended Release Oral Tablet", {"nifedipine"}, {"oral"}),
        (
            "estrogens, conjugated (USP) 0.625 MG / medroxyprogesterone acetate 2.5 MG Oral Tablet",
            {"conjugated estrogens", "medroxyprogesterone"}, {"oral"},
        ),
        (
            "bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet [Biktarvy]",
            {"bictegravir", "emtricitabine", "tenofovir alafenamide"}, {"oral"},
        ),
        (
            "{21 (ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet) / "
            "7 (inert ingredients 1 MG Oral Tablet) } Pack [Levora 28]",
            {"ethinyl estradiol", "levonorgestrel"}, {"oral"},
        ),
    ],
)
def test_rxnorm_clinical_drug_names_resolve_completely_with_their_route(text, expected, routes, lexicon):
    resolution = resolve(text, lexicon)
    assert resolution.unrecognised == ()
    assert {i.name for i in resolution.ingredients} == expected
    assert resolution.routes == routes


def test_every_rxnorm_dose_form_names_a_route_and_is_read_as_a_known_phrase(lexicon):
    from service.resolution import dose_forms

    forms = dose_forms()
    assert len(forms) >= 100
    for form in forms:
        resolution = resolve(f"furosemide 10 MG {' '.join(form)}", lexicon)
        assert resolution.complete, form
        assert {i.name for i in resolution.ingredients} == {"furosemide"}, form


def test_route_limits_apply_to_rxnorm_dose_forms(lexicon):
    from service.matching import check_entry

    assert check_entry("prednisolone acetate 10 MG/ML Ophthalmic Suspension", lexicon).status == "not_flagged"
    assert check_entry("prednisolone 5 MG Oral Tablet", lexicon).status == "flagged"
    assert check_entry("dexamethasone 1 MG/ML Otic Suspension", lexicon).status == "not_flagged"
    assert check_entry("estradiol 0.05 MG/DAY Transdermal System", lexicon).status == "not_flagged"


def test_an_unknown_pack_brand_does_not_hide_the_ingredients_it_follows(lexicon):
    resolution = resolve("norethindrone 0.35 MG Oral Tablet [Zzqxbrand]", lexicon)
    assert resolution.complete
    assert {i.name for i in resolution.ingredients} == {"norethindrone"}


def test_a_bracketed_brand_alone_is_read(lexicon):
    assert _ingredient_set("[Lasix]", lexicon) == {"furosemide"}


def test_an_over_long_entry_is_that_entrys_problem(lexicon):
    from service.matching import check_entry

    result = check_entry("furosemide " * 300, lexicon)
    assert result.status == "unresolved"
    assert any("longer than" in note for note in result.notes)


def _pack_of_about(chars: int) -> str:
    component = "(ethinyl estradiol 0.03 MG / levonorgestrel 0.15 MG Oral Tablet [Levora])"
    parts = []
    while len(" / ".join(parts)) < chars - 60:
        parts.append(f"{len(parts) + 5} {component}")
    return "{" + " / ".join(parts) + " / 7 (inert ingredients 1 MG Oral Tablet) } Pack [Levora 28 Day]"


def test_a_600_character_pack_and_four_ordinary_entries_are_all_answered(client):
    pack = _pack_of_about(600)
    assert 580 <= len(pack) <= 700
    entries = [pack, "Lasix 40mg daily", "simvastatin 20 mg", "metformin 500mg bid", "Lipitor"]
    response = client.post("/api/v1/check", json={"medications": entries, "openfda": False})
    assert response.status_code == 200
    results = response.get_json()["medications"]
    assert [r["input"] for r in results] == entries
    assert {i["name"] for i in results[0]["ingredients"]} == {"ethinyl estradiol", "levonorgestrel"}
    assert [r["status"] for r in results] == ["flagged", "flagged", "flagged", "not_flagged", "flagged"]


def test_an_over_long_entry_does_not_reject_the_list(client):
    entries = ["x" * 2500, "Lasix"]
    response = client.post("/api/v1/check", json={"medications": entries, "openfda": False})
    assert response.status_code == 200
    first, second = response.get_json()["medications"]
    assert first["status"] == "unresolved" and first["notes"]
    assert second["status"] == "flagged"


def _curated_combinations():
    seed_dir = Path(__file__).resolve().parent.parent / "seed"
    rows = []
    for name in ("products.csv", "common_products.csv"):
        path = seed_dir / name
        if path.exists():
            rows += [r for r in csv.DictReader(path.open(encoding="utf-8")) if ";" in r["ingredients"]]
    return rows


COMBINATIONS = _curated_combinations()


def test_every_curated_combination_names_all_its_ingredients(lexicon):
    misses = []
    for row in COMBINATIONS:
        expected = set(row["ingredients"].split(";"))
        for text in (row["name"], f"{row['name']} 10/20 mg tablet daily"):
            resolution = resolve(text, lexicon)
            if not resolution.complete or {i.name for i in resolution.ingredients} != expected:
                misses.append((text, sorted(expected), [i.name for i in resolution.ingredients], resolution.unrecognised))
    assert not misses


def test_a_combination_read_as_one_ingredient_is_never_answered_not_flagged(lexicon):
    """A combination strength ("50/12.5") beside one ingredient: the entry says one was not read."""
    from service.matching import check_entry

    checked = 0
    for row in COMBINATIONS:
        first = row["ingredients"].split(";")[0]
        if first.startswith("insulin") or len(resolve(first, lexicon).ingredients) != 1:
            continue
        result = check_entry(f"{first} 50/12.5 mg", lexicon)
        assert result.status != "not_flagged", row
        if result.status == "unresolved":
            assert any("not read" in note for note in result.notes), row
        else:
            assert "50/12.5" in result.resolution.unrecognised, row
        checked += 1
    assert checked >= 50


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("Zzqxbrand-D", None),
        ("metformin plus", "plus"),
        ("Lipitor DS", "ds"),
        ("Tylenol #3", None),
        ("acetaminophen #3", "#3"),
        ("Synjardy 5/1000", None),
        ("empagliflozin 5/1000", "5/1000"),
        ("loratadine-D 12 hour", "d"),
        ("Alka-Seltzer Plus", "plus"),
        ("Calcium + D", "d"),
        ("Caltrate 600 + D", "d"),
        ("Sudafed PE Pressure + Pain", "+"),
    ],
)
def test_combination_markers_never_drop_an_ingredient_silently(text, marker, lexicon):
    from service.matching import check_entry

    result = check_entry(text, lexicon)
    if marker is None:  # a known product: every ingredient is read
        assert result.resolution.complete and len(result.resolution.ingredients) >= 2 or result.status == "unresolved"
    else:
        assert result.status != "not_flagged"
        assert marker in result.resolution.unrecognised
        assert any("not read" in note for note in result.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SMX-TMP DS", {"sulfamethoxazole", "trimethoprim"}),
        ("TMP-SMX 800/160 BID", {"sulfamethoxazole", "trimethoprim"}),
        ("pip/tazo 3.375 g IV q6h", {"piperacillin", "tazobactam"}),
        ("amox-clav 875/125", {"amoxicillin", "clavulanate"}),
        ("co-amoxiclav 625mg", {"amoxicillin", "clavulanate"}),
        ("APAP 500", {"acetaminophen"}),
        ("ASA 81 mg", {"aspirin"}),
        ("HCTZ 25", {"hydrochlorothiazide"}),
        ("MTX 2.5 mg weekly", {"methotrexate"}),
        ("NTG 0.4 mg SL prn chest pain", {"nitroglycerin"}),
        ("KCl 20 mEq PO", {"potassium chloride"}),
        ("co-codamol 30/500", {"acetaminophen", "codeine"}),
        ("normal saline 1000 mL", {"sodium chloride"}),
        ("NS 500 mL bolus", {"sodium chloride"}),
        ("half NS", {"sodium chloride"}),
        ("D5W 1000 mL IV", {"glucose"}),
        ("D5NS", {"glucose", "sodium chloride"}),
        ("D5 1/2NS with 20 mEq KCl", {"glucose", "sodium chloride", "potassium chloride"}),
        ("dextrose 10%", {"glucose"}),
        ("lactated Ringer's 1000 mL", {"calcium chloride", "potassium chloride", "sodium chloride", "sodium lactate"}),
        ("LR @ 125 mL/hr", {"calcium chloride", "potassium chloride", "sodium chloride", "sodium lactate"}),
        ("vancomycin 1 g in NS 250 mL IVPB", {"vancomycin"}),
        ("cefazolin 2 g in D5W 100 mL premix bag", {"cefazolin"}),
        ("metoprolol tart 25 mg PO BID", {"metoprolol"}),
        ("amlodipine besyl 5 mg", {"amlodipine"}),
        ("levothyroxine Na 50 mcg", {"levothyroxine"}),
        ("potassium cl 20 meq", {"potassium chloride"}),
        ("neomycin-polymyxin-dexamethasone ophth susp", {"neomycin", "polymyxin b", "dexamethasone"}),
        ("insulin lispro sliding scale SC AC+HS", {"insulin lispro"}),
    ],
)
def test_pharmacist_abbreviations_order_text_and_iv_fluids(text, expected, lexicon):
    assert _ingredient_set(text, lexicon) == expected


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("heparin 5000 units SC q8h", "injection"),
        ("ceftriaxone 1 g IVPB premix bag", "injection"),
        ("ondansetron 4 mg/2 mL vial IV push", "injection"),
        ("hydromorphone 1 mg/mL ampule", "injection"),
        ("enoxaparin 40 mg/0.4 mL syringe daily", "injection"),
        ("haloperidol 5 mg IM", "injection"),
        ("timolol 0.5% 1 drop OU BID", "ophthalmic"),
        ("latanoprost 0.005% 1 gtt both eyes qhs", "ophthalmic"),
        ("prednisolone acetate 1% ophth susp OS QID", "ophthalmic"),
        ("omeprazole 20 mg via NG tube", "oral"),
        ("acetaminophen 650 mg PR q6h", "rectal"),
        ("albuterol 2.5 mg IH q4h prn", "inhaled"),
    ],
)
def test_order_text_routes_are_read_and_feed_route_limits(text, route, lexicon):
    resolution = resolve(text, lexicon)
    assert resolution.complete
    assert resolution.routes == {route}


def test_route_words_in_order_text_decide_route_limits(lexicon):
    from service.matching import check_entry

    assert check_entry("prednisolone acetate 1% ophth susp OS QID", lexicon).status == "not_flagged"
    assert check_entry("methylprednisolone 125 mg IV push", lexicon).status == "flagged"
    assert check_entry("iron sucrose 200 mg in NS 100 mL IVPB", lexicon).status == "flagged"


LABEL_WORDS = (Path(__file__).parent / "label_words.txt").read_text(encoding="utf-8").split()


def test_ordinary_label_words_never_become_a_drug(lexicon):
    assert len(LABEL_WORDS) >= 400
    turned_into_drugs = {w: [i.name for i in resolve(w, lexicon).ingredients] for w in LABEL_WORDS}
    assert {w: names for w, names in turned_into_drugs.items() if names} == {}


@pytest.mark.parametrize(
    "text", ["sugar free", "Extra Strength", "children's", "night time relief", "max strength original", "ultra",
             "alive", "alias", "ability", "compress", "relation", "infer", "lyrics", "avoiding"],
)
def test_ordinary_words_are_not_read_as_misspelt_drugs(text, lexicon):
    assert resolve(text, lexicon).ingredients == ()


SPANISH_WORDS = (Path(__file__).parent / "label_words_es.txt").read_text(encoding="utf-8").split()


def test_ordinary_spanish_words_never_become_a_drug(lexicon):
    """Directions, days, forms, makers and conditions as Spanish lists write them ("en ayunas" once read
    as the contraceptive Ayuna, "ahora" as estradiol, "complejo" as Complera)."""
    assert len(SPANISH_WORDS) >= 200
    turned_into_drugs = {w: [i.name for i in resolve(w, lexicon).ingredients] for w in SPANISH_WORDS}
    assert {w: names for w, names in turned_into_drugs.items() if names} == {}


@pytest.mark.parametrize(("text", "expected"), [
    ("my lasix", {"furosemide"}),
    ("her metformin 500mg", {"metformin"}),
    ("his atorvastatin", {"atorvastatin"}),
    ("some ibuprofen", {"ibuprofen"}),
    ("our Zocor", {"simvastatin"}),
    ("mi furosemida", {"furosemide"}),
    ("su lasix", {"furosemide"}),
    ("una pastilla de furosemida", {"furosemide"}),
    ("mis pastillas de simvastatina", {"simvastatin"}),
    ("omeprazol 20 mg en ayunas", {"omeprazole"}),
    ("simvastatina 40 mg por la noche", {"simvastatin"}),
    ("furosemida para la tensión", {"furosemide"}),
    ("losartán con hidroclorotiazida", {"losartan", "hydrochlorothiazide"}),
    ("Simvastatina Normon 20 mg comprimidos recubiertos con película EFG", {"simvastatin"}),
    ("Omeprazol Cinfa 20 mg cápsulas duras gastrorresistentes EFG", {"omeprazole"}),
    ("Ventolin inhalador 2 inhalaciones si precisa", {"albuterol"}),
    ("metformin (started 2 years ago)", {"metformin"}),
    ("lisinopril started 1 year ago", {"lisinopril"}),
    ("hierro sacarosa 200 mg IV", {"iron sucrose"}),  # once read as sucrose, with "hierro" unknown
    ("Venofer (hierro sacarosa)", {"iron sucrose"}),
])
def test_words_around_a_name_are_read_as_words_not_as_other_drugs(text, expected, lexicon):
    """Possessives, articles and Spanish directions around a name: no unknown word, no look-alike."""
    resolution = resolve(text, lexicon)
    assert {i.name for i in resolution.ingredients} == expected
    assert resolution.unrecognised == () and resolution.suggestions == ()


@pytest.mark.parametrize(("text", "route"), [
    ("furosemida comprimidos", "oral"), ("furosemida inyectable", "injection"), ("estradiol parche", "transdermal"),
    ("hidrocortisona crema", "topical"), ("dexametasona colirio", "ophthalmic"),
])
def test_spanish_form_words_say_the_route(text, route, lexicon):
    assert resolve(text, lexicon).routes == frozenset({route})


def test_label_words_beside_a_brand_do_not_stop_it_resolving(lexicon):
    assert _ingredient_set("Tylenol Extra Strength caplets", lexicon) == {"acetaminophen"}
    assert _ingredient_set("Children's Motrin", lexicon) == {"ibuprofen"}


@pytest.mark.parametrize("text", ["Cardizom LA 120", "Zzqlol XL", "Qorvant CD 60mg", "Vexorbil SR"])
def test_an_unknown_modified_release_brand_is_not_offered_a_look_alike(text, lexicon):
    resolution = resolve(text, lexicon)
    assert resolution.ingredients == ()
    assert all(
        fuzz.ratio(resolution.unrecognised[0], s.name.lower()) >= 85 for s in resolution.suggestions
    ), resolution.suggestions


@pytest.mark.parametrize(
    ("brand", "expected"),
    [
        ("Genvoya", {"cobicistat", "elvitegravir", "emtricitabine", "tenofovir alafenamide"}),
        ("Descovy", {"emtricitabine", "tenofovir alafenamide"}),
        ("Stribild", {"cobicistat", "elvitegravir", "emtricitabine", "tenofovir disoproxil"}),
        ("Nexplanon", {"etonogestrel"}),
        ("BiDil", {"isosorbide dinitrate", "hydralazine"}),
        ("Inderal LA 80mg", {"propranolol"}),
        ("Janumet 50/1000", {"sitagliptin", "metformin"}),
        ("Kombiglyze XR", {"saxagliptin", "metformin"}),
        ("Jentadueto", {"linagliptin", "metformin"}),
        ("Tildiem LA 200", {"diltiazem"}),
        ("Synjardy 5/1000", {"empagliflozin", "metformin"}),
        ("Tylenol #3", {"acetaminophen", "codeine"}),
        ("Depakote ER 500", {"divalproex"}),
        ("Senokot-S", {"senna", "docusate"}),
        ("Symbyax 6/25", {"olanzapine", "fluoxetine"}),
        ("Contrave", {"naltrexone", "bupropion"}),
    ],
)
def test_common_and_combination_brands_resolve_to_every_ingredient(brand, expected, lexicon):
    assert _ingredient_set(brand, lexicon) == expected


@pytest.mark.parametrize(
    ("brand", "rxnorm"),
    [
        ("Biktarvy", "bictegravir 50 MG / emtricitabine 200 MG / tenofovir alafenamide 25 MG Oral Tablet"),
        ("Truvada", "emtricitabine 200 MG / tenofovir disoproxil fumarate 300 MG Oral Tablet"),
        ("Depakote", "divalproex sodium 500 MG Delayed Release Oral Tablet"),
        ("Humulin R", "insulin, regular, human 100 UNT/ML Injectable Solution"),
        ("Glucovance", "glyburide 5 MG / metformin hydrochloride 500 MG Oral Tablet"),
        ("CellCept", "mycophenolate mofetil 500 MG Oral Tablet"),
        ("Premarin", "estrogens, conjugated (USP) 0.625 MG Oral Tablet"),
        ("Fortical", "calcitonin salmon 200 UNT/ACTUAT Metered Dose Nasal Spray"),
        ("Fosavance", "alendronic acid 70 MG / cholecalciferol 0.07 MG Oral Tablet"),
        ("Kelnor", "ethynodiol diacetate 1 MG / ethinyl estradiol 0.035 MG Oral Tablet"),
    ],
)
def test_a_brand_and_its_rxnorm_name_give_the_same_ingredients(brand, rxnorm, lexicon):
    assert _ingredient_set(brand, lexicon) == _ingredient_set(rxnorm, lexicon) != set()
    assert _ingredient_set(f"{rxnorm} [{brand}]", lexicon) == _ingredient_set(brand, lexicon)


RXNORM_CASES = list(csv.DictReader((Path(__file__).parent / "rxnorm_cases.csv").open(encoding="utf-8")))


def test_rxnorm_table_is_large_and_covers_every_term_type_and_dose_form_family():
    kinds = {row["kind"].split()[1] for row in RXNORM_CASES if row["kind"].startswith("rxnorm")}
    assert {"scd", "sbd", "gpck", "bpck", "scdc", "sbdc", "scdf", "scdg"} <= kinds
    assert sum(row["kind"].startswith("rxnorm") for row in RXNORM_CASES) >= 300
    assert sum(row["kind"] == "shopping" for row in RXNORM_CASES) >= 150
    text = " ".join(row["input"].lower() for row in RXNORM_CASES)
    for family in ("oral tablet", "inhaler", "nasal", "ophthalmic", "otic", "topical", "transdermal", "vaginal",
                   "rectal", "injectable", "prefilled syringe", "pen injector", "cartridge", "drug implant",
                   "intrauterine", "mucosal", "sublingual", "buccal", "chewable", "granules", "irrigation",
                   "intravesical", "pyelocalyceal", "shampoo", "lozenge", "gas for inhalation", "pack"):
        assert family in text, family


@pytest.mark.parametrize("kind", ["rxnorm", "shopping"])
def test_rxnorm_and_shopping_list_names_are_read_cleanly_and_never_as_a_wrong_drug(kind, lexicon):
    rows = [r for r in RXNORM_CASES if r["kind"].split()[0] == kind]
    not_clean, wrong = [], []
    for row in rows:
        expected = set(row["ingredients"].split(";"))
        resolution = resolve(row["input"], lexicon)
        got = {i.name for i in resolution.ingredients}
        if got - expected:
            wrong.append((row["input"], sorted(got - expected)))
        if got != expected or not resolution.complete:
            not_clean.append((row["input"], sorted(got), resolution.unrecognised))
    assert wrong == []
    assert 1 - len(not_clean) / len(rows) >= 0.99, not_clean


@pytest.mark.parametrize("text", ["sulfamet", "sulfamethi"])
def test_a_shortened_name_is_not_read_as_a_look_alike_drug(text, lexicon):
    # Order systems cut names short; "sulfamet..." is the start of sulfamethoxazole, not sulfameter.
    assert fuzzy_match(text, lexicon) is None


@pytest.mark.parametrize("text", ["Lasix 40mg started 3/15/2024", "Lasix 40 mg since 3/15", "Lipitor 20 mg 1/2 tab"])
def test_dates_and_fractions_are_not_combination_strengths(text, lexicon):
    resolution = resolve(text, lexicon)
    assert resolution.complete and len(resolution.ingredients) == 1


def test_every_curated_ingredient_name_reads_as_itself(lexicon):
    """One ingredient name per product: a brand's ingredient, written out, gives that same name."""
    seed_dir = Path(__file__).resolve().parent.parent / "seed"
    names = set()
    for file, column in (("products.csv", "ingredients"), ("common_products.csv", "ingredients"),
                         ("synonyms.csv", "ingredient")):
        for row in csv.DictReader((seed_dir / file).open(encoding="utf-8")):
            names.update(row[column].split(";"))
    names.discard("water")  # an IV vehicle, not read on its own
    misread = {}
    for name in names:
        resolution = resolve(name, lexicon)
        if not resolution.complete or [i.name for i in resolution.ingredients] != [name]:
            misread[name] = [i.name for i in resolution.ingredients]
    assert misread == {}


def test_every_seeded_ingredient_has_a_curated_brand():
    seed_dir = Path(__file__).resolve().parent.parent / "seed"
    members = {r["ingredient"] for r in csv.DictReader((seed_dir / "members.csv").open(encoding="utf-8"))}
    branded = {
        ingredient
        for file in ("products.csv", "common_products.csv")
        for row in csv.DictReader((seed_dir / file).open(encoding="utf-8"))
        for ingredient in row["ingredients"].split(";")
    }
    # "estrogen" and "iron" are how people write a group of products, not one medicine.
    assert members - branded - {"estrogen", "iron"} == set()
