"""The gunicorn worker of the web process: requests are read whole before they take a thread.

gunicorn's threaded worker hands a connection to one of its few threads as soon as it opens, and
the thread then waits for the request: a handful of clients that connect and send nothing, or a
byte a second, hold every thread and every other request waits behind them. An event-loop worker
(gevent) would make the batch-job threads greenlets, and a job's CPU work then stops every request
(/healthz waited up to 30 s during a 20,000-row job; 44 ms at most with this worker). This worker keeps the
threaded worker (the application, its batch-job threads and the metrics are unchanged) but reads
each request in the worker's event loop first: h11, an incremental HTTP/1.1 parser, says when the
request line, headers and body are all there, and only then does a thread take the request, which
it reads from memory (or, for a body over a megabyte, from a temporary file) without waiting. A
request that is not whole in time is dropped:

- the request line and headers must arrive within ``GUNICORN_HEADER_TIMEOUT`` seconds;
- a body may pause for at most ``GUNICORN_BODY_TIMEOUT`` seconds between two pieces.

A body declared or sent larger than the largest the application takes (``MAX_CONTENT_LENGTH``)
is not buffered: the request goes to the application as soon as that is known, and it answers 413.

gunicorn's own error answers (a request line or headers too long or malformed) are problem
documents with the service's security headers, like every other error, and their log line never
quotes the request (its address may carry a medication name).
"""

from __future__ import annotations

import errno
import json
import os
import selectors
import socket
import ssl
import tempfile
import time
from functools import partial
from typing import Any

import h11
from gunicorn import util
from gunicorn.http import RequestParser
from gunicorn.http import errors as http_errors
from gunicorn.workers.gthread import TConn, ThreadWorker

from .errors import problem_type
from .web import API_CSP, SECURITY_HEADERS

HEADER_TIMEOUT = float(os.environ.get("GUNICORN_HEADER_TIMEOUT", "10"))
BODY_TIMEOUT = float(os.environ.get("GUNICORN_BODY_TIMEOUT", "30"))
# Bodies up to this size stay in memory while they arrive; larger ones go to a temporary file.
SPOOL_BYTES = 1024 * 1024
# A closing connection is read, and what it sends thrown away, until the client closes (at most this
# long, and as much as the largest body): a client still sending a refused body then reads the 413
# instead of a reset connection. It costs no thread, only the event loop's reads.
CLOSE_LINGER = 5.0
DEFAULT_MAX_BODY = 50 * 1024 * 1024
_PIECE = 64 * 1024

# gunicorn's refusals of a request it could not parse, most specific first: status and title.
_REFUSALS: list[tuple[type[BaseException], int, str]] = [
    (http_errors.InvalidResponseHeader, 500, "Internal Server Error"),  # the application's fault
    (http_errors.InvalidResponseHeaderName, 500, "Internal Server Error"),
    (http_errors.LimitRequestLine, 414, "URI Too Long"),
    (http_errors.LimitRequestHeaders, 431, "Request Header Fields Too Large"),
    (http_errors.ExpectationFailed, 417, "Expectation Failed"),
    (http_errors.UnsupportedTransferCoding, 501, "Not Implemented"),
    (http_errors.ConfigurationProblem, 500, "Internal Server Error"),
    (http_errors.ForbiddenProxyRequest, 403, "Forbidden"),
    (ssl.SSLError, 403, "Forbidden"),
    (http_errors.ParseException, 400, "Bad Request"),
]


def refusal(status: int, title: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer carrying a problem document and the security headers; the connection closes."""
    body = json.dumps({"type": problem_type(status), "title": title, "status": status, "detail": detail}).encode()
    headers = {"Content-Type": "application/problem+json", "Content-Length": str(len(body)), "Connection": "close",
               "Content-Security-Policy": API_CSP, **SECURITY_HEADERS}
    head = f"HTTP/1.1 {status} {title}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return head.encode("latin-1") + b"\r\n" + body


class RequestReader:
    """Reads one request as its bytes arrive, and says when it can be handed to a thread.

    Pure: fed bytes, it keeps them (in memory, or a temporary file past SPOOL_BYTES) and answers
    whether the request is whole, or must be handed over anyway (its body is over `max_body`, or
    h11 refuses it: gunicorn's own parser then answers as it always has).
    """

    def __init__(self, head_limit: int, max_body: int, now: float) -> None:
        self._parser = h11.Connection(h11.SERVER, max_incomplete_event_size=head_limit)
        self._max_body = max_body
        self.data = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by the source
        self.deadline = now + HEADER_TIMEOUT
        self.head_read = False
        self.wants_continue = False
        self.started = False
        self.over_limit = False  # handed over before its body, which the application refuses
        self.malformed = False  # the head was read but the body's framing is broken: refused here
        self._body_bytes = 0

    def feed(self, data: bytes, now: float) -> bool:
        """Take bytes from the client; True when the request should now go to a thread."""
        self.started = True
        self.data.write(data)
        if self.head_read:
            self.deadline = now + BODY_TIMEOUT
        self._parser.receive_data(data)
        try:
            while True:
                event = self._parser.next_event()
                if event is h11.NEED_DATA:
                    return False
                if isinstance(event, h11.Request):
                    self.head_read = True
                    self.deadline = now + BODY_TIMEOUT
                    self.wants_continue = self._parser.client_is_waiting_for_100_continue
                    length = dict(event.headers).get(b"content-length")
                    if length is not None and int(length) > self._max_body:
                        self.over_limit = True
                        return True  # the application refuses it without reading the body
                elif isinstance(event, h11.Data):
                    self._body_bytes += len(event.data)
                    if self._body_bytes > self._max_body:
                        self.over_limit = True
                        return True  # the application reads past its limit and answers 413
                else:  # EndOfMessage, or PAUSED after it
                    return True
        except h11.RemoteProtocolError:
            # A bad head goes to gunicorn's parser, which answers it (400, 414, 431, ...); a bad body
            # (broken chunk framing) is refused in the event loop, without holding a thread.
            self.malformed = self.head_read
            return True


class _Source:
    """What the request parser reads: the bytes already received, then (rarely) the socket."""

    def __init__(self, data: Any, sock: Any) -> None:
        data.seek(0)
        self._data = data
        self._sock = sock

    def __iter__(self) -> _Source:
        return self

    def __next__(self) -> bytes:
        if self._data is not None:
            piece = self._data.read(_PIECE)
            if piece:
                return piece
            self.close()
        # Only a request handed over before it was whole gets here; reads wait BODY_TIMEOUT at most.
        previous = self._sock.gettimeout()
        self._sock.settimeout(previous if previous is not None else BODY_TIMEOUT)
        try:
            piece = self._sock.recv(_PIECE)
        finally:
            self._sock.settimeout(previous)
        if not piece:
            raise StopIteration
        return piece

    def rest(self) -> bytes:
        """Bytes received but not yet read (a pipelined next request)."""
        if self._data is None:
            return b""
        rest = self._data.read()
        self.close()
        return rest

    def close(self) -> None:
        if self._data is not None:
            self._data.close()
            self._data = None


class BufferingThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, with every request read whole in the event loop first."""

    def init_process(self) -> None:
        self._reading: dict[TConn, RequestReader] = {}
        self._closing: dict[TConn, list[float]] = {}  # connection: [deadline, bytes drained]
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        config = getattr(self.wsgi, "config", {})
        self._max_body = int(config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BODY)
        cfg = self.cfg
        # TLS and uWSGI connections are read as gunicorn always did (this worker parses plain HTTP/1.1).
        self._buffering = not cfg.is_ssl and getattr(cfg, "protocol", "http") == "http"
        # Large enough for any head gunicorn itself takes, so that gunicorn's own limits answer first.
        self._head_limit = (cfg.limit_request_line or 64 * 1024) + \
            (cfg.limit_request_fields or 1000) * ((cfg.limit_request_field_size or 64 * 1024) + 2) + 4

    # --- reading requests in the event loop -------------------------------------------------------

    def accept(self, listener: Any) -> None:
        if not self._buffering:
            super().accept(listener)
            return
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._start_reading(TConn(self.cfg, client, address, listener.getsockname()), b"")

    def on_client_socket_readable(self, conn: TConn, client: Any) -> None:
        """A kept-alive connection has a next request coming: read it whole too."""
        if not self._buffering:
            super().on_client_socket_readable(conn, client)
            return
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._start_reading(conn, b"")

    def _start_reading(self, conn: TConn, received: bytes) -> None:
        reader = RequestReader(self._head_limit, self._max_body, time.monotonic())
        conn.sock.setblocking(False)
        self._reading[conn] = reader
        if received and self._take(conn, reader, received):
            return
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))

    def _on_readable(self, conn: TConn, client: Any) -> None:
        try:
            data = conn.sock.recv(_PIECE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(conn)
            return
        if self._take(conn, self._reading[conn], data) and conn.sock.fileno() >= 0:
            self.poller.unregister(conn.sock)  # handed to a thread (a refused one is closed already)

    def _take(self, conn: TConn, reader: RequestReader, data: bytes) -> bool:
        """Feed the reader; hand the request to a thread once it is ready. True when handed over."""
        head_read = reader.head_read
        ready = reader.feed(data, time.monotonic())
        if reader.wants_continue and not head_read and not ready:
            try:
                conn.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            except OSError:
                pass
        if not ready:
            return False
        if reader.malformed:
            self._drop(conn, refusal(400, "Bad Request", "The request body is malformed: its chunked framing is "
                                                          "broken. Send it again, whole."))
            return True
        del self._reading[conn]
        conn.close_after = reader.over_limit  # the rest of that body is never read: no next request
        conn.parser = RequestParser(self.cfg, _Source(reader.data, conn.sock), conn.client)
        conn.parser.unreader.sock = conn.sock  # so that gunicorn bounds the drain of an unread body
        conn.initialized = True
        conn.data_ready = True
        self.enqueue_req(conn)
        return True

    def _drop(self, conn: TConn, answer: bytes = b"") -> None:
        reader = self._reading.pop(conn)
        reader.data.close()
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        if answer:
            try:
                conn.sock.send(answer)
            except OSError:
                pass
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Close connections whose request did not arrive in time (as well as gunicorn's own)."""
        super().murder_pending()
        now = time.monotonic()
        stopping = not self.alive  # a stopping worker waits for no request that has not begun
        for conn, reader in [(conn, reader) for conn, reader in self._reading.items()
                             if reader.deadline <= now or (stopping and not reader.started)]:
            late = refusal(408, "Request Timeout", "The request did not arrive in time; send it again.")
            self._drop(conn, late if reader.started else b"")
        for conn in [conn for conn, (deadline, _) in self._closing.items() if deadline <= now]:
            self._closed(conn)

    def _keepalive_after(self, conn: TConn, keepalive: bool) -> bool:
        if getattr(conn, "close_after", False):
            return False  # do not wait in a thread for the rest of a body that was refused
        return super()._keepalive_after(conn, keepalive)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        """After an answer: read a pipelined next request like any other, or close without blocking."""
        if not self._buffering:
            super().finish_request(conn, fs)
            return
        try:
            keep = not fs.cancelled() and fs.result() is True
        except Exception:  # noqa: BLE001 - gunicorn closes the connection then, as here
            keep = False
        source = getattr(getattr(conn.parser, "unreader", None), "iter", None)
        if keep and self.alive and isinstance(conn.parser, RequestParser):
            rest = conn.parser.unreader.take_buffered() + (source.rest() if isinstance(source, _Source) else b"")
            if rest:
                self._start_reading(conn, rest)
                return
        if isinstance(source, _Source):
            source.close()
        if keep:
            super().finish_request(conn, fs)  # kept alive: back in the event loop until its next request
            return
        # gunicorn closes gracefully (send FIN, then read until the client closes, up to 2 s), but
        # blocking this loop, where a client that never closes stopped every other connection.
        self.nr_conns -= 1
        try:
            conn.sock.shutdown(socket.SHUT_WR)
            conn.sock.setblocking(False)
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_closing_readable, conn))
        except (OSError, ValueError):
            conn.close()
            return
        self._closing[conn] = [time.monotonic() + CLOSE_LINGER, 0]

    def _on_closing_readable(self, conn: TConn, client: Any) -> None:
        try:
            data = conn.sock.recv(_PIECE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        self._closing[conn][1] += len(data)
        if not data or self._closing[conn][1] > self._max_body:
            self._closed(conn)

    def _closed(self, conn: TConn) -> None:
        del self._closing[conn]
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass
        conn.close()

    # --- gunicorn's own error answers ---------------------------------------------------------------

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        status, title = next(((status, title) for kind, status, title in _REFUSALS if isinstance(exc, kind)),
                             (500, "Internal Server Error"))
        if status == 500:
            # The type only: the message or the address may quote a medication list.
            self.log.error("Error handling request: %s", type(exc).__name__)
            detail = "The server failed unexpectedly; try again."
        else:
            self.log.warning("Refused a request gunicorn could not read: %s", type(exc).__name__)
            detail = {414: "The request line is too long.", 431: "The request headers are too many or too large.",
                      417: "Only the 100-continue expectation is supported.",
                      501: "Only the chunked transfer coding is supported."}.get(status, "The request could not be read.")
        try:
            util.write_nonblock(client, refusal(status, title, detail))
        except Exception:  # noqa: BLE001 - the client may be gone
            self.log.debug("Failed to send an error answer.")
