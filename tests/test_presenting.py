"""The check response is built without marshmallow's dump; it must still be exactly what the schema says."""


import pytest

from service.matching import check
from service.openfda.records import ClassEvidence, FaersEvidence, LabelEvidence
from service.pipeline import Pipeline
from service.presenting import check_json
from service.schemas import CheckResponseSchema

LISTS = [
    ["Lasix 40mg daily", "Hyzaar 50/12.5", "simvastatine", "Lasics", "Tylenol"],
    ["quinine 300mg at night", "tonic water", "iron sucrose IV", "ferrous sulfate"],
    ["Advair Diskus 250/50", "fluticasone nasal spray", "hydrocortisone cream", "prednisone 5 mg"],
    ["", "xyzzy plugh", "for my blood pressure", "aspirin 81"],
    ["Evista", "Forteo pen", "Aricept 10", "Procardia XL", "Premarin 0.625"],
    ["simvastatin", "clarithromycin", "amiodarone", "Lasix", "HCTZ", "omeprazole"],  # amplifiers
]


@pytest.mark.parametrize("medications", LISTS)
def test_fast_json_equals_the_schema_dump(medications, lexicon):
    result = Pipeline(lexicon).check(medications, ["CKD", "pregnant", "something else"])
    assert check_json(result) == CheckResponseSchema().dump(result)


def test_fast_json_equals_the_schema_dump_with_openfda_evidence(lexicon):
    evidence = {
        "montelukast": [LabelEvidence("montelukast", True, True, "adverse_reactions", "muscle cramps", "s1",
                                      "20250101", "https://dailymed.example/s1", "2026-09-18"),
                        FaersEvidence("montelukast", "MUSCLE SPASMS", 30, 1000, 2000, 1_000_000, 15.2, 10.6, 21.8,
                                      400.1, True, "caveat", "2026-09-18"),
                        ClassEvidence("montelukast", ("Leukotriene Receptor Antagonist [EPC]",), None, None)],
    }
    result = check(["Singulair 10mg", "Lasix"], [], lexicon, evidence)
    result.sources = {"openfda": {"source": "openfda", "status": "ok", "not_checked": [],
                                  "last_updated": "2026-09-18", "disclaimer": "d"}}
    body = check_json(result)
    assert body == CheckResponseSchema().dump(result)
    assert body["medications"][0]["flags"][0]["source"] == "openfda-label"
    assert [e["source"] for e in body["medications"][0]["evidence"]] == ["label", "faers", "class"]


def test_a_seed_flag_is_built_once_and_shared_by_checks(lexicon):
    pipeline = Pipeline(lexicon)
    first = pipeline.check(["Lasix"]).entries[0].flags[0]
    again = pipeline.check(["furosemide 20 mg"]).entries[0].flags[0]
    assert first is again and first.json is again.json
