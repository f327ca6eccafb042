"""Intake under schemathesis: no 5xx, and every answer as its OpenAPI document says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fuzzing import Fuzzing, fuzz
from intake_samples import ASTANA, body, contest_definition, project_form

from contest_runtime.auth import Role


async def test_intake_answers_generated_requests_as_documented_and_never_with_a_5xx(
    intake: Any, token: Callable[..., str]
) -> None:
    definition = contest_definition()
    operator = token(Role.OPERATOR)
    applicant = token(Role.APPLICANT, subject="fuzzing-applicant")
    headers = {"Authorization": f"Bearer {operator}"}
    created = await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=headers
    )
    assert created.status_code == 201, created.text
    filed = await intake.http.post(
        f"/contests/{definition.contest_id}/applications",
        json=body(project_form(1), submit=True),
        headers={"Authorization": f"Bearer {applicant}"},
    )
    assert filed.status_code == 201, filed.text

    findings = await fuzz(
        Fuzzing(
            intake.app,
            tokens={
                Role.OPERATOR: operator,
                Role.APPLICANT: applicant,
                Role.SECRETARY: token(Role.SECRETARY, region_code=ASTANA),
                Role.JUROR: token(Role.JUROR),
            },
            known={
                "contest_id": definition.contest_id,
                "application_id": filed.json()["application_id"],
            },
        )
    )
    assert not findings, "\n".join(findings)
