"""Rate limits: per API key or client address, 429 problems with Retry-After and rate-limit headers."""

import os
import time
import uuid

import pytest
import redis

from service import config

CHECK = {"medications": ["Lasix 40mg"]}


def _check(client, **kwargs):
    return client.post("/api/v1/check", json=CHECK, **kwargs)


def test_over_the_limit_is_a_429_problem_with_retry_after_and_rate_limit_headers(make_app):
    client = make_app(RATE_LIMIT="3/minute").test_client()
    remaining = []
    for _ in range(3):
        response = _check(client)
        assert response.status_code == 200
        remaining.append(response.headers["X-RateLimit-Remaining"])
        assert response.headers["RateLimit-Limit"] == response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["RateLimit-Policy"] == "3;w=60"
        assert 0 <= int(response.headers["RateLimit-Reset"]) <= 60
        assert int(response.headers["X-RateLimit-Reset"]) >= time.time()
    assert remaining == ["2", "1", "0"]
    refused = _check(client)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    body = refused.get_json()
    assert body["type"] == "urn:crampcheck:problem:rate-limited" and body["status"] == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert f"{refused.headers['Retry-After']} seconds" in body["detail"]
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_one_budget_covers_every_api_route(make_app):
    client = make_app(RATE_LIMIT="2/minute").test_client()
    assert _check(client).status_code == 200
    assert client.get("/api/v1/drug-classes").status_code == 200
    assert client.get("/api/v1/medications/suggest?q=lasi").status_code == 429


def test_health_docs_page_and_metrics_are_not_limited(make_app):
    client = make_app(RATE_LIMIT="1/minute").test_client()
    for path in ["/healthz", "/api/v1/openapi.json", "/api/v1/docs", "/", "/metrics"] * 3:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "X-RateLimit-Limit" not in response.headers


def test_each_client_address_has_its_own_budget(make_app):
    client = make_app(RATE_LIMIT="1/minute").test_client()
    assert _check(client, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    assert _check(client, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert _check(client, environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200


def test_forwarded_addresses_count_only_behind_trusted_proxies(make_app):
    spoofed = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in (1, 2)]
    direct = make_app(RATE_LIMIT="1/minute").test_client()
    assert _check(direct, headers=spoofed[0]).status_code == 200
    assert _check(direct, headers=spoofed[1]).status_code == 429  # a client cannot pick its own address
    proxied = make_app(RATE_LIMIT="1/minute", TRUSTED_PROXIES=1).test_client()
    assert _check(proxied, headers=spoofed[0]).status_code == 200
    assert _check(proxied, headers=spoofed[1]).status_code == 200


def test_each_api_key_has_its_own_budget_and_bad_keys_share_their_address(make_app):
    app = make_app(RATE_LIMIT="1/minute", API_KEYS="required")
    keys = [app.test_cli_runner().invoke(args=["apikey", "create", f"rl-{uuid.uuid4().hex[:8]}"]).stdout.split()[0]
            for _ in range(2)]
    client = app.test_client()
    assert _check(client, headers={"Authorization": f"Bearer {keys[0]}"}).status_code == 200
    assert _check(client, headers={"Authorization": f"Bearer {keys[0]}"}).status_code == 429
    assert _check(client, headers={"Authorization": f"Bearer {keys[1]}"}).status_code == 200
    # Guessing keys is limited by address: the second wrong key is not even looked at.
    assert _check(client, headers={"Authorization": "Bearer cc_guess1"}).status_code == 401
    assert _check(client, headers={"Authorization": "Bearer cc_guess2"}).status_code == 429


@pytest.mark.parametrize(("value", "expected"), [(None, "300/minute"), ("off", ""), ("", ""), ("10/second", "10/second")])
def test_rate_limit_setting(value, expected):
    environ = {} if value is None else {"RATE_LIMIT": value}
    assert config.load(environ, "/srv/instance", None)["RATE_LIMIT"] == expected


def test_a_malformed_rate_limit_stops_the_start(make_app):
    with pytest.raises(ValueError, match="RATE_LIMIT"):
        make_app(RATE_LIMIT="sixty a minute")


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis")
    return url


def test_instances_share_one_budget_through_redis(make_app, redis_url):
    prefix = f"test-rate-{uuid.uuid4().hex}"
    settings = {"RATE_LIMIT": "3/minute", "REDIS_URL": redis_url, "RATE_LIMIT_KEY_PREFIX": prefix}
    one, two = make_app(**settings).test_client(), make_app(**settings).test_client()
    try:
        assert [_check(c).status_code for c in (one, two, one)] == [200, 200, 200]
        refused = _check(two)
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        store = redis.Redis.from_url(redis_url)
        assert store.keys(f"*{prefix}*")  # counted in Redis, under this deployment's prefix
    finally:
        store = redis.Redis.from_url(redis_url)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
