"""The Procfile's web process against idle, slow and malformed clients (gunicorn on loopback).

The figures (how long /healthz takes) are measured by bench/hostile.py; these tests only hold
that an answer comes, with a generous margin.
"""

from __future__ import annotations

import http.client
import json
import os
import socket

import pytest

from bench.slow_clients import healthz, hostile_connections, procfile_server
from service.serving import RequestReader
from service.web import SECURITY_HEADERS

pytestmark = pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL") is not None, reason="the SQLite run covers it")


@pytest.fixture(scope="module")
def port(database_uri, tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    env = {"DATABASE_URL": database_uri, "PREPARE_ON_START": "false", "LOG_LEVEL": "WARNING",
           "HUEY_SQLITE_FILE": str(folder / "q.db"), "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics"),
           "GUNICORN_HEADER_TIMEOUT": "4"}
    with procfile_server(env) as port:
        yield port


def test_healthz_answers_while_idle_and_slow_clients_hold_connections(port):
    # Before requests were read whole off the threads, these held all four threads: 38 s to over 100 s.
    with hostile_connections(port, idle=40, slow=4, seconds=30):
        answers = [healthz(port, timeout=5) for _ in range(5)]
    assert all(took is not None and took < 1 for took in answers), answers


@pytest.mark.parametrize("request_bytes", [
    # answered, then the client neither reads nor closes: gunicorn waited for it in its event loop
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    # a body declared far over the limit, then sent a byte at a time: refused without waiting for it
    b"POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nContent-Length: 900000000\r\n\r\np",
    # a chunk with broken framing, left open: each once held a thread until the 30 s body timeout
    b"POST /api/v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"5\r\nabcdeX",
])
def test_healthz_answers_while_clients_leave_answered_connections_hanging(port, request_bytes):
    held = []
    try:
        for _ in range(40):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(request_bytes)
            held.append(connection)
        answers = [healthz(port, timeout=5) for _ in range(5)]
    finally:
        for connection in held:
            connection.close()
    assert all(took is not None and took < 1 for took in answers), answers


def test_a_client_sending_a_body_over_the_limit_reads_the_413_not_a_reset_connection(port):
    body = b"patient_id,medications\n" + b"P1,Lasix\n" * (11 * 1024 * 1024 // 9)  # the limit is 10 MiB
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/v1/batch", body=body, headers={"Content-Type": "text/csv"})
        response = connection.getresponse()
        assert response.status == 413 and response.getheader("Content-Type") == "application/problem+json"
        response.read()
    finally:
        connection.close()


def test_a_request_not_sent_in_time_is_closed_with_a_408_problem(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the headers never end
        status, headers, body = _answer(connection)
    assert status == 408 and headers["content-type"] == "application/problem+json"
    assert json.loads(body)["type"] == "urn:crampcheck:problem:request-timeout"


def _answer(connection: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, value in (line.split(": ", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize("request_bytes, status, slug", [
    (b"GET /api/v1/suggest?q=" + b"a" * 5_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri-too-long"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 150 + b"\r\n", 431, "headers-too-large"),
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"b" * 9_000 + b"\r\n\r\n", 431, "headers-too-large"),
    (b"NOT A REQUEST\r\n\r\n", 400, "malformed-request"),
])
def test_the_web_servers_own_refusals_are_problem_documents_with_the_security_headers(port, request_bytes,
                                                                                        status, slug):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request_bytes)
        answered, headers, body = _answer(connection)
    assert answered == status
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body) == {"type": f"urn:crampcheck:problem:{slug}", "title": json.loads(body)["title"],
                                "status": status, "detail": json.loads(body)["detail"]}
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    for name, value in SECURITY_HEADERS.items():
        assert headers[name.lower()] == value
    assert b"aaaa" not in body  # the request line is not echoed


_CHUNKED = (b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n")


@pytest.mark.parametrize("path, content_type, body", [
    (b"/api/v1/check", b"application/json", b"5\r\npatieX0\r\n\r\n"),  # a chunk without its terminator
    (b"/api/v1/check", b"application/json", b"zz\r\nabc\r\n0\r\n\r\n"),  # a chunk size that is no number
    (b"/api/v1/batch", b"text/csv", b"5\r\nabcdeX"),  # broken, and the connection left open
])
def test_a_body_with_broken_chunk_framing_is_a_400_problem_not_a_500(port, path, content_type, body):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(_CHUNKED % (path, content_type) + body)
        answered, headers, payload = _answer(connection)
    assert answered == 400 and headers["content-type"] == "application/problem+json"
    assert json.loads(payload)["type"] == "urn:crampcheck:problem:malformed-request"


def test_pipelined_requests_on_one_connection_are_each_answered(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                           b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           b"Content-Length: 26\r\nConnection: close\r\n\r\n" + b'{"medications": ["Lasix"]}')
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 200 OK") == 2 and b"furosemide" in data.lower()


# The reader itself, without sockets: when is a request whole?

def _reader(max_body: int = 1_000) -> RequestReader:
    return RequestReader(head_limit=10_000, max_body=max_body, now=0.0)


def test_a_request_is_whole_only_when_its_body_has_arrived():
    reader = _reader()
    assert reader.feed(b"POST /api/v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n", 0.0) is False
    assert reader.feed(b"\r\n12345", 0.5) is False
    assert reader.feed(b"67890", 1.0) is True


def test_a_broken_body_is_marked_malformed_but_a_broken_head_is_left_to_gunicorn():
    body = _reader()
    assert body.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdeX", 0.0) is True
    assert body.malformed
    head = _reader()
    assert head.feed(b"NOT A REQUEST\r\n\r\n", 0.0) is True and not head.malformed


def test_a_chunked_request_is_whole_at_its_last_chunk():
    reader = _reader()
    assert reader.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 0.0) is False
    assert reader.feed(b"0\r\n\r\n", 0.0) is True


def test_a_body_over_the_largest_limit_is_handed_over_at_once_for_the_413():
    declared = _reader()
    assert declared.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", 0.0) is True
    chunked = _reader()
    assert chunked.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 0.0) is False
    assert chunked.feed(b"3e8\r\n" + b"x" * 1_000 + b"\r\n", 0.0) is False  # exactly the limit so far
    assert chunked.feed(b"1\r\nx\r\n", 0.0) is True


def test_each_piece_of_a_body_moves_the_deadline_but_the_head_has_one():
    reader = _reader()
    reader.feed(b"POST / HTTP/1.1\r\n", 5.0)
    head_deadline = reader.deadline
    reader.feed(b"Host: x\r\n", 9.0)
    assert reader.deadline == head_deadline  # trickling the head does not buy time
    reader.feed(b"Content-Length: 10\r\n\r\n1", 9.5)
    assert reader.deadline > head_deadline
