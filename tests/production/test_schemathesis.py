"""Property-based API test with schemathesis against /api/schema/ (issue 6, security).

The OpenAPI document drf-spectacular serves at /api/schema/ is generated here at
collection time (no server needed); every operation is called in-process through the
Django WSGI app with a logged-in token user and a bounded number of examples. Each
response must not be a 5xx and must match the schema (status codes the schema
documents, content types, bodies).
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

# Two users × every operation × (examples + fuzzing) phases: well over 1,000 calls per run
# (issue 10: at least 1,000, 0 server errors, 0 answers outside the published schema).
MAX_EXAMPLES = 8

# Operations that fail for a reason owned by another app: "METHOD /path" -> why (reported, not fixed here).
raw_schema = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(raw_schema).exclude(path="/api/schema/")
schema.app = get_wsgi_application()
# Bounded: the examples and fuzzing phases with MAX_EXAMPLES each; not the exhaustive coverage phase.
schema.config.phases.coverage.enabled = False


@pytest.fixture(params=["admin", "secretary_a1"])
def token(request, users):
    """The administrator reaches every object; a cell secretary meets 403 and 404 on most of
    them, answers the schema must document too (issue 10: also as a restricted user)."""
    return AuthToken.objects.create(user=getattr(users, request.param))[1]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes the database connection around each request; the test's transaction needs it."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_answers_without_server_errors_and_as_documented(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )
