"""Idle and slow connections against the Procfile's web process, and how long /healthz then takes.

Used by bench/hostile.py (the figures) and tests/test_slow_clients.py (the functional check). Every
connection goes to loopback only; every loop is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import selectors
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLOW_REQUEST = b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
               b"Content-Length: 40\r\n\r\n" + b'{"medications": ["Lasix"]}'.ljust(40)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_web_command(port: int) -> list[str]:
    """The Procfile's web command on 127.0.0.1:port, run with this interpreter's gunicorn."""
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    command = shlex.split(line.removeprefix("web:").replace("$PORT", str(port)))
    assert command[0] == "gunicorn", command
    bind = command.index("--bind")
    command[bind + 1] = re.sub(r"^0\.0\.0\.0:", "127.0.0.1:", command[bind + 1])  # loopback only
    return [sys.executable, "-m", "gunicorn", *command[1:]]


@contextlib.contextmanager
def procfile_server(env: dict[str, str], log_path: Path | None = None) -> Iterator[int]:
    """Start the Procfile's web process on a free loopback port; yield the port once /healthz answers."""
    port = free_port()
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115 - closed below
    server = subprocess.Popen(procfile_web_command(port), cwd=ROOT, env={**os.environ, **env},
                              stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if healthz(port, timeout=2) is not None:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start (exit {server.poll()})")
            time.sleep(0.3)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if log_path:
            log.close()


def healthz(port: int, timeout: float) -> float | None:
    """Seconds one GET /healthz took on a new connection, or None when it did not answer 200 in time."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return time.perf_counter() - started if response.status == 200 else None
    except TimeoutError:
        return None
    finally:
        connection.close()


@contextlib.contextmanager
def hostile_connections(port: int, idle: int, slow: int, byte_every: float = 1.0,
                        seconds: float = 120.0) -> Iterator[None]:
    """Hold `idle` connections that send nothing and `slow` ones sending a request a byte at a time.

    Each slow connection sends one byte every `byte_every` seconds, for `seconds` at most; any
    connection the server closes is opened again.
    """
    stop = threading.Event()

    def stay_idle() -> None:
        # Open `idle` connections; when the server closes one (its request timed out), open another.
        until = time.monotonic() + seconds
        with selectors.DefaultSelector() as selector:
            for _ in range(idle):
                selector.register(socket.create_connection(("127.0.0.1", port), timeout=5), selectors.EVENT_READ)
            while not stop.is_set() and time.monotonic() < until:
                for key, _ in selector.select(timeout=0.2):
                    selector.unregister(key.fileobj)
                    key.fileobj.close()
                    with contextlib.suppress(OSError):
                        selector.register(socket.create_connection(("127.0.0.1", port), timeout=5),
                                          selectors.EVENT_READ)
            for key in list(selector.get_map().values()):
                key.fileobj.close()

    def trickle() -> None:
        until = time.monotonic() + seconds
        while not stop.is_set() and time.monotonic() < until:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
                    for byte in SLOW_REQUEST:
                        if stop.wait(byte_every) or time.monotonic() > until:
                            return
                        connection.sendall(bytes([byte]))
            except OSError:
                stop.wait(byte_every)

    threads = [threading.Thread(target=trickle, daemon=True) for _ in range(slow)]
    threads.append(threading.Thread(target=stay_idle, daemon=True))
    for thread in threads:
        thread.start()
    try:
        time.sleep(byte_every * 2)  # every slow connection has started its request
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
