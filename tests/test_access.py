"""API keys, the page's same-origin session, job owners and cross-origin writes (issue 14)."""

import hashlib
import uuid

import pytest
from sqlalchemy import select

from service.access.auth import COOKIE
from service.extensions import db
from service.models import ApiKey

CHECK = {"medications": ["Lasix 40mg"]}
BATCH = ("patient_id,medications\n" + "".join(f'P{n},"Lasix; Tylenol"\n' for n in range(8))).encode()


@pytest.fixture
def keys_app(make_app):
    """Keys required; batches of more than 5 rows become jobs that the test leaves queued."""
    return make_app(API_KEYS="required", BATCH_SYNC_MAX_ROWS=5, BATCH_WORKER="external")


def new_key(app, name=None):
    """Create a key with the command and return (name, key)."""
    name = name or f"client-{uuid.uuid4().hex[:8]}"
    result = app.test_cli_runner().invoke(args=["apikey", "create", name])
    assert result.exit_code == 0, result.output
    return name, result.stdout.splitlines()[0]


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_keys_are_off_by_default_so_the_api_answers_anyone(client):
    assert client.post("/api/v1/check", json=CHECK).status_code == 200
    assert client.get("/api/v1/drug-classes").status_code == 200


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/check"), ("get", "/api/v1/drug-classes"),
                                              ("get", "/api/v1/medications/suggest?q=lasi"),
                                              ("post", "/api/v1/batch"), ("get", f"/api/v1/batch/jobs/{uuid.uuid4()}"),
                                              ("post", "/api/v1/check/fhir"), ("get", "/metrics")])
def test_required_keys_refuse_a_request_without_one_with_401_and_a_bearer_challenge(keys_app, method, path):
    response = getattr(keys_app.test_client(), method)(path, json=CHECK)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == "urn:crampcheck:problem:unauthorized"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="crampcheck"'


def test_a_created_key_works_until_it_is_revoked(keys_app):
    name, key = new_key(keys_app)
    client = keys_app.test_client()
    assert client.post("/api/v1/check", json=CHECK, headers=bearer(key)).status_code == 200
    result = keys_app.test_cli_runner().invoke(args=["apikey", "revoke", name])
    assert result.exit_code == 0, result.output
    response = client.post("/api/v1/check", json=CHECK, headers=bearer(key))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "revoked" in response.get_json()["detail"]


@pytest.mark.parametrize("header", ["Bearer cc_not-a-key", "Bearer ", "Basic dXNlcjpwYXNz", "cc_no-scheme"])
def test_unknown_keys_and_other_schemes_get_401(keys_app, header):
    response = keys_app.test_client().get("/api/v1/drug-classes", headers={"Authorization": header})
    assert response.status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs", "/healthz", "/readyz", "/"])
def test_docs_health_and_the_page_need_no_key(keys_app, path):
    assert keys_app.test_client().get(path).status_code == 200


def test_keys_are_stored_as_sha256_and_never_listed(keys_app):
    name, key = new_key(keys_app)
    assert key.startswith("cc_") and len(key) >= 40
    with keys_app.app_context():
        stored = db.session.scalar(select(ApiKey).where(ApiKey.name == name))
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    listed = keys_app.test_cli_runner().invoke(args=["apikey", "list"]).output
    assert name in listed and key not in listed and stored.key_hash not in listed


def test_a_name_is_not_given_to_two_keys(keys_app):
    name, _ = new_key(keys_app)
    result = keys_app.test_cli_runner().invoke(args=["apikey", "create", name])
    assert result.exit_code != 0 and "exists" in result.output


def test_a_job_is_seen_only_by_the_key_that_made_it(keys_app):
    _, mine = new_key(keys_app)
    _, theirs = new_key(keys_app)
    client = keys_app.test_client()
    made = client.post("/api/v1/batch", data=BATCH, content_type="text/csv", headers=bearer(mine))
    assert made.status_code == 202
    location = made.headers["Location"]
    assert client.get(location, headers=bearer(mine)).status_code == 200
    for method, suffix in [("get", ""), ("get", "/results.csv"), ("get", "/results.json"),
                           ("get", "/summary.csv"), ("delete", "")]:
        response = getattr(client, method)(location + suffix, headers=bearer(theirs))
        assert response.status_code == 404, (method, suffix)
    assert client.delete(location, headers=bearer(mine)).status_code == 204


# ---- the web page's session --------------------------------------------------------------------

def test_the_page_sets_a_strict_http_only_session_cookie_when_keys_are_required(keys_app):
    response = keys_app.test_client().get("/")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE + "=")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie


def test_no_session_cookie_when_keys_are_off(client):
    assert "Set-Cookie" not in client.get("/").headers


def test_the_page_session_checks_lists_from_its_own_origin(keys_app):
    page = keys_app.test_client()
    page.get("/")
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert page.post("/api/v1/check", json=CHECK, headers=same).status_code == 200
    assert page.get("/api/v1/medications/suggest?q=lasi", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                     {"Origin": "https://evil.example"}])
def test_the_page_session_does_not_count_for_requests_from_other_sites(keys_app, headers):
    page = keys_app.test_client()
    page.get("/")
    assert page.get("/api/v1/drug-classes", headers=headers).status_code == 401


def test_a_forged_or_foreign_session_cookie_counts_for_nothing(keys_app, make_app):
    client = keys_app.test_client()
    client.set_cookie(COOKIE, "forged.value.here")
    assert client.get("/api/v1/drug-classes").status_code == 401
    other = make_app(API_KEYS="required", SECRET_KEY="another-secret").test_client()
    other.get("/")
    client.set_cookie(COOKIE, other.get_cookie(COOKIE).value)  # signed with another key
    assert client.get("/api/v1/drug-classes").status_code == 401


def test_a_page_job_is_not_seen_by_another_page_session(keys_app):
    mine, theirs = keys_app.test_client(), keys_app.test_client()
    mine.get("/")
    theirs.get("/")
    made = mine.post("/api/v1/batch", data=BATCH, content_type="text/csv")
    assert made.status_code == 202
    assert mine.get(made.headers["Location"]).status_code == 200
    assert theirs.get(made.headers["Location"]).status_code == 404


# ---- cross-origin writes and CORS ----------------------------------------------------------------

def test_a_cross_origin_form_post_to_batch_is_refused_before_it_is_read(client):
    response = client.post("/api/v1/batch", data={"file": (__import__("io").BytesIO(BATCH), "list.csv")},
                           content_type="multipart/form-data", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.get_json()["type"] == "urn:crampcheck:problem:cross-origin-refused"


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}])
def test_a_cross_site_text_post_is_refused_even_without_an_origin_header(client, headers):
    response = client.post("/api/v1/batch", data=BATCH, content_type="text/plain", headers=headers)
    assert response.status_code == 403


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}])
def test_same_origin_and_non_browser_posts_are_accepted(client, headers):
    response = client.post("/api/v1/batch", data=BATCH[:60], content_type="text/csv", headers=headers)
    assert response.status_code == 200


def test_cors_is_off_by_default(client):
    response = client.get("/api/v1/drug-classes", headers={"Origin": "https://pharmacy.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_an_allowed_origin_may_call_the_api_from_a_browser(make_app):
    client = make_app(CORS_ORIGINS="https://pharmacy.example, https://other.example").test_client()
    allowed = {"Origin": "https://pharmacy.example"}
    preflight = client.options("/api/v1/check", headers={**allowed, "Access-Control-Request-Method": "POST",
                                                         "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://pharmacy.example"
    assert "authorization" in preflight.headers["Access-Control-Allow-Headers"].lower()
    response = client.post("/api/v1/batch", data=BATCH[:60], content_type="text/plain", headers=allowed)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://pharmacy.example"
    refused = client.post("/api/v1/batch", data=BATCH[:60], content_type="text/plain",
                          headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_with_one_allowed_origin_answers_vary_by_origin_and_only_that_origin_is_named(make_app):
    client = make_app(CORS_ORIGINS="https://pharmacy.example").test_client()
    allowed = client.get("/api/v1/drug-classes", headers={"Origin": "https://pharmacy.example"})
    other = client.get("/api/v1/drug-classes", headers={"Origin": "https://evil.example"})
    none = client.get("/api/v1/drug-classes")
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://pharmacy.example"
    assert "Access-Control-Allow-Origin" not in other.headers and "Access-Control-Allow-Origin" not in none.headers
    assert all("Origin" in r.headers.get("Vary", "") for r in (allowed, other, none))  # a shared cache keeps them apart


def test_a_preflight_needs_no_key(make_app):
    client = make_app(API_KEYS="required", CORS_ORIGINS="https://pharmacy.example").test_client()
    preflight = client.options("/api/v1/check", headers={"Origin": "https://pharmacy.example",
                                                         "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200


def test_api_keys_setting_with_a_typo_stops_the_start(make_app):
    with pytest.raises(ValueError, match="API_KEYS"):
        make_app(API_KEYS="requried")
