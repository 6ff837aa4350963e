"""Property-based fuzzing of the whole API from its own OpenAPI schema (schemathesis).

Every operation is called with generated bodies, paths and query strings, as a Pengelola, a PP and a
PPK of Medan, then a stateful run follows the links between operations (create an order, then act on
it). Checked on every answer: never a server error, and the answer fits the schema the API publishes
for it. The number of examples is bounded so that CI stays short (KATALOG_FUZZ_EXAMPLES raises it for
a long run on a developer machine)."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests import factories as f

EXAMPLES = int(os.environ.get("KATALOG_FUZZ_EXAMPLES", "12"))
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture
def world(medan, office, users):
    """Something of everything for ids to find: a verified vendor with a listed product, a budget line."""
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    category = f.make_category(medan)
    f.make_product(vendor, category=category)
    return users


def _token(client, user) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": user.username, "password": f.PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


@pytest.fixture
def api_schema(world, tokens):
    """The schema, calling the WSGI application in this process. Like Django's test client, the
    requests must not close the test's database connection at their end (it holds the test's
    transaction; taken after `tokens`, whose test-client requests connect the closing again)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from katalog.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world, client):
    return [_token(client, world[role]) for role in ("catalogue_manager", "pp", "ppk")]


def _operations(api_schema):
    for result in api_schema.get_all_operations():
        yield result.ok()


def test_no_operation_answers_a_server_error_or_breaks_its_schema(api_schema, tokens):
    tried = 0
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case):
            for token in tokens:
                case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

        run()
        tried += 1
    assert tried >= 30  # every operation of the published schema was fuzzed


def test_stateful_runs_across_linked_operations_never_fail(api_schema, tokens):
    token = tokens[1]  # the PP: creates orders and acts on them
    machine = api_schema.as_state_machine()

    class Authorised(machine):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    run_state_machine_as_test(
        Authorised, settings=settings(FUZZ, max_examples=max(EXAMPLES // 2, 3), stateful_step_count=6)
    )
