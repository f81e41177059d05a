"""Medication lists are health data: they never reach a log. Logs are JSON with a request id."""

import json
import logging

import pytest
from pythonjsonlogger.json import JsonFormatter

from service.logs import RedactQueryStrings

SECRET_LIST = ["Zestoretic 20/12.5 secretword", "Lipitor"]


def test_a_real_check_request_logs_no_medication_text(client, caplog):
    caplog.set_level(logging.DEBUG)
    client.post("/api/v1/check", json={"medications": SECRET_LIST, "conditions": ["secretcondition"]})
    client.get("/api/v1/medications/suggest?q=zestoretic")
    client.post("/api/v1/batch", data=b"patient_id,medications\nP1,Zestoretic secretword\n", content_type="text/csv")
    text = caplog.text.lower()
    for word in ("zestoretic", "secretword", "lipitor", "secretcondition", "lisinopril"):
        assert word not in text


def test_every_request_is_logged_as_json_with_its_request_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/api/v1/check", json={"medications": SECRET_LIST},
                           headers={"X-Request-ID": "0f3e2a1b-aaaa-4bbb-8ccc-000000000123"})
    assert response.headers["X-Request-ID"] == "0f3e2a1b-aaaa-4bbb-8ccc-000000000123"
    (record,) = [r for r in caplog.records if r.name == "crampcheck.access"]
    line = json.loads(JsonFormatter("%(message)s %(request_id)s").format(record))
    assert line["request_id"] == "0f3e2a1b-aaaa-4bbb-8ccc-000000000123"
    assert line["route"] == "/api/v1/check" and line["status"] == 200 and line["method"] == "POST"


@pytest.mark.parametrize("given", ["bad id with spaces", "simvastatin-zzuniquedrugname", "req-test-000123"])
def test_a_request_id_that_is_not_an_id_is_replaced_never_logged(client, caplog, given):
    # A client's words (a drug name) once reached every log line of the request as its id.
    caplog.set_level(logging.INFO)
    response = client.get("/healthz", headers={"X-Request-ID": given})
    assert len(response.headers["X-Request-ID"]) == 32 and response.headers["X-Request-ID"] != given
    assert all(getattr(r, "request_id", None) != given for r in caplog.records)


def test_a_method_the_service_does_not_know_is_logged_as_other(client, caplog):
    caplog.set_level(logging.INFO)
    client.open("/healthz", method="ZZUNIQUEDRUGNAME")
    (record,) = [r for r in caplog.records if r.name == "crampcheck.access"]
    assert record.method == "other"


def test_access_log_lines_lose_their_query_string():
    record = logging.LogRecord("werkzeug", logging.INFO, "", 0,
                               '%s - - "%s" %s', ("127.0.0.1", "GET /api/v1/medications/suggest?q=lasix HTTP/1.1", "200"), None)
    RedactQueryStrings().filter(record)
    assert "lasix" not in record.getMessage()
    assert "/api/v1/medications/suggest?[redacted]" in record.getMessage()
