"""Property-based fuzzing of the served OpenAPI document: no request may produce a 5xx."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.conftest import Api, register
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


# As the admin, also what would end the run or wreck the site it fuzzes: leaving or
# adding admins, bans, purges, removals, deletions, blocks, site-wide settings.
DESTRUCTIVE = re.compile(
    r"logout|delete|change_password|purge|ban|remove|admin/add|leave_admin|admin/leave|block|"
    r"site$|totp|transfer|import_settings"
)


@pytest.mark.parametrize("who", ["anonymous", "admin"])
def test_every_answer_is_documented(server: Server, admin: Api, who: str) -> None:
    """Every status an operation answers is one the document gives it (and none is 5xx),
    for an anonymous client and for the admin (docs/decisions.md has the full run)."""
    headers = {"Authorization": str(admin.http.headers["Authorization"])} if who == "admin" else {}
    skipped = DESTRUCTIVE if who == "admin" else SKIPPED
    schema = schemathesis.openapi.from_url(f"{server.api}/openapi/openapi.json")
    fuzzed = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if skipped.search(operation.path):
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def documented(case: Any) -> None:
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, status_code_conformance]
            )

        documented()
        fuzzed += 1
    assert fuzzed >= 30
