"""Property test of the whole API from its own OpenAPI document: no input produces a 5xx.

schemathesis generates requests from the schemas (valid and invalid) and checks that the
service never answers with a server error, that invalid requests are rejected, and that
every response matches its documented schema and status codes.
"""

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app

# The document only: an app that touches no database.
_spec_app = create_app({"OPENFDA_ENABLED": False, "DATABASE_URL": "sqlite://"})
with _spec_app.app_context():
    SPEC = _spec_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()

schema = schemathesis.openapi.from_dict(SPEC)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case, app):
    response = case.call(app=app)
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance,
                                             status_code_conformance, negative_data_rejection])
