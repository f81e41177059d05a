"""The openFDA client: queries, failure handling, retries, throttle and circuit breaker."""

import pybreaker
import pytest
import requests
from conftest import openfda_body
from responses import matchers

from service.openfda.client import OpenFDAClient, OpenFDARejected, OpenFDAUnavailable, quote

LABEL = "https://api.fda.gov/drug/label.json"


def _client(**kwargs):
    options = {"sleep": lambda _: None, "max_attempts": 3}
    options.update(kwargs)
    return OpenFDAClient(requests.Session(), **options)


def test_query_is_sent_with_params_and_spaces_not_plus_signs(fda):
    fda.get(LABEL, json=openfda_body("label_search_lipitor_brand_limit1_trimmed.json"), match=[
        matchers.query_param_matcher({"search": 'openfda.brand_name:"Lipitor" AND x:"y"', "limit": "1"})])
    body = _client().search("drug/label", 'openfda.brand_name:"Lipitor" AND x:"y"')
    assert body["results"][0]["openfda"]["brand_name"] == ["Lipitor"]
    assert "+AND+" in fda.calls[0].request.url and "%2B" not in fda.calls[0].request.url


def test_quote_removes_characters_openfda_refuses():
    assert quote('simvastatin; DROP "x"!') == '"simvastatin  DROP  x"'
    assert quote("sodium ferric gluconate complex") == '"sodium ferric gluconate complex"'


def test_not_found_means_no_results(fda):
    fda.get(LABEL, json=openfda_body("error_404_not_found.json"), status=404)
    assert _client().search("drug/label", 'openfda.generic_name:"nothing"') is None
    assert _client().total("drug/label", 'openfda.generic_name:"nothing"') == (0, None)


@pytest.mark.parametrize(
    ("fixture", "status"),
    [("error_400_bad_request_sort.json", 400), ("error_403_api_key_invalid.json", 403),
     ("error_500_server_error_query_parse.json", 500)],
)
def test_request_errors_are_rejected_without_retrying(fda, fixture, status):
    fda.get(LABEL, json=openfda_body(fixture), status=status)
    with pytest.raises(OpenFDARejected):
        _client().search("drug/label", "x")
    assert len(fda.calls) == 1


def test_rate_limited_then_success_is_retried(fda):
    fda.get(LABEL, json=openfda_body("error_429_over_rate_limit.json"), status=429)
    fda.get(LABEL, json=openfda_body("label_search_unfiltered_limit1.json"))
    assert _client().search("drug/label", None)["meta"]["results"]["total"] == 259169
    assert len(fda.calls) == 2


@pytest.mark.parametrize(
    "failure",
    [
        {"body": requests.Timeout("read timed out")},
        {"body": requests.ConnectionError("refused")},
        {"body": "<html>Bad gateway</html>", "status": 502},
        {"body": "not json at all", "status": 200},
        {"json": {"unexpected": True}, "status": 200},
    ],
    ids=["timeout", "connection-error", "502", "malformed-json", "wrong-shape"],
)
def test_transient_failures_are_retried_a_bounded_number_of_times(fda, failure):
    fda.get(LABEL, **failure)
    with pytest.raises(OpenFDAUnavailable):
        _client(max_attempts=3).search("drug/label", "x")
    assert len(fda.calls) == 3


def test_backoff_grows_between_retries(fda):
    fda.get(LABEL, status=503, body="")
    pauses = []
    with pytest.raises(OpenFDAUnavailable):
        _client(max_attempts=4, backoff=0.1, sleep=pauses.append).search("drug/label", "x")
    assert len(pauses) == 3 and pauses[0] < pauses[2]


def test_circuit_opens_after_repeated_failures_and_stops_calling(fda):
    fda.get(LABEL, status=503, body="")
    client = _client(max_attempts=1, breaker=pybreaker.CircuitBreaker(fail_max=2, reset_timeout=60))
    for _ in range(2):
        with pytest.raises(OpenFDAUnavailable):
            client.search("drug/label", "x")
    calls = len(fda.calls)
    with pytest.raises(OpenFDAUnavailable, match="circuit"):
        client.search("drug/label", "x")
    assert len(fda.calls) == calls == 2


def test_no_call_is_made_once_the_deadline_has_passed(fda):
    now = [100.0]
    with pytest.raises(OpenFDAUnavailable, match="budget"):
        _client(clock=lambda: now[0]).search("drug/label", "x", deadline=99.0)
    assert len(fda.calls) == 0


def test_api_key_goes_in_a_header_never_in_the_url(fda):
    fda.get(LABEL, json=openfda_body("label_search_unfiltered_limit1.json"))
    client = _client(api_key="secret-key")
    client.search("drug/label", None)
    assert "secret-key" not in fda.calls[0].request.url
    assert fda.calls[0].request.headers["Authorization"].startswith("Basic ")
    assert "secret-key" not in repr(client)


def test_a_host_that_cannot_be_resolved_is_not_retried(fda):
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    reason = NameResolutionError("api.fda.gov", None, "Name or service not known")
    fda.get(LABEL, body=requests.ConnectionError(MaxRetryError(None, "/drug/label.json", reason)))
    with pytest.raises(OpenFDAUnavailable, match="resolved"):
        _client().search("drug/label", "x")
    assert len(fda.calls) == 1
