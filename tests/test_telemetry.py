"""Prometheus metrics at /metrics and the audit log: counts by route and status, never medication text."""

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import openfda_body

from service.batch import jobs
from service.openfda.client import OpenFDAClient

ROOT = Path(__file__).resolve().parent.parent
SECRET_NAMES = ["Zorblaxitol 40mg", "Quibbleprine 5 mg"]  # unique words that must not leave the request


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a Prometheus text exposition (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
            if ",".join(f'{k}="{v}"' for k, v in sorted(found.items())) == wanted:
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def metrics(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_are_counted_by_route_template_and_status_never_by_path(client):
    before = metrics(client)
    client.get("/api/v1/drug-classes/statins")
    client.get("/api/v1/drug-classes/no-such-class-xyz")
    after = metrics(client)
    route = "/api/v1/drug-classes/<class_id>"
    for status in ("200", "404"):
        labels = {"method": "GET", "route": route, "status": status}
        assert sample(after, "crampcheck_http_requests_total", **labels) == \
            sample(before, "crampcheck_http_requests_total", **labels) + 1
    assert sample(after, "crampcheck_http_request_duration_seconds_count", method="GET", route=route) >= 2
    assert "no-such-class-xyz" not in after and "statins" not in after


def test_unknown_paths_and_methods_do_not_make_new_labels(client):
    client.open("/api/v1/check", method="BREW")
    client.get("/no/such/path-abc123")
    text = metrics(client)
    assert 'method="BREW"' not in text and "path-abc123" not in text
    assert sample(text, "crampcheck_http_requests_total", method="other", route="(unmatched)", status="405") >= 1
    assert sample(text, "crampcheck_http_requests_total", method="GET", route="(unmatched)", status="404") >= 1


def test_medication_text_never_reaches_metrics(client):
    client.post("/api/v1/check", json={"medications": [*SECRET_NAMES, "Lasix 40mg"], "conditions": ["Zorblax disease"]})
    client.get("/api/v1/medications/suggest?q=Zorblaxitol")
    client.post("/api/v1/batch", data="patient_id,medications\nP1,\"Quibbleprine; Lasix\"\n", content_type="text/csv")
    text = metrics(client).lower()
    for word in ("zorblax", "quibbleprine", "lasix", "furosemide"):
        assert word not in text


def test_checks_and_entries_are_counted_by_channel_and_status(client):
    before = metrics(client)
    assert client.post("/api/v1/check", json={"medications": ["Lasix 40mg", SECRET_NAMES[0], "Tylenol"]}).status_code == 200
    client.post("/api/v1/batch", data="patient_id,medications\nP1,\"Lasix; Tylenol; Tylenol\"\n", content_type="text/csv")
    after = metrics(client)

    def grew(name, **labels):
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert grew("crampcheck_checks_total", channel="api", outcome="flagged") == 1
    assert grew("crampcheck_check_entries_total", channel="api", status="flagged") == 1
    assert grew("crampcheck_check_entries_total", channel="api", status="unresolved") == 1
    assert grew("crampcheck_check_entries_total", channel="api", status="not_flagged") == 1
    assert grew("crampcheck_check_entries_total", channel="batch", status="not_flagged") == 2
    assert grew("crampcheck_check_duration_seconds_count", channel="api") == 1


def test_batch_jobs_are_counted_by_state(job_app):
    client = job_app.test_client()
    before = metrics(client)
    made = client.post("/api/v1/batch", data="patient_id,medications\n" + "P,Lasix\n" * 8, content_type="text/csv")
    assert made.status_code == 202
    queued = metrics(client)
    assert sample(queued, "crampcheck_batch_jobs", state="queued") == sample(before, "crampcheck_batch_jobs", state="queued") + 1
    jobs.process_job(made.get_json()["id"])
    done = metrics(client)
    assert sample(done, "crampcheck_batch_jobs", state="done") == sample(before, "crampcheck_batch_jobs", state="done") + 1
    assert sample(done, "crampcheck_batch_jobs_events_total", state="done") == \
        sample(before, "crampcheck_batch_jobs_events_total", state="done") + 1


def test_openfda_calls_are_counted_by_outcome(client, fda):
    label = "https://api.fda.gov/drug/label.json"
    fda.get(label, json=openfda_body("error_404_not_found.json"), status=404)
    before = metrics(client)
    assert OpenFDAClient(requests.Session(), sleep=lambda _: None).search("drug/label", '"nothing"') is None
    after = metrics(client)
    labels = {"endpoint": "drug/label", "outcome": "not_found"}
    assert sample(after, "crampcheck_openfda_requests_total", **labels) == \
        sample(before, "crampcheck_openfda_requests_total", **labels) + 1


def test_openfda_cache_hits_and_misses_are_counted(app, client):
    from service.extensions import db
    from service.openfda.source import DatabaseCache, cache_key

    with app.app_context():
        cache = DatabaseCache(lambda: db.engine)
        key = cache_key("label", f"metric-test-{uuid.uuid4().hex}")
        before = metrics(client)
        cache.get_many([key])
        cache.set(key, {"x": 1}, __import__("datetime").timedelta(hours=1))
        cache.get_many([key])
        after = metrics(client)
    for result in ("hit", "miss"):
        assert sample(after, "crampcheck_openfda_cache_lookups_total", result=result) == \
            sample(before, "crampcheck_openfda_cache_lookups_total", result=result) + 1


def test_metrics_need_a_key_when_keys_are_required(make_app):
    app = make_app(API_KEYS="required")
    key = app.test_cli_runner().invoke(args=["apikey", "create", f"prometheus-{uuid.uuid4().hex[:6]}"]).stdout.split()[0]
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    client.get("/")  # the page's session cookie lets a browser use the API, not read the metrics
    assert client.get("/metrics").status_code == 401


# ---- the audit log -------------------------------------------------------------------------------

def audit_records(caplog):
    return [r for r in caplog.records if r.name == "crampcheck.audit"]


def test_each_check_writes_one_audit_line_with_the_key_name_and_counts_but_no_text(make_app, caplog):
    app = make_app(API_KEYS="required")
    name = f"pharmacy-{uuid.uuid4().hex[:6]}"
    key = app.test_cli_runner().invoke(args=["apikey", "create", name]).stdout.split()[0]
    caplog.set_level(logging.INFO, logger="crampcheck.audit")
    response = app.test_client().post("/api/v1/check", headers={"Authorization": f"Bearer {key}"},
                                      json={"medications": [*SECRET_NAMES, "Lasix 40mg"], "conditions": ["CKD"]})
    assert response.status_code == 200
    [line] = audit_records(caplog)
    assert (line.event, line.channel, line.caller, line.entries) == ("check", "api", name, 3)
    assert line.statuses == {"unresolved": 2, "flagged": 1}
    assert line.conditions == 1 and line.duration_ms >= 0
    everything = json.dumps({k: str(v) for k, v in vars(line).items()}).lower()
    assert "zorblax" not in everything and "quibble" not in everything and "lasix" not in everything


def test_a_batch_and_a_job_write_audit_lines_without_text(job_app, caplog):
    caplog.set_level(logging.INFO, logger="crampcheck.audit")
    client = job_app.test_client()
    client.post("/api/v1/batch", data='patient_id,medications\nP1,"Zorblaxitol; Lasix"\n', content_type="text/csv")
    made = client.post("/api/v1/batch", data='patient_id,medications\n' + 'P9,"Quibbleprine; Lasix"\n' * 8,
                       content_type="text/csv")
    jobs.process_job(made.get_json()["id"])
    lines = audit_records(caplog)
    assert [r.event for r in lines] == ["batch", "job-created", "job-ended"]
    assert lines[0].statuses == {"unresolved": 1, "flagged": 1} and lines[0].rows == 1
    assert lines[2].state == "done" and lines[2].rows == 8 and lines[2].caller == "anonymous"
    everything = json.dumps([{k: str(v) for k, v in vars(r).items()} for r in lines]).lower()
    assert "zorblax" not in everything and "quibble" not in everything and "p9" not in everything


# ---- several gunicorn workers ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()


@pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="the SQLite run covers it")
def test_metrics_sum_every_gunicorn_worker_and_survive_a_worker_restart(database_uri, tmp_path):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database_uri, "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "1",
           "PREPARE_ON_START": "false", "HUEY_SQLITE_FILE": str(tmp_path / "q.db"), "LOG_LEVEL": "WARNING",
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind",
                               f"127.0.0.1:{port}", "service:create_app()"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        route = {"method": "GET", "route": "/api/v1/drug-classes", "status": "200"}
        sent = 0
        # Which worker accepts a connection is the kernel's choice: send in concurrent rounds until at
        # least two workers have answered (on a busy machine one worker may take a whole round).
        with ThreadPoolExecutor(max_workers=6) as pool:
            while sent < 300 and len(list((tmp_path / "metrics").glob("counter_*.db"))) < 2:
                list(pool.map(lambda _: _get(base + "/api/v1/drug-classes"), range(30)))
                sent += 30
        workers = [p for p in (tmp_path / "metrics").glob("counter_*.db")]
        assert len(workers) >= 2  # the requests were answered by more than one worker
        assert {sample(_get(base + "/metrics"), "crampcheck_http_requests_total", **route)
                for _ in range(6)} == {float(sent)}
        victim = int(workers[0].stem.split("_")[1])
        os.kill(victim, signal.SIGKILL)  # gunicorn starts another; child_exit marks the old one dead
        time.sleep(2)
        assert {sample(_get(base + "/metrics"), "crampcheck_http_requests_total", **route)
                for _ in range(6)} == {float(sent)}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
