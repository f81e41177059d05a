"""FHIR R4 input: every resource shape, codes and names, skipped statuses, and malformed FHIR."""

import copy
import json
from pathlib import Path

import pytest

from service.interop import fhir

SAMPLE = json.loads((Path(__file__).parent.parent / "docs" / "sample-bundle.json").read_text())
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
FHIR_JSON = "application/fhir+json"


def _request(medication, status="active", kind="MedicationRequest", **extra):
    resource = {"resourceType": kind, "id": "x", "status": status, "subject": {"reference": "Patient/p"}, **medication,
                **extra}
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    return resource


def _post(client, document, content_type=FHIR_JSON):
    return client.post("/api/v1/check/fhir?openfda=false", data=json.dumps(document), content_type=content_type)


def test_the_issue_bundle_code_only_furosemide_text_atorvastatin_and_a_skipped_entry(client):
    body = _post(client, SAMPLE).get_json()
    medications = body["medications"]
    assert [(m["status"], [i["name"] for i in m["ingredients"]]) for m in medications[:2]] == [
        ("flagged", ["furosemide"]), ("flagged", ["atorvastatin"])]
    assert medications[0]["ingredients"][0]["match"] == "code"
    (issue,) = body["operation_outcome"]["issue"]
    assert issue["expression"] == ["Bundle.entry[2].resource"] and "entered-in-error" in issue["diagnostics"]
    assert body["operation_outcome"]["resourceType"] == "OperationOutcome"
    assert body["fhir_entries"] == ["Bundle.entry[0].resource", "Bundle.entry[1].resource", "Bundle.entry[3].resource"]
    # the contained Medication is read: an NDC (not in the table, openFDA off) beside its display text
    assert medications[2]["status"] == "flagged" and "read from the name only" in " ".join(medications[2]["notes"])


@pytest.mark.parametrize("status", ["entered-in-error", "stopped", "completed", "cancelled"])
def test_statuses_that_mean_not_taken_are_skipped_and_said(status):
    found = fhir.read(_request({"medicationCodeableConcept": {"text": "Lasix"}}, status))
    assert found.entries == [] and status in found.issues[0]["diagnostics"]


def test_a_single_medication_statement_with_a_period_start(client):
    statement = _request({"medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "36567",
                                                                     "display": "simvastatin"}]}},
                         kind="MedicationStatement", effectivePeriod={"start": "2026-10-01"})
    found = fhir.read(statement)
    assert found.entries[0].rxcui == "36567" and str(found.entries[0].started) == "2026-10-01"
    assert found.entries[0].text == "simvastatin"  # the coding's display names it when there is no text


def test_a_bundled_medication_reference_and_a_list_of_references_and_displays():
    medication = {"resourceType": "Medication", "id": "m1", "code": {"text": "Lipitor 20 mg"}}
    statement = _request({"medicationReference": {"reference": "Medication/m1"}}, kind="MedicationStatement")
    statement["id"] = "s1"
    medication_list = {"resourceType": "List", "status": "current", "mode": "snapshot", "entry": [
        {"item": {"reference": "MedicationStatement/s1"}}, {"item": {"display": "hydroxocobalamin"}},
        {"item": {"reference": "MedicationStatement/missing"}}]}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": medication}, {"resource": statement}, {"resource": medication_list}]}
    found = fhir.read(bundle)
    assert [e.text for e in found.entries] == ["Lipitor 20 mg", "Lipitor 20 mg", "hydroxocobalamin"]
    assert any("not in the body" in i["diagnostics"] for i in found.issues)


def test_a_list_alone_with_display_only_items():
    found = fhir.read({"resourceType": "List", "status": "current", "mode": "working",
                       "entry": [{"item": {"display": "Lasix 40 mg"}}, {"item": {"display": "Tylenol"}}]})
    assert [e.text for e in found.entries] == ["Lasix 40 mg", "Tylenol"]


def test_a_dangling_contained_reference_and_a_nameless_medication_are_reported_not_dropped():
    dangling = _request({"medicationReference": {"reference": "#nope"}})
    assert fhir.read(dangling).entries == [] and fhir.read(dangling).issues[0]["severity"] == "warning"
    nameless = _request({"medicationCodeableConcept": {"coding": [{"system": "http://snomed.info/sct",
                                                                   "code": "12345"}]}})
    assert "neither a name" in fhir.read(nameless).issues[0]["diagnostics"]


def test_other_resources_in_a_bundle_are_listed_as_not_used():
    bundle = copy.deepcopy(SAMPLE)
    bundle["entry"].append({"resource": {"resourceType": "Observation", "status": "final",
                                         "code": {"text": "potassium"}}})
    found = fhir.read(bundle)
    assert any("Observation is not a medication entry" in i["diagnostics"] for i in found.issues)


@pytest.mark.parametrize("document, words", [
    ({"resourceType": "Patient"}, "resourceType must be"),
    ([1, 2], "JSON object"),
    ({"resourceType": "Bundle"}, "not valid FHIR"),  # Bundle.type is required
    (_request({}), "not valid FHIR"),  # medication[x] missing
    (_request({"medicationCodeableConcept": {"text": "a"}, "medicationReference": {"reference": "#a"}}),
     "not valid FHIR"),
    ({"resourceType": "MedicationRequest", "status": "active", "bogus": 1}, "not valid FHIR"),
])
def test_malformed_fhir_is_a_400_problem(client, document, words):
    response = _post(client, document)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert words in response.get_json()["detail"]


def test_not_json_and_wrong_media_types_are_refused(client):
    assert client.post("/api/v1/check/fhir", data="{", content_type=FHIR_JSON).status_code == 400
    assert client.post("/api/v1/check/fhir", data="x", content_type="text/plain").status_code == 415
    assert _post(client, SAMPLE, "application/json+fhir").status_code == 200  # the DSTU2 type, still sent


def test_more_entries_than_a_check_takes_is_a_422(make_app):
    app = make_app(MAX_MEDICATIONS=2)
    response = _post(app.test_client(), SAMPLE)
    assert response.status_code == 422 and "At most 2" in response.get_json()["detail"]
