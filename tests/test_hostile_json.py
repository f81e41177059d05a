"""Malformed JSON of any depth or size gets a 400 or 413 problem, never a 500 (a property test)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON_ENDPOINTS = ["/api/v1/check", "/api/v1/check/fhir", "/cds-services/crampcheck-patient-view",
                  "/cds-services/crampcheck-order-select", "/cds-services/crampcheck-order-sign",
                  "/cds-services/crampcheck-order-select/feedback"]
PROBLEM = "application/problem+json"


def _nested(depth: int, opener: str) -> str:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return opener * depth + "1" + closer * depth


# Bodies the standard library's parser turns into RecursionError or ValueError: deep nesting, numbers
# too large for a double or with more than 4,300 digits, and plain garbage around them.
hostile_bodies = st.one_of(
    st.builds(_nested, st.integers(1_000, 20_000), st.sampled_from(["[", '{"a":'])),
    st.builds(lambda n: '{"medications": [' + "9" * n + "]}", st.integers(4_301, 20_000)),
    st.builds(lambda n: '{"medications": ["x"], "openfda": ' + "9" * n + "}", st.integers(4_301, 20_000)),
    st.builds(lambda e: '{"medications": ["x"], "onset": 1e' + str(e) + "}", st.integers(309, 999_999)),
    st.builds(lambda depth, tail: '{"medications": ' + "[" * depth + tail, st.integers(1, 3_000),
              st.text(max_size=20)),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=hostile_bodies)
def test_malformed_json_is_a_client_error_never_a_server_error(client, url, body):
    response = client.post(url, data=body.encode("utf-8", "surrogatepass"), content_type="application/json")
    assert response.status_code in (400, 413, 415, 422), (response.status_code, body[:80])
    assert response.mimetype == PROBLEM


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
@pytest.mark.parametrize("body, status", [
    ("[" * 100_000 + "]" * 100_000, 400),  # 1,000 levels deep and far beyond
    ('{"medications": [' + "9" * 5_000 + "]}", 400),  # an integer of over 4,300 digits
    ('{"medications": ["x"], "openfda": 1e999999}', 400),  # a float beyond a double
])
def test_the_reported_bodies_get_400(client, url, body, status):
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == status and response.mimetype == PROBLEM


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
@pytest.mark.parametrize("body", [
    '{"medications": ["simvastatin"], "medications": ["xyzzy"]}',  # once: only the last list was checked
    '{"medications": [{"text": "simvastatin", "text": "xyzzy"}]}',
    '{"resourceType": "Bundle", "resourceType": "List"}',
])
def test_a_key_named_twice_in_one_object_is_refused_not_merged(client, url, body):
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert "twice" in response.get_json()["detail"]


def test_the_same_key_in_different_objects_is_fine(client):
    body = '{"medications": [{"text": "Lasix"}, {"text": "simvastatin"}]}'
    assert client.post("/api/v1/check", data=body, content_type="application/json").status_code == 200


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(900, 1_024))
def test_nesting_orjson_reads_but_the_key_check_cannot_is_a_400(client, depth):
    response = client.post("/api/v1/check", data='{"medications": ["x"], "a":' + "[" * depth + "]" * depth + "}",
                           content_type="application/json")
    assert response.status_code in (400, 422) and response.mimetype == PROBLEM
