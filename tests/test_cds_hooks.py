"""CDS Hooks 2.0: discovery, the three hooks, prefetch and the FHIR-server fallback, cards, feedback."""

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.interop.cds_hooks import schema_errors

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
PATIENT = "1288992"


def _order(id_, text=None, code=None, status="draft"):
    concept = {}
    if text:
        concept["text"] = text
    if code:
        concept["coding"] = [{"system": RXNORM, "code": code}]
    return {"resource": {"resourceType": "MedicationRequest", "id": id_, "status": status, "intent": "order",
                         "subject": {"reference": f"Patient/{PATIENT}"}, "medicationCodeableConcept": concept}}


def _bundle(*entries, type_="searchset"):
    return {"resourceType": "Bundle", "type": type_, "entry": list(entries)}


def _hook(hook, context, prefetch=None, **extra):
    body = {"hook": hook, "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": context, **extra}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


EMPTY = {"medicationRequests": _bundle(), "medicationStatements": _bundle()}
# The specification's order-select example (Hook Library, R4, with the two R4 fixes); its prefetch keys are
# this service's (the example's "medications" key belongs to the example's own service).
SPEC_ORDER_SELECT = _hook(
    "order-select",
    {"userId": "PractitionerRole/123", "patientId": PATIENT, "encounterId": "89284",
     "selections": ["MedicationRequest/smart-MedicationRequest-103"],
     "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
         "resourceType": "MedicationRequest", "id": "smart-MedicationRequest-103", "status": "draft", "intent": "order",
         "medicationCodeableConcept": {"coding": [{"system": RXNORM, "code": "617993", "display":
                                                   "Amoxicillin 120 MG/ML / clavulanate potassium 8.58 MG/ML Oral Suspension"}]},
         "subject": {"reference": f"Patient/{PATIENT}"},
         "dosageInstruction": [{"text": "5 mL bid x 10 days", "timing": {"repeat": {"frequency": 2, "period": 1,
                                                                                     "periodUnit": "d"}},
                                "doseAndRate": [{"doseQuantity": {"value": 5, "unit": "mL",
                                                                  "system": "http://unitsofmeasure.org", "code": "mL"}}]}]}}]}},
    {"medicationRequests": {"resourceType": "Bundle", "type": "searchset", "total": 0},
     "medicationStatements": {"resourceType": "Bundle", "type": "searchset", "total": 0}},
    fhirServer="https://fhir.example.org/r4",
    fhirAuthorization={"access_token": "some-opaque-fhir-access-token", "token_type": "Bearer", "expires_in": 300,
                       "scope": "user/Patient.read user/MedicationRequest.read", "subject": "cds-service4"},
)


def _call(client, service, body):
    response = client.post(f"/cds-services/{service}", json=body)
    if response.status_code == 200:
        assert schema_errors("response", response.get_json()) == []
    return response


def test_discovery_lists_every_service_with_prefetch_templates(client):
    body = client.get("/cds-services").get_json()
    assert schema_errors("discovery", body) == []
    assert {(s["id"], s["hook"]) for s in body["services"]} == {
        ("crampcheck-order-select", "order-select"), ("crampcheck-order-sign", "order-sign"),
        ("crampcheck-patient-view", "patient-view")}
    for service in body["services"]:
        assert service["prefetch"]["medicationRequests"] == "MedicationRequest?patient={{context.patientId}}&status=active"
        assert "MedicationStatement" in service["prefetch"]["medicationStatements"]


def test_order_select_simvastatin_with_active_clarithromycin_gives_a_warning_naming_both(client):
    body = _hook("order-select", {
        "userId": "Practitioner/1", "patientId": PATIENT, "selections": ["MedicationRequest/new"],
        "draftOrders": _bundle(_order("new", "simvastatin 40 mg tablet", "36567"), type_="collection")},
        {"medicationRequests": _bundle(_order("old", "clarithromycin 500 mg", status="active")),
         "medicationStatements": _bundle()})
    cards = _call(client, "crampcheck-order-select", body).get_json()["cards"]
    combination = next(c for c in cards if "clarithromycin" in c["summary"].lower())
    assert combination["indicator"] == "warning" and "simvastatin" in combination["summary"].lower()
    statin = next(c for c in cards if c is not combination)
    assert statin["indicator"] == "warning" and "associated with" in statin["summary"]
    for card in cards:
        assert len(card["summary"]) < 140 and card["source"]["label"] == "CrampCheck"
        assert "suggestions" not in card and card["links"][0]["type"] == "absolute"
        # the page's result for this list, the list in the fragment (never sent to a server)
        assert card["links"][0]["url"].startswith("http://localhost/#list=simvastatin%2040%20mg")
        assert "references" not in card and "](http" in card["detail"]  # markdown links to the sources
        assert "stop taking" not in card["detail"].lower() and "causes" not in card["summary"].lower()


def test_order_select_cards_are_about_the_selected_orders_only(client):
    body = _hook("order-select", {
        "userId": "Practitioner/1", "patientId": PATIENT, "selections": ["MedicationRequest/b"],
        "draftOrders": _bundle(_order("a", "furosemide 40 mg"), _order("b", "Tylenol 500 mg"), type_="collection")},
        EMPTY)
    assert _call(client, "crampcheck-order-select", body).get_json()["cards"] == []


def test_order_sign_covers_every_draft_and_a_moderate_flag_alone_is_info(client):
    body = _hook("order-sign", {"userId": "Practitioner/1", "patientId": PATIENT,
                                "draftOrders": _bundle(_order("a", "furosemide 40 mg"), type_="collection")}, EMPTY)
    (card,) = _call(client, "crampcheck-order-sign", body).get_json()["cards"]
    assert card["indicator"] == "info" and "furosemide" in card["summary"]


def test_the_specifications_own_example_requests_are_answered(client):
    assert _call(client, "crampcheck-order-select", SPEC_ORDER_SELECT).status_code == 200
    legacy = copy.deepcopy(SPEC_ORDER_SELECT)  # the library's 1.0 example: no Bundle.type, doseAndRate an object
    draft = legacy["context"]["draftOrders"]
    del draft["type"]
    dosage = draft["entry"][0]["resource"]["dosageInstruction"][0]
    dosage["doseAndRate"] = dosage["doseAndRate"][0]
    assert _call(client, "crampcheck-order-select", legacy).status_code == 200


class FakeFhirServer:
    """A FHIR server on loopback that answers MedicationRequest and MedicationStatement searches."""

    def __init__(self, bundles, status=200):
        self.seen = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server interface
                owner.seen.append((self.path, self.headers.get("Authorization")))
                body = json.dumps(bundles.get(self.path.split("?")[0].rsplit("/", 1)[-1], _bundle())).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/r4"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fhir_server():
    servers = []

    def start(bundles, status=200):
        servers.append(FakeFhirServer(bundles, status))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def local_fhir_client(make_app):
    """An app that may fetch from FHIR servers on loopback (the fake one); deployments allow https only."""
    return make_app(CDS_FHIR_SERVERS=("http://127.0.0.1:",)).test_client()


def test_patient_view_without_prefetch_asks_the_fhir_server_with_the_token(local_fhir_client, fhir_server):
    client = local_fhir_client
    server = fhir_server({"MedicationStatement": _bundle(
        {"resource": {"resourceType": "MedicationStatement", "id": "s", "status": "active",
                      "subject": {"reference": f"Patient/{PATIENT}"},
                      "medicationCodeableConcept": {"text": "hydrochlorothiazide 25 mg"}}}),
        "MedicationRequest": _bundle(_order("r", "Lasix 40mg", status="active"))})
    body = _hook("patient-view", {"userId": "Practitioner/1", "patientId": PATIENT}, fhirServer=server.url,
                 fhirAuthorization={"access_token": "secret-token", "token_type": "Bearer", "expires_in": 300,
                                    "scope": "user/MedicationRequest.read", "subject": "crampcheck"})
    cards = _call(client, "crampcheck-patient-view", body).get_json()["cards"]
    assert sorted(path.split("?")[0] for path, _ in server.seen) == ["/r4/MedicationRequest", "/r4/MedicationStatement"]
    assert all(auth == "Bearer secret-token" for _, auth in server.seen)
    assert f"patient={PATIENT}" in server.seen[0][0]
    assert any("hydrochlorothiazide" in c["summary"] for c in cards)
    assert any("low potassium" in c["summary"] for c in cards)  # the loop and the thiazide together


def test_prefetch_that_is_an_operation_outcome_is_fetched_again(local_fhir_client, fhir_server):
    client = local_fhir_client
    server = fhir_server({})
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "processing"}]}
    body = _hook("patient-view", {"userId": "Practitioner/1", "patientId": PATIENT},
                 {"medicationRequests": outcome, "medicationStatements": _bundle()}, fhirServer=server.url)
    assert _call(client, "crampcheck-patient-view", body).status_code == 200
    assert len(server.seen) == 1


def test_a_fhir_server_off_the_allow_list_or_not_https_is_not_fetched_from(client, make_app, fhir_server):
    server = fhir_server({})
    body = _hook("patient-view", {"userId": "Practitioner/1", "patientId": PATIENT}, fhirServer=server.url)
    response = client.post("/cds-services/crampcheck-patient-view", json=body)  # default: https only
    assert response.status_code == 412 and "https" in response.get_json()["detail"] and server.seen == []
    other = make_app(CDS_FHIR_SERVERS=("https://fhir.hospital.example/",)).test_client()
    assert other.post("/cds-services/crampcheck-patient-view", json=body).status_code == 412 and server.seen == []


def test_missing_prefetch_without_a_reachable_fhir_server_is_412(local_fhir_client, fhir_server):
    client = local_fhir_client
    body = _hook("patient-view", {"userId": "Practitioner/1", "patientId": PATIENT})
    response = client.post("/cds-services/crampcheck-patient-view", json=body)
    assert response.status_code == 412 and response.mimetype == "application/problem+json"
    failing = fhir_server({}, status=500)
    body["fhirServer"] = failing.url
    assert client.post("/cds-services/crampcheck-patient-view", json=body).status_code == 412
    body["fhirServer"] = "http://127.0.0.1:9/r4"  # nothing listens there
    assert client.post("/cds-services/crampcheck-patient-view", json=body).status_code == 412


@pytest.mark.parametrize("mutate", [
    lambda b: b.pop("hookInstance"),
    lambda b: b.update(hook="patient-view"),
    lambda b: b["context"].pop("patientId"),
    lambda b: b["context"].update(selections=[]),
    lambda b: b["context"].update(draftOrders={"resourceType": "List"}),
    lambda b: b["context"]["draftOrders"]["entry"][0]["resource"].pop("medicationCodeableConcept"),
    lambda b: b.update(fhirAuthorization={"access_token": "x"}),
    lambda b: b.update(context="not an object"),
])
def test_malformed_hook_requests_are_400_problems(client, mutate):
    body = copy.deepcopy(SPEC_ORDER_SELECT)
    mutate(body)
    response = client.post("/cds-services/crampcheck-order-select", json=body)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_not_json_and_unknown_services(client):
    assert client.post("/cds-services/crampcheck-order-select", data="{", content_type="application/json").status_code == 400
    assert client.post("/cds-services/nope", json=SPEC_ORDER_SELECT).status_code == 404


def test_feedback_is_taken_and_checked(client):
    good = {"feedback": [{"card": "abc", "outcome": "overridden", "outcomeTimestamp": "2026-11-28T10:05:31Z",
                          "overrideReason": {"userComment": "known"}}]}
    response = client.post("/cds-services/crampcheck-order-select/feedback", json=good)
    assert response.status_code == 200 and response.get_json() == {}
    accepted_without_suggestions = {"feedback": [{"card": "abc", "outcome": "accepted",
                                                  "outcomeTimestamp": "2026-11-28T10:05:31Z"}]}
    assert client.post("/cds-services/crampcheck-order-select/feedback",
                       json=accepted_without_suggestions).status_code == 400
    assert client.post("/cds-services/crampcheck-order-select/feedback", json={"feedback": []}).status_code == 400
    assert client.post("/cds-services/nope/feedback", json=good).status_code == 404
