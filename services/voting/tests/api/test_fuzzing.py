"""Voting under schemathesis: no 5xx, and every answer as its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fuzzing import Caller, Fuzzing, fuzz

from contest_runtime.auth import Role


async def test_voting_answers_generated_requests_as_documented_and_never_with_a_5xx(
    voting: Any, token: Callable[..., str], eventually: Callable[..., Awaitable[None]]
) -> None:
    definition, _ = await voting.open_vote(eventually)
    voter = await voting.verified("+77070000301", eventually)
    findings = await fuzz(
        Fuzzing(
            voting.app,
            tokens={Role.OPERATOR: token(Role.OPERATOR), Role.JUROR: token(Role.JUROR)},
            others=[Caller("voter", voter)],
            known={"contest_id": definition.contest_id},
        )
    )
    assert not findings, "\n".join(findings)
