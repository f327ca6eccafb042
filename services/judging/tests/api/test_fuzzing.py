"""Judging under schemathesis: no 5xx, and every answer as its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fuzzing import Fuzzing, fuzz

from contest_runtime.auth import Role


async def test_judging_answers_generated_requests_as_documented_and_never_with_a_5xx(
    judging: Any, token: Callable[..., str], eventually: Callable[..., Awaitable[None]]
) -> None:
    definition = await judging.define(eventually)
    findings = await fuzz(
        Fuzzing(
            judging.app,
            tokens={
                Role.OPERATOR: token(Role.OPERATOR),
                Role.COMMISSION_SECRETARY: token(Role.COMMISSION_SECRETARY),
                Role.JUROR: token(Role.JUROR, subject="fuzzing-juror"),
                Role.APPLICANT: token(Role.APPLICANT),
            },
            known={"contest_id": definition.contest_id, "stage": "regional"},
        )
    )
    assert not findings, "\n".join(findings)
