"""The REST API: success and failure of every endpoint, in one error shape."""

import pytest

PROBLEM = "application/problem+json"


def _check(client, medications, **extra):
    return client.post("/api/v1/check", json={"medications": medications, **extra})


def test_check_returns_one_result_per_entry_in_order(client):
    response = _check(client, ["Lasix 40mg daily", "Tylenol", "xyzzy"], conditions=["CKD"])
    assert response.status_code == 200
    body = response.get_json()
    assert [m["input"] for m in body["medications"]] == ["Lasix 40mg daily", "Tylenol", "xyzzy"]
    assert [m["status"] for m in body["medications"]] == ["flagged", "not_flagged", "unresolved"]
    lasix = body["medications"][0]
    assert lasix["ingredients"][0] | {"via": None} == {
        "name": "furosemide", "match": "brand", "matched_text": "lasix", "via": None}
    flag = lasix["flags"][0]
    assert flag["class_id"] == "loop-diuretics" and flag["evidence_tier"] == "moderate"
    assert "associated with" in flag["association"]
    assert flag["references"][0]["url"].startswith("https://")
    assert body["conditions"][0]["id"] == "kidney-disease"
    assert "prescriber or pharmacist" in body["advice"]["patient"]
    assert body["advice"]["professional"] and body["disclaimer"]
    assert body["seed_version"]
    assert body["summary"]["flagged"] == 1


def test_unresolved_entry_offers_suggestions(client):
    (entry,) = _check(client, ["Lasics"]).get_json()["medications"]
    assert entry["status"] == "unresolved"
    assert entry["suggestions"][0] == {"name": "Lasix", "ingredients": ["furosemide"]}


def test_quinine_warning_in_response(client):
    body = _check(client, ["quinine 300mg"]).get_json()
    assert body["warnings"][0]["code"] == "quinine-for-cramps"


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        ({"data": "Lasix", "content_type": "text/plain"}, 415, None),
        ({"data": "{not json", "content_type": "application/json"}, 400, None),
        ({"json": {"medications": "Lasix"}}, 422, "medications"),
        ({"json": {"medications": [1, 2]}}, 422, "medications"),
        ({"json": {"medications": []}}, 422, "medications"),
        ({"json": {}}, 422, "medications"),
        ({"json": {"medications": ["Lasix"], "conditions": "CKD"}}, 422, "conditions"),
        ({"json": {"medications": ["Lasix"], "dose": 1}}, 422, "dose"),
        ({"json": {"medications": ["Lasix"], "openfda": 0}}, 422, "openfda"),
        ({"json": {"medications": ["  "]}}, 422, "medications"),
        ({"json": {"medications": ["Lasix"], "conditions": ["x" * 2001]}}, 422, "conditions"),
        ({"json": {"medications": ["Lasix"] * 201}}, 422, "medications"),
        ({"json": ["Lasix"]}, 422, None),
    ],
)
def test_bad_check_requests_get_a_clear_problem(client, kwargs, status, field):
    response = client.post("/api/v1/check", **kwargs)
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    if field:
        assert field in body["errors"]


def test_over_long_condition_error_names_its_index(client):
    response = client.post("/api/v1/check", json={"medications": ["Lasix"], "conditions": ["CKD", "x" * 2001]})
    assert response.status_code == 422
    assert "1" in response.get_json()["errors"]["conditions"]


def test_body_over_the_cap_is_413(client):
    response = client.post("/api/v1/check", data="[" + " " * 300_000 + "]", content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == PROBLEM


def test_drug_classes_list_and_detail(client):
    body = client.get("/api/v1/drug-classes").get_json()
    ids = [c["id"] for c in body["drug_classes"]]
    assert "statins" in ids and body["seed_version"]
    statins = client.get("/api/v1/drug-classes/statins").get_json()
    assert {m["ingredient"] for m in statins["members"]} >= {"atorvastatin", "simvastatin"}
    assert statins["references"] and statins["evidence_tier"] == "strong"


def test_unknown_drug_class_is_a_404_problem(client):
    response = client.get("/api/v1/drug-classes/nope")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_suggest_autocompletes_at_most_ten(client):
    body = client.get("/api/v1/medications/suggest?q=lasi").get_json()
    assert body["suggestions"][0]["name"] == "Lasix"
    # "met" starts dozens of names (metformin, metoprolol, methotrexate, ...): the answer stops at ten.
    assert len(client.get("/api/v1/medications/suggest?q=met").get_json()["suggestions"]) == 10


@pytest.mark.parametrize("query", ["", "?q=", "?q=" + "x" * 101])
def test_suggest_rejects_missing_or_long_query(client, query):
    response = client.get("/api/v1/medications/suggest" + query)
    assert response.status_code == 422 and response.mimetype == PROBLEM


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["seed_version"]


def test_unknown_url_and_wrong_method_are_problems(client):
    assert client.get("/nope").mimetype == PROBLEM
    response = client.get("/api/v1/check")
    assert response.status_code == 405 and response.mimetype == PROBLEM


def test_openapi_document_is_generated_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/check", "/api/v1/drug-classes", "/api/v1/medications/suggest"} <= set(spec["paths"])
    assert "CheckResponse" in spec["components"]["schemas"]


def test_docs_page_loads_its_assets_locally(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "https://" not in page
    assert client.get("/api/v1/docs/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert client.get("/static/docs.js").status_code == 200


def test_unexpected_error_is_a_500_problem_without_details(make_app, monkeypatch):
    from service.pipeline import Pipeline

    def boom(*_):
        raise RuntimeError("secret medication list Lasix")

    app = make_app(PROPAGATE_EXCEPTIONS=False)
    monkeypatch.setattr(Pipeline, "check", boom)
    response = app.test_client().post("/api/v1/check", json={"medications": ["Lasix"]})
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert response.get_json()["type"] == "urn:crampcheck:problem:internal-error"
    assert "Lasix" not in response.get_data(as_text=True)


def test_readiness_fails_when_the_configured_redis_is_unreachable(make_app):
    response = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/readyz")
    assert response.status_code == 503 and "Redis" in response.get_json()["detail"]


def test_readiness_fails_when_the_database_is_unreachable(make_app):
    app = make_app(DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and "database" in response.get_json()["detail"]


def test_a_database_never_prepared_is_not_ready_and_checks_say_so(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "prepare" in ready.get_json()["detail"]
    check = client.post("/api/v1/check", json={"medications": ["Lasix"]})
    assert check.status_code == 503 and check.mimetype == PROBLEM and "prepare" in check.get_json()["detail"]


def test_a_migrated_database_without_seed_is_not_ready(make_app, tmp_path):
    from service.startup import upgrade_schema

    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'schema-only.db'}")
    with app.app_context():
        upgrade_schema(app)
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and "no seed" in ready.get_json()["detail"]


def test_creating_the_app_touches_no_database(make_app, tmp_path):
    database = tmp_path / "never-created.db"
    make_app(DATABASE_URL=f"sqlite:///{database}", HUEY_SQLITE_FILE=str(tmp_path / "queue.db"))
    assert not database.exists() and not (tmp_path / "queue.db").exists()


def test_an_entry_may_be_an_object_with_text_and_a_start_date(client):
    body = client.post("/api/v1/check", json={"medications": [
        {"text": "Lasix 40mg", "started": "2026-10-01"}, "Tylenol"]}).get_json()
    assert [m["input"] for m in body["medications"]] == ["Lasix 40mg", "Tylenol"]
    assert [m["status"] for m in body["medications"]] == ["flagged", "not_flagged"]


@pytest.mark.parametrize(("entry", "field"), [
    ({"text": "Lasix", "started": "last spring"}, "started"),
    ({"started": "2026-10-01"}, "text"),
    ({"text": "   "}, "text"),
    ({"text": "Lasix", "dose": "40mg"}, "dose"),
])
def test_a_malformed_entry_object_is_a_422_naming_the_field(client, entry, field):
    response = client.post("/api/v1/check", json={"medications": ["Tylenol", entry]})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert field in response.get_json()["errors"]["medications"]["1"]


@pytest.mark.parametrize("entry", [42, None, ["Lasix"], True])
def test_an_entry_that_is_neither_text_nor_an_object_is_a_422(client, entry):
    response = client.post("/api/v1/check", json={"medications": [entry]})
    assert response.status_code == 422 and "medications" in response.get_json()["errors"]


def test_entries_may_be_codes_with_or_without_text(client):
    body = client.post("/api/v1/check", json={"medications": [
        {"rxcui": "4603"}, {"text": "atorvastatin", "rxcui": "4603"}, "RxCUI 36567", {"ndc": "0378-0208-01"},
    ], "openfda": False}).get_json()
    statuses = [(m["input"], m["status"]) for m in body["medications"]]
    assert statuses == [("RxNorm code 4603", "flagged"), ("atorvastatin", "unresolved"), ("RxCUI 36567", "flagged"),
                        ("NDC 0378-0208-01", "unresolved")]
    assert body["medications"][0]["ingredients"][0]["match"] == "code"
    assert "stands for furosemide" in body["medications"][1]["notes"][0]


@pytest.mark.parametrize("entry, field", [
    ({"ndc": "12-34"}, "ndc"), ({"rxcui": "abc"}, "rxcui"), ({}, "text"), ({"started": "2026-01-01"}, "text"),
    ({"ndc": "1234567890123"}, "ndc"),
])
def test_bad_codes_are_refused_with_the_field_named(client, entry, field):
    response = client.post("/api/v1/check", json={"medications": ["Lasix", entry]})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["medications"]["1"]
