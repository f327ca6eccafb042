"""Applicants' timelines follow the events judging publishes: finalists, then results; and
a judging stage's close leaves each application's standing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from faststream.kafka import KafkaBroker
from intake_samples import ASTANA, body, contest_definition, project_form

from contest_contracts.common import StageKind
from contest_contracts.events.judging import (
    Finalist,
    FinalistsSelected,
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    ResultsPublished,
)
from contest_contracts.events.stages import JudgingSummary, RankedApplication, Ranking, StageClosed
from contest_contracts.topics import FINALISTS, RESULTS, STAGES
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


@pytest.mark.parametrize("shown", [True, False])
async def test_a_judging_close_leaves_each_applications_standing_shown_where_the_contest_allows(
    intake: Any, bearer: Bearer, judging: EventPublisher, eventually: Eventually, shown: bool
) -> None:
    demo = contest_definition()
    rules = demo.judging.model_copy(update={"scores_to_applicants": shown})
    definition = demo.model_copy(update={"judging": rules})
    operator = bearer(Role.OPERATOR)
    await intake.http.post("/contests", json=definition.model_dump(mode="json"), headers=operator)
    owner = bearer(Role.APPLICANT, subject=f"standing-{shown}")
    created = await intake.http.post(
        f"/contests/{definition.contest_id}/applications",
        json=body(project_form(7), submit=True),
        headers=owner,
    )
    application_id = created.json()["application_id"]
    url = f"/applications/{application_id}/standings"
    assert (await intake.http.get(url, headers=operator)).json() == []  # nothing closed yet

    at = datetime.now(UTC).replace(microsecond=0)
    entries = [
        RankedApplication(rank=1, application_id="someone-else", score=8.0, sheets=3),
        RankedApplication(
            rank=2,
            application_id=application_id,
            score=7.25,
            sheets=3,
            criteria={"social_significance": 7.5, "innovation": 6.0},
        ),
    ]
    closed = StageClosed(
        contest_id=definition.contest_id,
        stage=StageKind.REGIONAL,
        closed_at=at,
        closed_by="operator-1",
        summary=JudgingSummary(
            stage=StageKind.REGIONAL,
            rankings=[
                Ranking(nomination_code="social-project", region_code=ASTANA, entries=entries)
            ],
        ),
    )
    for _ in range(2):  # a redelivery writes the same standing
        await judging.publish(STAGES, closed, subject=definition.contest_id)

    async def standings() -> list[Any]:
        answer = await intake.http.get(url, headers=operator)
        return list(answer.json())

    await eventually(lambda: _has_any(standings()))
    expected = {
        "application_id": application_id,
        "contest_id": definition.contest_id,
        "stage": "regional",
        "rank": 2,
        "ranked": 2,
        "score": 7.25,
        "sheets": 3,
        "criteria": {"social_significance": 7.5, "innovation": 6.0},
    }
    [standing] = await standings()
    assert {k: v for k, v in standing.items() if k != "closed_at"} == expected
    secretary = bearer(Role.SECRETARY, region_code=ASTANA)
    assert len((await intake.http.get(url, headers=secretary)).json()) == 1
    own = await intake.http.get(url, headers=owner)
    if shown:
        assert own.status_code == 200 and len(own.json()) == 1
    else:
        assert (own.status_code, own.json()["code"]) == (403, "scores_withheld")
    stranger = await intake.http.get(url, headers=bearer(Role.APPLICANT, subject="stranger"))
    assert (stranger.status_code, stranger.json()["code"]) == (403, "forbidden")
    assert (await intake.http.get(url)).status_code == 401


async def _has_any(found: Awaitable[list[Any]]) -> bool:
    return bool(await found)
