"""The app's services, reached through one typed accessor instead of string keys.

Nothing here does I/O when the app is created: the seed index and the evidence sources are
built on first use (at start-up by gunicorn's hook, or by the first request or command), so
`create_app` stays cheap and a missing schema or seed is a readiness failure, not a crash.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from .batch.checking import collection_paused
from .evidence import EvidenceSource
from .lexicon import Lexicon
from .pipeline import Pipeline

KEY = "crampcheck"


class NotReady(RuntimeError):
    """The seed index cannot be built: no schema, no seed, or no database."""


@dataclass
class Services:
    """What the views, commands and jobs of one app use."""

    app: Flask
    # Builds the batch-job queue and its task (opening a SQLite queue file is I/O: done on first use).
    queue_factory: Callable[[], tuple[Any, Callable[[str], Any]]] | None = None
    consumer: dict[str, Any] = field(default_factory=dict)  # the embedded job consumer, per process
    on_check: Callable[[Any, float], None] | None = None  # told of every check (metrics, audit log)
    _pipeline: Pipeline | None = None
    _queue: tuple[Any, Callable[[str], Any]] | None = None
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def queue(self) -> Any:
        """The Huey queue of batch jobs."""
        return self._queued()[0]

    @property
    def run_job(self) -> Callable[[str], Any]:
        """Queues a batch job by id."""
        return self._queued()[1]

    @run_job.setter
    def run_job(self, function: Callable[[str], Any]) -> None:
        self._queue = (self.queue, function)

    def _queued(self) -> tuple[Any, Callable[[str], Any]]:
        if self._queue is None:
            with self._lock:
                if self._queue is None:
                    assert self.queue_factory is not None, "batch jobs are not set up on this app"
                    self._queue = self.queue_factory()
        return self._queue

    @property
    def pipeline(self) -> Pipeline:
        """The check pipeline over the loaded seed and the configured sources (built once)."""
        if self._pipeline is None:
            with self._lock:
                if self._pipeline is None:
                    self._pipeline = self._build()
        return self._pipeline

    @property
    def lexicon(self) -> Lexicon:
        return self.pipeline.lexicon

    @property
    def loaded(self) -> bool:
        """True once the seed index is in memory."""
        return self._pipeline is not None

    def reload(self) -> Pipeline:
        """Rebuild the pipeline from the database (after the seed changed)."""
        with self._lock:
            self._pipeline = self._build()
        return self._pipeline

    def source(self, name: str) -> EvidenceSource | None:
        return next((s for s in self.pipeline.sources if s.name == name), None)

    def _build(self) -> Pipeline:
        from . import openfda
        from .extensions import db
        from .resolution import ordinary_words
        from .seeding import loaded_version, read_seed_from_db

        with self.app.app_context():
            try:
                lexicon = self._lexicon(loaded_version(), read_seed_from_db)
            except LookupError as error:
                raise NotReady("The database holds no seed: run 'flask --app service prepare'.") from error
            except SQLAlchemyError as error:
                raise NotReady(f"The database is not reachable or not migrated ({type(error).__name__}): "
                               "run 'flask --app service prepare'.") from error
            finally:
                db.session.remove()
            engine = db.engine
        source = openfda.build_source(self.app.config, lambda: engine, lambda: lexicon.pharm_classes)
        ordinary_words()  # the word lists that guard misspelling look-ups, loaded before workers fork
        # The index is hundreds of thousands of long-lived objects: keep the cyclic collector from
        # walking them on every collection (and, before a fork, from touching their pages). No
        # collection first: it would cost a command a tenth of its start for a few kilobytes.
        gc.freeze()
        return Pipeline(lexicon, [source] if source else [], observe=self.on_check,
                        fuzzy_per_check=self.app.config["FUZZY_WORDS_PER_CHECK"],
                        fuzzy_per_entry=self.app.config["FUZZY_WORDS_PER_ENTRY"])


    def _lexicon(self, version: str | None, read: Callable[[], Any]) -> Lexicon:
        """The seed index, from a file in the instance folder when this seed and code built it before.

        Building it from the database (and vetting 40,000 derived names) takes most of a start-up;
        unpickling it a fraction. The file is keyed by the seed version and the indexing code, and is
        only a cache: any problem with it means building afresh.
        """
        if version is None:
            raise LookupError("the database holds no seed")
        path = Path(self.app.instance_path) / f"seed-index-{_fingerprint(version)}.pickle"
        try:
            with path.open("rb") as handle, collection_paused():
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            pass
        lexicon = Lexicon.build(read())
        try:
            for stale in path.parent.glob("seed-index-*.pickle"):
                stale.unlink(missing_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
                pickle.dump(lexicon, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except OSError:
            pass  # a read-only instance folder: build at every start instead
        return lexicon


def _fingerprint(version: str) -> str:
    """The seed version and the code that turns the seed into the index."""
    digest = hashlib.sha256(version.encode())
    for module in ("lexicon.py", "text.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


def init_app(app: Flask) -> Services:
    app.extensions[KEY] = found = Services(app)
    return found


def services(app: Flask | None = None) -> Services:
    """The services of this app (the current one by default)."""
    return (app or current_app).extensions[KEY]
