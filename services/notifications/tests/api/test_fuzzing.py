"""Notifications under schemathesis: no 5xx, and every answer as its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuzzing import Fuzzing, fuzz

from contest_runtime.auth import Role


async def test_notifications_answer_generated_requests_as_documented_and_never_with_a_5xx(
    notifications: Any, token: Callable[..., str]
) -> None:
    findings = await fuzz(
        Fuzzing(
            notifications.app,
            tokens={Role.OPERATOR: token(Role.OPERATOR), Role.JUROR: token(Role.JUROR)},
        )
    )
    assert not findings, "\n".join(findings)
