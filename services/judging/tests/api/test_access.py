"""Who may call each judging route: without a token 401, with another role 403, and a
juror reaches only their own work. The public result table needs no token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from contest_runtime.auth import Role

ROUTES: list[tuple[str, str, dict[str, Any] | None, frozenset[Role]]] = [
    ("PUT", "/contests/{c}/commissions", {}, frozenset({Role.OPERATOR})),
    (
        "GET",
        "/contests/{c}/commissions",
        None,
        frozenset({Role.OPERATOR, Role.COMMISSION_SECRETARY}),
    ),
    ("GET", "/contests/{c}/audit", None, frozenset({Role.OPERATOR})),
    ("GET", "/contests/{c}/stages/regional/assignments/mine", None, frozenset({Role.JUROR})),
    ("GET", "/contests/{c}/assignments/mine/app-1", None, frozenset({Role.JUROR})),
    ("PUT", "/contests/{c}/stages/regional/sheets/app-1", {"scores": {}}, frozenset({Role.JUROR})),
    ("POST", "/contests/{c}/conflicts", {}, frozenset({Role.JUROR})),
    ("POST", "/contests/{c}/stages/regional/assign", None, frozenset({Role.OPERATOR})),
    (
        "GET",
        "/contests/{c}/stages/regional/progress",
        None,
        frozenset({Role.OPERATOR, Role.COMMISSION_SECRETARY}),
    ),
    ("POST", "/contests/{c}/stages/regional/close", {}, frozenset({Role.OPERATOR})),
    (
        "GET",
        "/contests/{c}/stages/regional/rankings?nomination=n&region=KZ-71",
        None,
        frozenset({Role.OPERATOR, Role.COMMISSION_SECRETARY, Role.JUROR}),
    ),
    ("POST", "/contests/{c}/special-prizes", {}, frozenset({Role.OPERATOR})),
    ("DELETE", "/contests/{c}/special-prizes/app-1", None, frozenset({Role.OPERATOR})),
    (
        "GET",
        "/contests/{c}/special-prizes",
        None,
        frozenset({Role.OPERATOR, Role.COMMISSION_SECRETARY}),
    ),
    ("POST", "/contests/{c}/results", None, frozenset({Role.OPERATOR})),
]


@pytest.mark.parametrize(("method", "path", "body", "allowed"), ROUTES, ids=lambda v: str(v))
async def test_a_route_refuses_callers_without_a_token_or_an_allowed_role(
    judging: Any,
    bearer: Callable[..., dict[str, str]],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    allowed: frozenset[Role],
) -> None:
    url = path.format(c="social-protection-2025")
    anonymous = await judging.http.request(method, url, json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "unauthenticated"
    for role in set(Role) - allowed:
        answer = await judging.http.request(method, url, json=body, headers=bearer(role))
        assert answer.status_code == 403, role
        assert answer.json()["code"] == "forbidden"


async def test_the_published_result_table_is_public(judging: Any) -> None:
    answer = await judging.http.get("/contests/no-such-contest/results")
    assert answer.status_code == 404
    assert answer.json()["code"] == "unknown_contest"


async def test_a_stage_that_judging_does_not_run_is_not_a_path(
    judging: Any, bearer: Callable[..., dict[str, str]]
) -> None:
    answer = await judging.http.post(
        "/contests/c/stages/public_vote/close", json={}, headers=bearer(Role.OPERATOR)
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_failed"
