"""Property-based fuzzing of the served OpenAPI document: no request may produce a 5xx."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import register
from tests.servers import Server

# Requests that would end the fuzzing member's session before the rest is fuzzed.
SKIPPED = re.compile(r"logout|delete_account|change_password")


def test_no_request_makes_a_server_error(server: Server) -> None:
    headers = {"Authorization": str(register(server).http.headers["Authorization"])}
    schema = schemathesis.openapi.from_url(f"{server.api}/openapi/openapi.json")
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if SKIPPED.search(operation.path):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def no_server_error(case: Any) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
        fuzzed += 1
    assert fuzzed >= 30  # every route of the API was reached
