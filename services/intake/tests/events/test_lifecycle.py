"""Applicants' timelines follow the events judging publishes: finalists, then results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.kafka import KafkaBroker
from intake_samples import ASTANA, body, contest_definition, project_form

from contest_contracts.events.judging import (
    Finalist,
    FinalistsSelected,
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    ResultsPublished,
)
from contest_contracts.topics import FINALISTS, RESULTS
from contest_runtime.auth import Role
from contest_runtime.kafka import EventPublisher

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]


@pytest.fixture
def judging(outside_broker: KafkaBroker) -> EventPublisher:
    """Judging's outlet, publishing finalists and results."""
    return EventPublisher(outside_broker, source="/contest/judging")


async def test_the_timeline_shows_screening_finalists_and_awards(
    intake: Any, bearer: Bearer, judging: EventPublisher, eventually: Eventually
) -> None:
    definition = contest_definition()
    operator = bearer(Role.OPERATOR)
    await intake.http.post("/contests", json=definition.model_dump(mode="json"), headers=operator)
    applicants = {}
    for seed in (1, 2, 3):
        headers = bearer(Role.APPLICANT, subject=f"org-{seed}")
        created = await intake.http.post(
            f"/contests/{definition.contest_id}/applications",
            json=body(project_form(seed), submit=True),
            headers=headers,
        )
        application_id = created.json()["application_id"]
        applicants[seed] = (application_id, headers)
        await intake.http.post(
            f"/applications/{application_id}/screening",
            json={"decision": "eligible"},
            headers=operator,
        )
    winner, finalist, _not_selected = (applicants[s][0] for s in (1, 2, 3))
    at = datetime.now(UTC).replace(microsecond=0)

    def finalist_of(application_id: str, rank: int) -> Finalist:
        return Finalist(
            application_id=application_id,
            nomination_code="social-project",
            region_code=ASTANA,
            title="t",
            display_name="d",
            regional_rank=rank,
            regional_score=9.0 - rank,
        )

    selected = FinalistsSelected(
        contest_id=definition.contest_id,
        finalists=[finalist_of(winner, 1), finalist_of(finalist, 2)],
        selected_at=at,
    )
    await judging.publish(FINALISTS, selected, subject=definition.contest_id)
    await judging.publish(FINALISTS, selected, subject=definition.contest_id)  # twice: no matter

    async def statuses(seed: int) -> list[str]:
        answer = await intake.http.get(
            f"/applications/{applicants[seed][0]}", headers=applicants[seed][1]
        )
        return [step["status"] for step in answer.json()["timeline"]]

    await eventually(lambda: _ends_with(statuses(3), "not_selected"))
    assert await statuses(1) == ["draft", "submitted", "eligible", "finalist"]

    results = ResultsPublished(
        contest_id=definition.contest_id,
        nominations=[
            NominationResult(
                nomination_code="social-project",
                places=[
                    PlaceAward(
                        place=1,
                        application_id=winner,
                        title="t",
                        display_name="d",
                        region_code=ASTANA,
                        score=9.1,
                        grant_tenge=3_000_000,
                    )
                ],
                peoples_choice=[
                    PeoplesChoiceAward(
                        rank=1, application_id=winner, title="t", display_name="d", votes=1234
                    )
                ],
            )
        ],
        published_at=at,
    )
    await judging.publish(RESULTS, results, subject=definition.contest_id)
    await eventually(lambda: _ends_with(statuses(2), "not_awarded"))
    mine = await intake.http.get("/applications/mine", headers=applicants[1][1])
    [own] = mine.json()
    assert [s["status"] for s in own["timeline"]] == [
        "draft",
        "submitted",
        "eligible",
        "finalist",
        "awarded",
    ]
    assert own["timeline"][-1]["detail"] == "place 1; people's choice (1234 votes)"
    assert await statuses(3) == ["draft", "submitted", "eligible", "not_selected"]


async def _ends_with(statuses: Awaitable[list[str]], status: str) -> bool:
    return (await statuses)[-1] == status
