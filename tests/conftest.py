"""Shared fixtures: the seed index without Flask, and an app on a throw-away database."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import responses
from sqlalchemy import create_engine, select, text

from service import create_app
from service.extensions import db
from service.lexicon import Lexicon
from service.seeding import read_seed_files
from service.startup import prepare

# Tests never reach openFDA; the ones about it turn it on against `responses`. Set here so that
# worker processes started by tests inherit it too.
os.environ["OPENFDA_ENABLED"] = "false"
# The suite sends hundreds of requests from one address: no rate limit, except in the tests about it.
os.environ["RATE_LIMIT"] = "off"


@pytest.fixture(scope="session")
def seed():
    return read_seed_files()


@pytest.fixture(scope="session")
def lexicon(seed) -> Lexicon:
    """The seed index built straight from the files: the pure core needs no database."""
    return Lexicon.build(seed)


def _database_uri(tmp_path_factory) -> str:
    # TEST_DATABASE_URL runs the suite on another database (PostgreSQL in CI).
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    """A throw-away database, migrated and seeded once for the session (the release step)."""
    url = _database_uri(tmp_path_factory)
    prepare(create_app({"DATABASE_URL": url, "OPENFDA_ENABLED": False,
                        "HUEY_SQLITE_FILE": str(tmp_path_factory.mktemp("queue") / "queue.db")}))
    return url


_MADE_APPS: list = []


@pytest.fixture(scope="session")
def make_app(database_uri, tmp_path_factory):
    """Build an app of its own for a test that needs another configuration (on the prepared database)."""

    def make(**overrides):
        queue = tmp_path_factory.mktemp("queue") / "queue.db"
        made = create_app({"TESTING": True, "DATABASE_URL": database_uri, "HUEY_SQLITE_FILE": str(queue),
                           "OPENFDA_ENABLED": False, **overrides})
        _MADE_APPS.append(made)
        return made

    return make


@pytest.fixture(autouse=True)
def _close_connections_of_apps_made_by_the_test():
    """Each app has its own connection pool: close the pools of a test's apps when it ends.

    Left to the garbage collector, a few hundred apps' idle connections exceed PostgreSQL's
    max_connections in the PostgreSQL pass.
    """
    before = len(_MADE_APPS)
    yield
    made, _MADE_APPS[before:] = _MADE_APPS[before:], []
    for made_app in made:
        with made_app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def app(make_app):
    """The shared app on a migrated, seeded database; tests never change its configuration."""
    return make_app()


def forget_jobs() -> None:
    """Delete the jobs earlier tests left (inside an app context).

    Left queued, they are waiting jobs a test's job gives way to, and unfinished jobs of the test
    client's address that count against its quota, whatever order the tests ran in.
    """
    from service.batch.jobs import delete_job
    from service.models import BatchJob

    for job_id in db.session.scalars(select(BatchJob.id)).all():
        delete_job(job_id)


@pytest.fixture
def job_app(make_app):
    """An app whose batches of more than 5 rows become jobs, in chunks of 7 rows, run by the test itself."""
    app = make_app(BATCH_SYNC_MAX_ROWS=5, BATCH_CHUNK_ROWS=7, BATCH_WORKER="external", BATCH_STALE_SECONDS=0)
    with app.app_context():
        forget_jobs()
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


FIXTURES = Path(__file__).parent / "fixtures" / "openfda"


def openfda_body(name: str) -> dict:
    """A recorded openFDA response body."""
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def fda():
    """Every outbound HTTP call must be registered here; an unregistered URL fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
