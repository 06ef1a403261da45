"""Schemathesis fuzzes every operation of the OpenAPI description against the app: no call is a server error.

The app is called in-process (WSGI) on the test database with the demo's data, with a real token of a
user who may use the operation, in positive mode (valid requests by the schema) and negative mode
(requests the schema forbids: they must be refused with 4xx, never crash).
"""

from __future__ import annotations

import pytest
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis import openapi as schemathesis_openapi

from tests.api.conftest import issue

pytestmark = pytest.mark.django_db

EXAMPLES = 20  # per operation and mode: ~11 operations × 2 modes × 20 ≈ 440 calls, a few seconds


def fuzz(operation, mode, headers) -> list[tuple]:
    """Call the operation with generated requests; (method, path, mode, curl, body) of each 5xx answer."""
    failures = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck))
    def call(case):
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append((operation.method, operation.path, mode, case.as_curl_command(headers=headers),
                             response.text[:300]))

    call()
    return failures


@pytest.fixture
def wsgi_app():
    """Django's WSGI app on the test's own connection: like Django's test client, the request signals must not
    close the connection (on PostgreSQL that would end the test's transaction mid-test)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_generated_request_is_a_server_error(demo, settings, wsgi_app):
    settings.KRS_API_RATE_LIMIT = 1_000_000
    tokens = {
        "GET": issue(demo["admin"], "read"),
        "/api/v1/central-values": issue(demo["finance"], "write"),
        "/api/v1/district-values": issue(demo["bkk1"], "write"),
    }
    schema = schemathesis_openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    failures = []
    for operation in operations:
        secret = tokens["GET"] if operation.method.upper() == "GET" else tokens[operation.full_path]
        headers = {"Authorization": f"Bearer {secret}"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failures += fuzz(operation, mode, headers)
    assert failures == []
    from api.models import ApiCall

    assert ApiCall.objects.count() >= 100  # the calls really reached the API with the tokens
