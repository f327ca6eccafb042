"""Operators set up commissions: one per region and one republican; every change audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]

MEMBERS = [
    {"juror_id": "j-1", "name": "Айгерим Нурланова", "role": "chair"},
    {
        "juror_id": "j-2",
        "name": "Ержан Касымов",
        "role": "member",
        "organisation_bin": "180340000104",
    },
    {"juror_id": "j-3", "name": "Сауле Ахметова", "role": "secretary"},
]


async def test_operators_create_and_replace_commissions_and_the_audit_log_shows_it(
    judging: Any, bearer: Bearer, eventually: Eventually
) -> None:
    contest = await judging.define(eventually)
    operator = bearer(Role.OPERATOR, subject="op-1")
    url = f"/contests/{contest.contest_id}/commissions"
    regional = {"level": "regional", "region_code": "KZ-71", "members": MEMBERS}

    created = await judging.http.put(url, json=regional, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json()["commission_id"] == f"{contest.contest_id}/regional/KZ-71"
    replaced = await judging.http.put(
        url, json={**regional, "members": MEMBERS[:1]}, headers=operator
    )
    assert replaced.status_code == 200
    republican = await judging.http.put(
        url, json={"level": "republican", "members": MEMBERS}, headers=operator
    )
    assert republican.status_code == 201

    listed = await judging.http.get(url, headers=bearer(Role.COMMISSION_SECRETARY))
    assert [(c["level"], len(c["members"])) for c in listed.json()] == [
        ("regional", 1),
        ("republican", 3),
    ]
    audit = await judging.http.get(f"/contests/{contest.contest_id}/audit", headers=operator)
    assert [(e["action"], e["actor"]) for e in audit.json()] == [
        ("commission.created", "op-1"),
        ("commission.replaced", "op-1"),
        ("commission.created", "op-1"),
    ]


async def test_bad_commissions_are_refused_and_nothing_is_written(
    judging: Any, bearer: Bearer, eventually: Eventually
) -> None:
    contest = await judging.define(eventually)
    operator = bearer(Role.OPERATOR)
    url = f"/contests/{contest.contest_id}/commissions"
    two_chairs = [{**m, "role": "chair"} for m in MEMBERS]
    cases = [
        ({"level": "regional", "region_code": "KZ-99", "members": MEMBERS}, "unknown_region"),
        ({"level": "regional", "members": MEMBERS}, "validation_failed"),
        ({"level": "republican", "region_code": "KZ-71", "members": MEMBERS}, "validation_failed"),
        ({"level": "regional", "region_code": "KZ-71", "members": two_chairs}, "validation_failed"),
        (
            {"level": "regional", "region_code": "KZ-71", "members": MEMBERS * 2},
            "validation_failed",
        ),
        ({"level": "regional", "region_code": "KZ-71", "members": []}, "validation_failed"),
        ({"level": "city", "members": MEMBERS}, "validation_failed"),
    ]
    for body, code in cases:
        answer = await judging.http.put(url, json=body, headers=operator)
        assert (answer.status_code, answer.json()["code"]) == (422, code), body
    unknown = await judging.http.put(
        "/contests/no-such-contest/commissions",
        json={"level": "republican", "members": MEMBERS},
        headers=operator,
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_contest")
    assert await judging.context.commissions.of_contest(contest.contest_id) == []
    audit = await judging.http.get(f"/contests/{contest.contest_id}/audit", headers=operator)
    assert audit.json() == []


async def test_only_operators_manage_commissions(
    judging: Any, bearer: Bearer, eventually: Eventually
) -> None:
    contest = await judging.define(eventually)
    url = f"/contests/{contest.contest_id}/commissions"
    body = {"level": "republican", "members": MEMBERS}
    assert (await judging.http.put(url, json=body)).status_code == 401
    for role in (Role.JUROR, Role.COMMISSION_SECRETARY, Role.SECRETARY, Role.APPLICANT):
        answer = await judging.http.put(url, json=body, headers=bearer(role, region_code="KZ-71"))
        assert answer.status_code == 403, role
    for role in (Role.JUROR, Role.APPLICANT):
        assert (await judging.http.get(url, headers=bearer(role))).status_code == 403
        audit = await judging.http.get(
            f"/contests/{contest.contest_id}/audit", headers=bearer(role)
        )
        assert audit.status_code == 403
    assert await judging.context.commissions.of_contest(contest.contest_id) == []
