"""A body over its limit is a 413 however it is sent: with a Content-Length or chunked, never cut short."""

from __future__ import annotations

import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIMITS = {"CHECK_MAX_BODY_BYTES": 2_000, "FHIR_MAX_BODY_BYTES": 3_000, "BATCH_MAX_BYTES": 5_000}


@pytest.fixture(scope="module")
def small_limits(make_app):
    return make_app(**LIMITS).test_client()


def _chunked(client, url: str, body: bytes, content_type: str):
    # What a server that terminates chunked input (gunicorn) hands the app: no Content-Length.
    return client.post(url, input_stream=io.BytesIO(body), content_type=content_type,
                       environ_base={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"})


def _csv(rows: int) -> bytes:
    return b"patient_id,medications\n" + b"".join(b"P%d,Lasix\n" % i for i in range(rows))


def _json(entries: int) -> bytes:
    return json.dumps({"medications": ["Lasix"] * entries}).encode()


def _bundle(entries: int) -> bytes:
    entry = {"resource": {"resourceType": "MedicationStatement", "status": "active",
                          "medicationCodeableConcept": {"text": "Lasix"}, "subject": {"reference": "Patient/1"}}}
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [entry] * entries}).encode()


def _patient_view(entries: int) -> bytes:
    statement = {"resource": {"resourceType": "MedicationStatement", "status": "active",
                              "medicationCodeableConcept": {"text": "Lasix"}, "subject": {"reference": "Patient/1"}}}
    return json.dumps({"hook": "patient-view", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
                       "context": {"userId": "Practitioner/1", "patientId": "1"},
                       "prefetch": {"medicationRequests": {"resourceType": "Bundle", "type": "searchset"},
                                    "medicationStatements": {"resourceType": "Bundle", "type": "searchset",
                                                             "entry": [statement] * entries}}}).encode()


BOUNDARY = "crampcheck-test-boundary"


def _multipart(rows: int) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"list.csv\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + _csv(rows) + f"\r\n--{BOUNDARY}--\r\n".encode()


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
CASES = [  # url, content type, a body within the limit, a body over it
    ("/api/v1/check", "application/json", _json(100), _json(400)),
    ("/api/v1/check/fhir", "application/fhir+json", _bundle(10), _bundle(40)),
    ("/cds-services/crampcheck-patient-view", "application/json", _patient_view(10), _patient_view(40)),
    ("/api/v1/batch", "text/csv", _csv(300), _csv(600)),
    ("/api/v1/batch", MULTIPART, _multipart(290), _multipart(600)),
]


def _whole(url: str, content_type: str, status: int, text: str) -> bool:
    """Whether a 200 answer to a body within the limit shows every entry or row of it."""
    if url == "/api/v1/batch":
        return text.count("\r\nP") == (300 if content_type == "text/csv" else 290)  # every row, none dropped
    answer = json.loads(text)
    if url.startswith("/cds-services"):
        return "furosemide" in text.lower() and answer["cards"]
    return len(answer["medications"]) == (100 if url.endswith("check") else 10)


@pytest.mark.parametrize("url, content_type, within, over", CASES)
def test_a_chunked_body_over_the_limit_is_413_not_cut_short(small_limits, url, content_type, within, over):
    response = _chunked(small_limits, url, over, content_type)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    with_length = small_limits.post(url, data=over, content_type=content_type)
    assert with_length.status_code == 413  # the same answer as with a Content-Length


@pytest.mark.parametrize("url, content_type, within, over", CASES)
def test_a_chunked_body_within_the_limit_is_read_whole(small_limits, url, content_type, within, over):
    assert len(within) < LIMITS[_limit_of(url)] < len(over)
    response = _chunked(small_limits, url, within, content_type)
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    assert _whole(url, content_type, response.status_code, response.get_data(as_text=True))


def _limit_of(url: str) -> str:
    return {"/api/v1/check": "CHECK_MAX_BODY_BYTES", "/api/v1/batch": "BATCH_MAX_BYTES"}.get(url, "FHIR_MAX_BODY_BYTES")


def test_a_chunked_body_of_exactly_the_limit_is_accepted(small_limits):
    body = _json(100)
    body = body[:-1] + b" " * (LIMITS["CHECK_MAX_BODY_BYTES"] - len(body)) + b"}"
    assert len(body) == LIMITS["CHECK_MAX_BODY_BYTES"]
    assert _chunked(small_limits, "/api/v1/check", body, "application/json").status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="the SQLite run covers it")
def test_gunicorn_answers_413_to_a_chunked_upload_over_the_limit(database_uri, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_uri, "PREPARE_ON_START": "false", "LOG_LEVEL": "WARNING",
           "HUEY_SQLITE_FILE": str(tmp_path / "q.db"), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
           "OPENFDA_ENABLED": "false", **{k: str(v) for k, v in LIMITS.items()}}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind",
                               f"127.0.0.1:{port}", "service:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        for url, content_type, within, over in CASES:
            for body, expected in ((over, 413), (within, 200)):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                chunks = (body[i:i + 700] for i in range(0, len(body), 700))
                connection.request("POST", url, body=chunks, headers={"Content-Type": content_type},
                                   encode_chunked=True)
                response = connection.getresponse()
                answer = response.read()
                connection.close()
                assert response.status == expected, (url, expected, answer[:200])
                if expected == 413:
                    assert response.getheader("Content-Type") == "application/problem+json"
                else:
                    assert _whole(url, content_type, response.status, answer.decode())
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _file_of(size: int) -> bytes:
    head = b"patient_id,medications\nP1,Lasix\n"
    return head + b"P2," + b"x" * (size - len(head) - 4) + b"\n"


@pytest.mark.parametrize("size, status", [(LIMITS["BATCH_MAX_BYTES"], 200), (LIMITS["BATCH_MAX_BYTES"] + 1, 413)])
def test_the_upload_limit_is_the_file_s_size_in_a_form_too(small_limits, size, status):
    # The form's boundaries and headers are not counted against the file: a file of exactly the
    # limit is taken, one byte more is refused, with or without a Content-Length.
    data = _file_of(size)
    assert len(data) == size
    form = {"file": (io.BytesIO(data), "lists.csv", "text/csv")}
    response = small_limits.post("/api/v1/batch", data=form, content_type="multipart/form-data")
    assert response.status_code == status, response.get_data(as_text=True)[:200]
    if status == 413:
        assert "larger than 5,000 bytes" in response.get_json()["detail"]
