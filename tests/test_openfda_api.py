"""openFDA in the check and batch responses: contribution, status, degradation and budget."""

import json
import time

import pytest
import requests
from conftest import openfda_body
from sqlalchemy import delete

from service import create_app
from service.extensions import db
from service.models import OpenFDACache
from service.services import services

BASE = "https://api.fda.gov"


@pytest.fixture(scope="module")
def fda_app(database_uri, tmp_path_factory):
    return create_app({
        "TESTING": True, "DATABASE_URL": database_uri, "OPENFDA_ENABLED": True,
        "HUEY_SQLITE_FILE": str(tmp_path_factory.mktemp("q") / "queue.db"),
        "OPENFDA_RATE_PER_SECOND": 10_000, "OPENFDA_RATE_PER_MINUTE": 100_000, "OPENFDA_MAX_ATTEMPTS": 2,
        "OPENFDA_BREAKER_FAILURES": 1000,
    })


@pytest.fixture
def client(fda_app):
    with fda_app.app_context():
        db.session.execute(delete(OpenFDACache))
        db.session.commit()
    service = services(fda_app).source("openfda")
    service.client.sleep = lambda _: None
    service.client.breaker.close()
    return fda_app.test_client()


def _not_found(fda, endpoint):
    fda.get(f"{BASE}/drug/{endpoint}.json", json=openfda_body("error_404_not_found.json"), status=404)


def test_label_evidence_flags_a_drug_outside_the_seed_as_moderate_never_strong(fda, client):
    label = openfda_body("label_montelukast_muscle_cramps_DERIVED.json")
    fda.get(BASE + "/drug/label.json", json=label)
    _not_found(fda, "event")
    _not_found(fda, "ndc")
    body = client.post("/api/v1/check", json={"medications": ["pravadoline 10mg", "Singulair 10mg"]}).get_json()
    singulair = body["medications"][1]
    assert singulair["status"] == "flagged"
    (flag,) = singulair["flags"]
    assert flag["source"] == "openfda-label" and flag["evidence_tier"] == "moderate"
    assert "muscle cramps" in flag["note"]
    assert {e["source"] for e in singulair["evidence"]} == {"label", "faers", "class"}
    assert body["openfda"]["status"] == "ok" and body["openfda"]["last_updated"] == "2026-09-18"


def test_a_combination_products_label_is_not_taken_for_one_ingredient(fda, client):
    fda.get(BASE + "/drug/label.json", json=openfda_body("label_combination_amlodipine_atorvastatin_DERIVED.json"))
    _not_found(fda, "event")
    _not_found(fda, "ndc")
    (entry,) = client.post("/api/v1/check", json={"medications": ["atorvastatin 20mg"]}).get_json()["medications"]
    label = next(e for e in entry["evidence"] if e["source"] == "label")
    assert label["found"] is False and label["mentions_cramps"] is False
    assert [f["source"] for f in entry["flags"]] == ["seed"]


def test_seed_flags_stay_and_openfda_evidence_is_shown_beside_them(fda, client):
    fda.get(BASE + "/drug/label.json", json=openfda_body("label_without_cramp_wording_DERIVED.json"))
    _not_found(fda, "event")
    _not_found(fda, "ndc")
    (lasix,) = client.post("/api/v1/check", json={"medications": ["Lasix"]}).get_json()["medications"]
    assert [f["source"] for f in lasix["flags"]] == ["seed"]
    assert lasix["evidence"][0]["mentions_cramps"] is False


def test_openfda_down_still_answers_from_the_seed_and_says_what_was_not_checked(fda, client):
    fda.get(BASE + "/drug/label.json", body=requests.ConnectionError("down"))
    response = client.post("/api/v1/check", json={"medications": ["Lasix", "Tylenol"]})
    assert response.status_code == 200
    body = response.get_json()
    assert body["medications"][0]["status"] == "flagged"
    assert body["openfda"]["status"] == "unavailable"
    assert set(body["openfda"]["not_checked"]) == {"furosemide", "acetaminophen"}


def test_garbage_from_openfda_never_becomes_a_5xx(fda, client):
    for endpoint in ("label", "event", "ndc"):
        fda.get(f"{BASE}/drug/{endpoint}.json", body="<html>oops</html>", status=200)
    response = client.post("/api/v1/check", json={"medications": ["Lasix"]})
    assert response.status_code == 200 and response.get_json()["openfda"]["status"] == "unavailable"


def test_per_request_opt_out_makes_no_calls(fda, client):
    body = client.post("/api/v1/check", json={"medications": ["Lasix"], "openfda": False}).get_json()
    assert body["openfda"]["status"] == "disabled" and len(fda.calls) == 0


def test_budget_is_respected_when_every_call_hangs(fda, fda_app, client):
    service = services(fda_app).source("openfda")
    clock = [0.0]
    service.clock = service.client.clock = lambda: clock[0]

    def hang(request):
        clock[0] += 10.0  # each call takes longer than the whole budget, then times out
        raise requests.Timeout("hung")

    fda.add_callback("GET", BASE + "/drug/label.json", callback=hang)
    try:
        body = client.post("/api/v1/check", json={"medications": ["Lasix", "Lipitor", "Tylenol"]}).get_json()
    finally:
        service.clock = service.client.clock = time.monotonic
    assert len(fda.calls) == 1  # the first call used the budget up; nothing else was tried
    assert body["openfda"]["status"] == "unavailable"
    assert len(body["openfda"]["not_checked"]) == 3


def test_partial_when_some_ingredients_were_checked(fda, fda_app, client):
    label = openfda_body("label_without_cramp_wording_DERIVED.json")
    calls = {"n": 0}

    def first_ok_then_down(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return 200, {}, json.dumps(label)
        raise requests.ConnectionError("down")

    fda.add_callback("GET", BASE + "/drug/label.json", callback=first_ok_then_down)
    _not_found(fda, "event")
    _not_found(fda, "ndc")
    body = client.post("/api/v1/check", json={"medications": ["Tylenol", "metformin"]}).get_json()
    assert body["openfda"]["status"] == "partial" and body["openfda"]["not_checked"] == ["metformin"]


def test_batch_of_repeated_drugs_looks_each_ingredient_up_once(fda, client):
    fda.get(BASE + "/drug/label.json", json=openfda_body("label_without_cramp_wording_DERIVED.json"))
    fda.get(BASE + "/drug/ndc.json", json=openfda_body("error_404_not_found.json"), status=404)
    fda.get(BASE + "/drug/event.json", json=openfda_body("event_search_limit1_total.json"))
    drugs = ["Lasix", "Lipitor", "Tylenol", "metformin", "Zocor", "Eliquis", "Norvasc", "Plavix", "Nexium", "Synthroid",
             "lisinopril", "Crestor", "sertraline", "gabapentin", "Singulair", "warfarin", "Flomax", "omeprazole",
             "losartan", "spironolactone", "prednisone", "Aricept", "Evista", "Celebrex", "tramadol", "Zyrtec",
             "allopurinol", "atenolol", "Januvia", "Xarelto"]
    rows = "".join(f"P{n},{drugs[n % len(drugs)]} {n % 7 + 1}0mg\n" for n in range(1000))
    upload = ("patient_id,medications\n" + rows).encode()
    response = client.post("/api/v1/batch", data=upload, content_type="text/csv")
    assert response.status_code == 200
    ingredients = 30
    label_calls = [c for c in fda.calls if "/drug/label.json" in c.request.url]
    ndc_calls = [c for c in fda.calls if "/drug/ndc.json" in c.request.url]
    event_calls = [c for c in fda.calls if "/drug/event.json" in c.request.url]
    assert len(label_calls) == ingredients and len(ndc_calls) == ingredients
    assert len(event_calls) == 2 * ingredients + 2  # two per drug, two shared totals
    assert "openfda" in response.get_data(as_text=True).splitlines()[0]
    before = len(fda.calls)
    client.post("/api/v1/batch", data=upload, content_type="text/csv")
    assert len(fda.calls) == before  # a re-run is served from the cache


def test_openfda_lookups_log_no_medication_or_ingredient_names(fda, client, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    fda.get(BASE + "/drug/label.json", body=requests.ConnectionError("down"))
    client.post("/api/v1/check", json={"medications": ["Zestoretic 20/12.5"]})
    assert "lisinopril" not in caplog.text.lower() and "zestoretic" not in caplog.text.lower()


def test_default_settings_give_a_working_openfda_source(fda, make_app, app):
    with app.app_context():
        db.session.execute(delete(OpenFDACache))
        db.session.commit()
    fda.get(BASE + "/drug/label.json", json=openfda_body("label_montelukast_muscle_cramps_DERIVED.json"))
    _not_found(fda, "event")
    _not_found(fda, "ndc")
    client = make_app(OPENFDA_ENABLED=True).test_client()  # default throttle, retries, breaker and budget
    body = client.post("/api/v1/check", json={"medications": ["Singulair 10mg"]}).get_json()
    assert body["openfda"]["status"] == "ok"
    assert body["medications"][0]["flags"][0]["source"] == "openfda-label"


def test_warm_fetches_every_seeded_ingredient_once_then_nothing(fda, fda_app, client):
    for endpoint in ("label", "event", "ndc"):
        _not_found(fda, endpoint)
    runner = fda_app.test_cli_runner()
    result = runner.invoke(args=["openfda", "warm"])
    ingredients = len(services(fda_app).lexicon.memberships)
    assert result.exit_code == 0 and f"{ingredients} of {ingredients} ingredients cached" in result.output
    label_calls = sum("/drug/label.json" in c.request.url for c in fda.calls)
    assert label_calls == ingredients
    before = len(fda.calls)
    runner.invoke(args=["openfda", "warm"])
    assert len(fda.calls) == before
