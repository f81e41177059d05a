"""Production configuration: database URLs, a throttle shared through Redis, gunicorn settings."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from service import create_app
from service.config import database_uri
from service.services import services

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@db.example:5432/app", "postgresql+psycopg://u:p@db.example:5432/app"),
        ("postgresql://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        (None, "sqlite:////srv/instance/crampcheck.db"),
    ],
)
def test_database_url_forms_hosting_platforms_hand_out_are_accepted(url, expected):
    assert database_uri(url, "/srv/instance") == expected


def test_openfda_throttle_is_shared_by_instances_through_redis(database_uri, tmp_path):
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis")
    settings = {"TESTING": True, "DATABASE_URL": database_uri, "OPENFDA_ENABLED": True, "REDIS_URL": url,
                "HUEY_NAME": f"throttle-{uuid.uuid4().hex}", "BATCH_WORKER": "external",
                "OPENFDA_RATE_PER_SECOND": 3, "OPENFDA_RATE_PER_MINUTE": 100}
    apps = [create_app({**settings, "HUEY_SQLITE_FILE": str(tmp_path / f"q{n}.db")}) for n in range(2)]
    limiters = [services(app).source("openfda").client.limiter for app in apps]
    granted = sum(limiter.try_acquire("openfda", blocking=False) for _ in range(5) for limiter in limiters)
    assert granted == 3  # one quota for both instances, not three each


def test_gunicorn_settings_come_from_the_environment():
    code = ("import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['workers'], c['threads'], c['timeout'], c['worker_connections'])")
    env = {**os.environ, "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "8", "GUNICORN_TIMEOUT": "45",
           "GUNICORN_WORKER_CONNECTIONS": "500"}
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True).stdout
    assert output.split() == ["3", "8", "45", "500"]


def test_a_worker_holds_no_more_connections_than_it_may_open_files():
    code = ("import resource, runpy; resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024)); "
            "print(runpy.run_path('gunicorn.conf.py')['worker_connections'])")
    env = {k: v for k, v in os.environ.items() if k != "GUNICORN_WORKER_CONNECTIONS"}
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True).stdout
    assert output.split() == ["824"]


def _gunicorn_settings(**env: str) -> dict:
    code = ("import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(json.dumps({k: v for k, v in c.items() if k.startswith('control_socket')}))")
    environment = {k: v for k, v in os.environ.items() if k != "GUNICORN_CONTROL_SOCKET"} | env
    output = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    return json.loads(output.stdout)


def test_gunicorn_instances_do_not_share_a_control_socket():
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    default = _gunicorn_settings()
    assert set(default) <= known  # real gunicorn settings, not typos gunicorn would ignore
    assert default["control_socket_disable"] is True  # no shared per-user socket path by default
    one, two = (_gunicorn_settings(GUNICORN_CONTROL_SOCKET=f"/run/crampcheck/web-{n}.ctl") for n in (1, 2))
    assert one["control_socket_disable"] is False and two["control_socket_disable"] is False
    assert one["control_socket"] != two["control_socket"]
