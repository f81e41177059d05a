"""openFDA evidence: label wording, FAERS disproportionality, class mapping, cache and budget."""

import math
from datetime import timedelta

import pytest
import requests
from conftest import openfda_body
from responses import matchers
from sqlalchemy import delete

from service.extensions import db
from service.models import OpenFDACache
from service.openfda.client import OpenFDAClient
from service.openfda.labels import find_cramp_wording
from service.openfda.records import ClassEvidence
from service.openfda.signals import disproportionality
from service.openfda.source import DatabaseCache, OpenFDASource
from service.services import services

BASE = "https://api.fda.gov"
TTL = {"label": timedelta(hours=24), "faers": timedelta(days=7), "class": timedelta(hours=24)}


def _total(n: int) -> dict:
    body = openfda_body("event_search_limit1_total.json")
    body["meta"]["results"]["total"] = n
    return body


@pytest.fixture
def service(app):
    with app.app_context():
        db.session.execute(delete(OpenFDACache))
        db.session.commit()
        clock = [0.0]
        client = OpenFDAClient(requests.Session(), sleep=lambda _: None, clock=lambda: clock[0])
        pharm_classes = services(app).lexicon.pharm_classes
        svc = OpenFDASource(client, DatabaseCache(lambda: db.engine), lambda: pharm_classes, TTL,
                            clock=lambda: clock[0], budget_seconds=3)
        svc.fake_clock = clock
        yield svc


def _register_all(fda, label="label_atorvastatin_muscle_spasms_DERIVED.json", with_both=30, with_drug=1000):
    fda.get(BASE + "/drug/label.json", json=openfda_body(label))
    reaction = 'patient.reaction.reactionmeddrapt.exact:"MUSCLE SPASMS"'
    for search, total in ((f'patient.drug.openfda.generic_name:"atorvastatin" AND {reaction}', with_both),
                          ('patient.drug.openfda.generic_name:"atorvastatin"', with_drug),
                          (reaction, 2000)):
        fda.get(BASE + "/drug/event.json", json=_total(total),
                match=[matchers.query_param_matcher({"search": search, "limit": "1"})])
    fda.get(BASE + "/drug/event.json", json=_total(1_000_000), match=[matchers.query_param_matcher({"limit": "1"})])
    fda.get(BASE + "/drug/ndc.json", json=openfda_body("error_404_not_found.json"), status=404)


def test_prr_ci_and_chi_square_match_a_hand_computed_table():
    # a=30, b=970, c=1970, d=997030: PRR = (30/1000) / (1970/999000) = 15.213...
    result = disproportionality(30, 1000, 2000, 1_000_000)
    assert (result.a, result.b, result.c, result.d) == (30, 970, 1970, 997_030)
    assert result.prr == pytest.approx(15.2132, rel=1e-4)
    se = math.sqrt(1 / 30 - 1 / 1000 + 1 / 1970 - 1 / 999_000)
    assert result.ci_low == pytest.approx(15.2132 * math.exp(-1.96 * se), rel=1e-4)
    assert result.ci_high == pytest.approx(15.2132 * math.exp(1.96 * se), rel=1e-4)
    chi = (30 * 997_030 - 970 * 1970) ** 2 * 1_000_000 / (1000 * 999_000 * 2000 * 998_000)
    assert result.chi_square == pytest.approx(chi, rel=1e-6)
    assert result.signal


def test_too_few_reports_are_never_a_signal():
    assert not disproportionality(2, 10, 100, 1_000_000).signal
    assert disproportionality(0, 10, 100, 1_000_000).prr is None


def test_label_with_muscle_spasms_wording_is_found():
    label = openfda_body("label_atorvastatin_muscle_spasms_DERIVED.json")["results"][0]
    section, snippet = find_cramp_wording(label)
    assert section == "adverse_reactions" and "Muscle Spasms 3.6" in snippet


def test_label_without_cramp_wording_is_not_a_match():
    assert find_cramp_wording(openfda_body("label_without_cramp_wording_DERIVED.json")["results"][0]) is None


def test_abdominal_cramps_are_not_muscle_cramps():
    assert find_cramp_wording(openfda_body("label_loperamide_abdominal_cramps_DERIVED.json")["results"][0]) is None


def test_lookup_builds_each_kind_of_evidence(fda, service):
    _register_all(fda)
    report = service.lookup(["atorvastatin"], deadline=None)
    assert report.status == "ok" and report.not_checked == []
    label, faers, pharm = report.entries["atorvastatin"]
    assert label.kind == "label" and label.mentions_cramps
    assert label.set_id == "a60cc18b-0631-4cf0-b021-9f52224ece65" and label.url.endswith(label.set_id)
    assert faers.kind == "faers" and faers.signal and faers.prr == pytest.approx(15.213, rel=1e-3)
    assert "not show that a drug caused" in faers.caveat
    assert pharm == ClassEvidence("atorvastatin", (), None, None)
    assert pharm.to_json() == {"source": "class", "ingredient": "atorvastatin", "pharm_classes": [],
                               "matched_class_id": None, "last_updated": None}
    assert report.last_updated == "2026-09-18"


def test_ndc_pharm_class_maps_a_drug_outside_the_seed(fda, service):
    fda.get(BASE + "/drug/ndc.json", json=openfda_body("ndc_polythiazide_pharm_class_DERIVED.json"))
    entry = service._class("polythiazide", None)
    assert entry.matched_class_id == "thiazide-diuretics"
    assert entry.pharm_classes == ("Thiazide Diuretic [EPC]",)


def test_cache_hit_makes_zero_calls_and_misses_are_cached_too(fda, service):
    _register_all(fda)
    service.lookup(["atorvastatin"], deadline=None)
    calls = len(fda.calls)
    assert calls == 6  # label, four FAERS totals, NDC (a 404, cached as "no class")
    service.lookup(["atorvastatin"], deadline=None)
    assert len(fda.calls) == calls


def test_unreachable_openfda_leaves_ingredients_not_checked(fda, service):
    fda.get(BASE + "/drug/label.json", body=requests.ConnectionError("down"))
    report = service.lookup(["atorvastatin", "metformin"], deadline=None)
    assert report.status == "unavailable" and report.not_checked == ["atorvastatin", "metformin"]


def test_cache_writes_neither_commit_nor_roll_back_the_callers_session(app):
    from service.models import BatchJob, utcnow

    cache = DatabaseCache(lambda: db.engine)
    with app.app_context():
        db.session.add(BatchJob(id="pending-in-caller", status="queued", total_rows=1, chunk_rows=1, chunks_total=1,
                                created_at=utcnow(), updated_at=utcnow(), expires_at=utcnow()))
        cache.set("k-caller", {"v": 1}, timedelta(hours=1))
        db.session.rollback()  # the caller changes its mind: its own work goes, the cache entry stays
        assert db.session.get(BatchJob, "pending-in-caller") is None
        assert cache.get_many(["k-caller"]) == {"k-caller": {"v": 1}}


def test_cache_set_twice_replaces_the_entry_in_one_row(app):
    from sqlalchemy import func, select

    cache = DatabaseCache(lambda: db.engine)
    with app.app_context():
        cache.set("k-twice", {"v": 1}, timedelta(hours=1))
        cache.set("k-twice", {"v": 2}, timedelta(hours=1))
        assert cache.get_many(["k-twice"]) == {"k-twice": {"v": 2}}
        assert db.session.scalar(select(func.count()).where(OpenFDACache.key == "k-twice")) == 1


def test_an_ndc_is_looked_up_in_every_fda_form_and_cached(fda, service):
    search = ('packaging.package_ndc:"0378-0208-01" OR packaging.package_ndc:"00378-208-01" OR '
              'packaging.package_ndc:"00378-0208-1" OR product_ndc:"0378-0208" OR product_ndc:"00378-208" OR '
              'product_ndc:"00378-0208"')
    fda.get(BASE + "/drug/ndc.json", json=openfda_body("ndc_furosemide_package_DERIVED.json"),
            match=[matchers.query_param_matcher({"search": search, "limit": "10"})])
    from service.pipeline import _ndc_forms

    assert service.code_names("ndc", _ndc_forms("00378-0208-01"), None) == ["Furosemide"]
    assert service.code_names("ndc", _ndc_forms("00378-0208-01"), None) == ["Furosemide"]
    assert len(fda.calls) == 1


def test_an_rxcui_openfda_does_not_know_is_an_empty_answer_and_a_failure_raises(fda, service):
    from service.openfda.client import OpenFDAError

    fda.get(BASE + "/drug/ndc.json", status=404, json=openfda_body("error_404_not_found.json"),
            match=[matchers.query_param_matcher({"search": 'openfda.rxcui:"99999999"', "limit": "10"})])
    assert service.code_names("rxnorm", ("99999999",), None) == []
    fda.get(BASE + "/drug/ndc.json", body=requests.ConnectionError("down"),
            match=[matchers.query_param_matcher({"search": 'openfda.rxcui:"310429"', "limit": "10"})])
    with pytest.raises(OpenFDAError):
        service.code_names("rxnorm", ("310429",), None)


def test_a_check_reads_an_rxcui_through_openfda(fda, service, app, monkeypatch):
    from service.entries import MedicationEntry
    from service.evidence import SourceReport
    from service.pipeline import Pipeline

    fda.get(BASE + "/drug/ndc.json", json=openfda_body("ndc_furosemide_package_DERIVED.json"),
            match=[matchers.query_param_matcher({"search": 'openfda.rxcui:"310429"', "limit": "10"})])
    monkeypatch.setattr(service, "lookup", lambda ingredients, deadline: SourceReport("openfda"))
    with app.app_context():
        (entry,) = Pipeline(services(app).lexicon, [service]).check([MedicationEntry("", rxcui="310429")]).entries
    assert entry.status == "flagged" and [i.name for i in entry.resolution.ingredients] == ["furosemide"]
