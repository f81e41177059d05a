"""A small, injectable client for the public openFDA API.

It owns the failure handling openFDA needs, with maintained libraries for each part:
tenacity (retries with exponential backoff and jitter), pyrate-limiter (a client-side
throttle well under 240 requests a minute, with no bursts) and pybreaker (a circuit breaker
that stops calling for a while after repeated failures). Callers pass a deadline; nothing
here waits past it.

- 404 NOT_FOUND is "no results" (None), as openFDA intends.
- 400, 403 and query-syntax 500s are the request's fault: raised as OpenFDARejected, never retried.
- 429, other 5xx, timeouts, connection errors and unreadable bodies are retried a bounded number
  of times, then raised as OpenFDAUnavailable.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import pybreaker
import requests
from pyrate_limiter import Limiter
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from urllib3.exceptions import NameResolutionError

from ..metrics import OPENFDA_CALLS

log = logging.getLogger(__name__)
# openFDA refuses any character outside this set (HTTP 400 "Search not supported").
_NOT_ALLOWED = re.compile(r"[^0-9a-zA-Z@%/\\',._:(){}\[\]\-><=* ]")


class OpenFDAError(Exception):
    """openFDA gave no usable answer."""


class OpenFDARejected(OpenFDAError):
    """openFDA refused the request itself (bad query or key); retrying cannot help."""


class OpenFDAUnavailable(OpenFDAError):
    """openFDA is down, slow, rate-limiting, returning garbage, or out of our time budget."""


class _Retryable(OpenFDAError):
    pass


def quote(value: str) -> str:
    """A search value quoted as one phrase, with characters openFDA refuses removed."""
    return '"' + _NOT_ALLOWED.sub(" ", value).strip() + '"'


def _cannot_resolve(error: requests.ConnectionError) -> bool:
    reason = error.args[0] if error.args else None
    return isinstance(getattr(reason, "reason", reason), NameResolutionError)


class OpenFDAClient:
    def __init__(
        self,
        session: requests.Session,
        base_url: str = "https://api.fda.gov",
        api_key: str | None = None,
        timeout: float = 5.0,
        limiter: Limiter | None = None,
        breaker: pybreaker.CircuitBreaker | None = None,
        max_attempts: int = 3,
        backoff: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.limiter = limiter
        self.breaker = breaker or pybreaker.CircuitBreaker(fail_max=5, reset_timeout=60, exclude=[OpenFDARejected])
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.clock = clock
        self.sleep = sleep

    def __repr__(self) -> str:  # never show the key
        return f"OpenFDAClient({self.base_url!r}, api_key={'set' if self.api_key else 'none'})"

    def search(self, endpoint: str, search: str | None, limit: int = 1, deadline: float | None = None,
               **params: Any) -> dict[str, Any] | None:
        """GET /{endpoint}.json with a search; the decoded body, or None when nothing matches."""
        query = {"limit": limit, **params}
        if search:
            query["search"] = search
        try:
            body = self.breaker.call(self._with_retries, endpoint, query, deadline)
        except pybreaker.CircuitBreakerError as error:
            OPENFDA_CALLS.labels(endpoint, "circuit_open").inc()
            raise OpenFDAUnavailable("openFDA circuit is open after repeated failures") from error
        except OpenFDAError as error:
            OPENFDA_CALLS.labels(endpoint, "rejected" if isinstance(error, OpenFDARejected) else "unavailable").inc()
            raise
        OPENFDA_CALLS.labels(endpoint, "ok" if body is not None else "not_found").inc()
        return body

    def total(self, endpoint: str, search: str | None, deadline: float | None = None) -> tuple[int, str | None]:
        """How many records match (0 when none), and openFDA's last_updated date."""
        body = self.search(endpoint, search, limit=1, deadline=deadline)
        if body is None:
            return 0, None
        meta = body.get("meta") or {}
        try:
            return int(meta["results"]["total"]), meta.get("last_updated")
        except (KeyError, TypeError, ValueError) as error:
            raise OpenFDAUnavailable("openFDA answered without a total") from error

    def _with_retries(self, endpoint: str, query: dict[str, Any], deadline: float | None) -> dict[str, Any] | None:
        def wait(retry_state: Any) -> float:
            pause = wait_exponential_jitter(multiplier=self.backoff, max=4, jitter=self.backoff)(retry_state)
            remaining = self._remaining(deadline)
            return pause if remaining is None else min(pause, max(0.0, remaining))

        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            return retrying(self._get_once, endpoint, query, deadline)
        except _Retryable as error:
            raise OpenFDAUnavailable(str(error)) from error

    def _remaining(self, deadline: float | None) -> float | None:
        return None if deadline is None else deadline - self.clock()

    def _get_once(self, endpoint: str, query: dict[str, Any], deadline: float | None) -> dict[str, Any] | None:
        remaining = self._remaining(deadline)
        if remaining is not None and remaining <= 0.05:
            raise OpenFDAUnavailable("time budget spent")
        if self.limiter is not None and not self.limiter.try_acquire("openfda", timeout=remaining if remaining else -1):
            raise OpenFDAUnavailable("throttled: no request slot within the time budget")
        timeout = self.timeout if remaining is None else max(0.05, min(self.timeout, self._remaining(deadline)))
        try:
            response = self.session.get(
                f"{self.base_url}/{endpoint}.json", params=query, timeout=timeout,
                auth=(self.api_key, "") if self.api_key else None,
            )
        except requests.Timeout as error:
            raise _Retryable("openFDA timed out") from error
        except requests.ConnectionError as error:
            if _cannot_resolve(error):  # no DNS (an offline machine): retrying at once cannot help
                raise OpenFDAUnavailable("openFDA host cannot be resolved") from error
            raise _Retryable(f"openFDA unreachable ({type(error).__name__})") from error
        except requests.RequestException as error:
            raise _Retryable(f"openFDA unreachable ({type(error).__name__})") from error
        return self._interpret(response)

    @staticmethod
    def _interpret(response: requests.Response) -> dict[str, Any] | None:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) and isinstance(body.get("error"), dict) else {}
        status = response.status_code
        if status == 200:
            if not isinstance(body, dict) or "results" not in body:
                raise _Retryable("openFDA returned an unreadable body")
            return body
        if status == 404 and error.get("code") == "NOT_FOUND":
            return None
        if status == 429 or (status >= 500 and not error.get("details")):
            raise _Retryable(f"openFDA answered {status}")
        if status == 403:
            log.warning("openFDA refused the API key (%s)", error.get("code", status))
        raise OpenFDARejected(f"openFDA refused the request: {status} {error.get('code', '')}".strip())
