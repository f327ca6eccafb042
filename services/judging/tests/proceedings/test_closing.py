"""Closing judging stages on the real broker and store: refused with missing sheets unless
forced, finalists per region from the scores, the republican stage, and the published
results with special prizes and people's choice, every number recomputed by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean
from typing import Any

from judging_edition import ALMATY, ASTANA, NOMINATION

from contest_contracts.common import StageKind
from contest_contracts.events.judging import FinalistsSelected, ResultsPublished
from contest_contracts.events.stages import (
    ChoiceCount,
    NominationTally,
    PublicVoteSummary,
    StageClosed,
)
from contest_contracts.topics import STAGES

REGIONAL, REPUBLICAN = StageKind.REGIONAL, StageKind.REPUBLICAN


async def test_a_close_with_missing_sheets_is_refused_unless_forced_and_records_them(
    edition: Any,
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    first, second = await edition.submit(ASTANA), await edition.submit(ASTANA)
    await edition.close_submission()
    held = await edition.assigned(REGIONAL, 4)
    scored = next(a for a in held if a.application_id == first)
    await edition.score(REGIONAL, first, scored.juror_id, social_significance=7, innovation=7)

    refused = await edition.close(REGIONAL)
    assert refused.status_code == 409
    assert refused.json()["code"] == "sheets_missing"
    assert len(refused.json()["errors"]) == 3
    stage = await edition.judging.context.stages.get(edition.contest_id, REGIONAL)
    assert stage.status == "open"

    forced = await edition.close(REGIONAL, force=True)
    assert forced.status_code == 200, forced.text
    summary = forced.json()["summary"]
    assert summary["forced"] is True
    assert summary["missing_sheets"] == 3
    (ranking,) = summary["rankings"]
    assert [e["application_id"] for e in ranking["entries"]] == [first, second]
    assert [e["missing_sheets"] for e in ranking["entries"]] == [1, 2]

    late = await edition.score(
        REGIONAL, second, held[0].juror_id, social_significance=1, innovation=1
    )
    assert late.status_code in (404, 409)
    again = await edition.close(REGIONAL, force=True)
    assert again.status_code == 409
    assert again.json()["code"] == "stage_closed"
    audit = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/audit", headers=edition.operator
    )
    (closed,) = [e for e in audit.json() if e["action"] == "stage.closed"]
    assert len(closed["detail"]["missing"]) == 3


QUALITY = {ASTANA: [9, 6, 7], ALMATY: [4, 8]}
"""Scores each application gets on its first criterion, per region (innovation is one less)."""


async def test_a_whole_edition_from_assignment_to_published_results(
    edition: Any, published: Any, eventually: Any
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    await edition.commission(ALMATY, ["b-1", "b-2", "b-3"])
    await edition.commission(None, ["r-1", "r-2", "r-3"])
    quality = {}
    for region, marks in QUALITY.items():
        for mark in marks:
            quality[await edition.submit(region)] = mark
    await edition.close_submission()

    # Regional stage: every juror scores; each sheet's total is 2 x q + (q - 1), juror by
    # juror slightly different, so the expected score is recomputed here from what was sent.
    sent: dict[str, list[float]] = {}
    for assignment in await edition.assigned(REGIONAL, 10):
        q = quality[assignment.application_id]
        bonus = int(assignment.juror_id[-1]) % 2
        response = await edition.score(
            REGIONAL,
            assignment.application_id,
            assignment.juror_id,
            social_significance=q,
            innovation=q - 1 + bonus,
        )
        assert response.status_code == 200, response.text
        sent.setdefault(assignment.application_id, []).append(2 * q + q - 1 + bonus)
    expected_score = {app: fmean(totals) for app, totals in sent.items()}
    region_of = {
        app: (ASTANA if i < len(QUALITY[ASTANA]) else ALMATY)
        for i, app in enumerate(edition.applications)
    }
    expected_finalists = {
        max((a for a in expected_score if region_of[a] == region), key=expected_score.get)
        for region in QUALITY
    }

    closed = await edition.close(REGIONAL)
    assert closed.status_code == 200, closed.text
    await eventually(lambda: published.of(FinalistsSelected, edition.contest_id))
    (selected,) = published.of(FinalistsSelected, edition.contest_id)
    assert {f.application_id for f in selected.data.finalists} == expected_finalists
    assert all(f.regional_rank == 1 for f in selected.data.finalists)

    # Every number of the regional ranking is explained sheet by sheet.
    explained = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/rankings",
        params={"nomination": NOMINATION, "region": ASTANA},
        headers=edition.juror("a-2"),
    )
    assert explained.status_code == 200, explained.text
    entries = explained.json()["entries"]
    assert [e["rank"] for e in entries] == [1, 2, 3]
    # The close's own time, for the commission's protocol.
    assert datetime.fromisoformat(explained.json()["closed_at"]) == datetime.fromisoformat(
        closed.json()["closed_at"]
    )
    for entry in entries:
        assert entry["score"] == expected_score[entry["application_id"]]
        assert entry["score"] == fmean(v["counted"] for v in entry["sheet_values"])
        for value in entry["sheet_values"]:
            marks = value["scores"]
            assert value["weighted_total"] == 2 * marks["social_significance"] + marks["innovation"]
    outsider = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/rankings",
        params={"nomination": NOMINATION, "region": ASTANA},
        headers=edition.juror("b-1"),
    )
    assert outsider.status_code == 403

    # Republican stage: opened by the regional close, finalists assigned to its commission.
    republican = await edition.assigned(REPUBLICAN, 4)
    assert {a.juror_id for a in republican} <= {"r-1", "r-2", "r-3"}
    best, runner_up = sorted(expected_finalists, key=lambda a: -quality[a])
    for assignment in republican:
        q = quality[assignment.application_id]
        await edition.score(
            REPUBLICAN,
            assignment.application_id,
            assignment.juror_id,
            social_significance=q,
            innovation=q - 1,
        )
    too_early = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/results", headers=edition.operator
    )
    assert too_early.json()["code"] == "republican_not_closed"
    assert (await edition.close(REPUBLICAN)).status_code == 200

    # Special prizes: finalists only, as many as the definition gives.
    prizes = f"/contests/{edition.contest_id}/special-prizes"
    (not_finalist,) = [a for a in edition.applications if a not in expected_finalists][:1]
    refused = await edition.judging.http.post(
        prizes, json={"application_id": not_finalist, "reason": "x"}, headers=edition.operator
    )
    assert refused.status_code == 422
    given = await edition.judging.http.post(
        prizes,
        json={"application_id": runner_up, "reason": "Reach in rural districts"},
        headers=edition.operator,
    )
    assert given.status_code == 201, given.text
    exhausted = await edition.judging.http.post(
        prizes, json={"application_id": best, "reason": "y"}, headers=edition.operator
    )
    assert exhausted.json()["code"] == "special_prizes_exhausted"

    # People's choice waits for the public vote's certified tally.
    no_tally = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/results", headers=edition.operator
    )
    assert no_tally.json()["code"] == "tally_not_certified"
    await edition.judging.voting.publish(
        STAGES,
        StageClosed(
            contest_id=edition.contest_id,
            stage=StageKind.PUBLIC_VOTE,
            closed_at=datetime.now(UTC),
            closed_by="schedule",
            summary=PublicVoteSummary(
                stage=StageKind.PUBLIC_VOTE,
                voters=700,
                tallies=[
                    NominationTally(
                        nomination_code=NOMINATION,
                        choices=[
                            ChoiceCount(application_id=not_finalist, votes=500),
                            ChoiceCount(application_id=runner_up, votes=120),
                            ChoiceCount(application_id=best, votes=80),
                        ],
                        ballots_counted=700,
                    )
                ],
            ),
        ),
        subject=edition.contest_id,
    )
    stages = edition.judging.context.stages
    await eventually(lambda: stages.get(edition.contest_id, StageKind.PUBLIC_VOTE))

    answer = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/results", headers=edition.operator
    )
    assert answer.status_code == 201, answer.text
    (result,) = answer.json()["nominations"]
    assert [(p["place"], p["application_id"]) for p in result["places"]] == [
        (1, best),
        (2, runner_up),
    ]
    assert result["places"][0]["grant_tenge"] == 3_000_000
    assert [p["application_id"] for p in result["special_prizes"]] == [runner_up]
    assert [(c["application_id"], c["votes"]) for c in result["peoples_choice"]] == [
        (runner_up, 120)
    ]
    assert "9001013" not in answer.text  # no applicant identifiers in the public table

    public = await edition.judging.http.get(f"/contests/{edition.contest_id}/results")
    assert public.status_code == 200
    assert public.json() == answer.json()
    await eventually(lambda: published.of(ResultsPublished, edition.contest_id))
    (results_event,) = published.of(ResultsPublished, edition.contest_id)
    await eventually(
        lambda: any(
            e.data.stage == StageKind.AWARDS for e in published.of(StageClosed, edition.contest_id)
        )
    )
    awards = next(
        e for e in published.of(StageClosed, edition.contest_id) if e.data.stage == "awards"
    )
    assert awards.data.summary.results_event_id == results_event.id
    twice = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/results", headers=edition.operator
    )
    assert twice.json()["code"] == "results_published"

    audit = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/audit",
        params={"limit": 1000},
        headers=edition.operator,
    )
    actions = {entry["action"] for entry in audit.json()}
    assert {
        "commission.created",
        "stage.opened",
        "juror.assigned",
        "sheet.recorded",
        "stage.closed",
        "special_prize.given",
        "results.published",
    } <= actions


async def test_each_criterions_mean_is_announced_only_where_applicants_see_their_scores(
    edition: Any, edition_showing_scores: Any
) -> None:
    for shown, contest in ((False, edition), (True, edition_showing_scores)):
        await contest.commission(ASTANA, ["c-1", "c-2", "c-3"])
        application = await contest.submit(ASTANA)
        await contest.close_submission()
        held = await contest.assigned(REGIONAL, 2)
        for assignment, (social, innovation) in zip(held, ((8, 3), (5, 4)), strict=True):
            await contest.score(
                REGIONAL,
                application,
                assignment.juror_id,
                social_significance=social,
                innovation=innovation,
            )
        closed = await contest.close(REGIONAL)
        assert closed.status_code == 200, closed.text
        ((entry,),) = [r["entries"] for r in closed.json()["summary"]["rankings"]]
        assert entry["application_id"] == application
        expected = {"social_significance": 6.5, "innovation": 3.5} if shown else {}
        assert entry["criteria"] == expected, shown


async def test_equal_applications_share_the_last_finalist_place_and_a_prize_place(
    edition: Any, published: Any, eventually: Any
) -> None:
    """By the default tie-breaks (the criteria, then sharing), two applications with the
    same sheets, submitted a minute apart, both take the region's one finalist place, and at
    the republican stage both take the one 1st place; the next application is 2nd."""
    await edition.commission(ASTANA, ["t-1", "t-2", "t-3"])
    await edition.commission(ALMATY, ["u-1", "u-2", "u-3"])
    await edition.commission(None, ["v-1", "v-2", "v-3"])
    first, second, third = [await edition.submit(ASTANA) for _ in range(3)]
    other = await edition.submit(ALMATY)
    await edition.close_submission()
    regional_marks = {first: (8, 7), second: (8, 7), third: (6, 5), other: (5, 4)}
    for assignment in await edition.assigned(REGIONAL, 8):
        social, innovation = regional_marks[assignment.application_id]
        response = await edition.score(
            REGIONAL,
            assignment.application_id,
            assignment.juror_id,
            social_significance=social,
            innovation=innovation,
        )
        assert response.status_code == 200, response.text

    closed = await edition.close(REGIONAL)
    assert closed.status_code == 200, closed.text
    rankings = {r["region_code"]: r["entries"] for r in closed.json()["summary"]["rankings"]}
    assert [(e["rank"], e["application_id"]) for e in rankings[ASTANA]] == [
        *sorted([(1, first), (1, second)]),
        (3, third),
    ]
    await eventually(lambda: published.of(FinalistsSelected, edition.contest_id))
    (selected,) = published.of(FinalistsSelected, edition.contest_id)
    assert sorted((f.application_id, f.regional_rank) for f in selected.data.finalists) == sorted(
        [(first, 1), (second, 1), (other, 1)]
    )
    explained = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/rankings",
        params={"nomination": NOMINATION, "region": ASTANA},
        headers=edition.operator,
    )
    assert explained.json()["tie_breaks"].startswith(
        "higher score, then higher mean on each criterion in the rubric's order; "
    )

    republican_marks = {first: (9, 8), second: (9, 8), other: (7, 6)}
    for assignment in await edition.assigned(REPUBLICAN, 6):
        social, innovation = republican_marks[assignment.application_id]
        await edition.score(
            REPUBLICAN,
            assignment.application_id,
            assignment.juror_id,
            social_significance=social,
            innovation=innovation,
        )
    assert (await edition.close(REPUBLICAN)).status_code == 200
    await edition.judging.voting.publish(
        STAGES,
        StageClosed(
            contest_id=edition.contest_id,
            stage=StageKind.PUBLIC_VOTE,
            closed_at=datetime.now(UTC),
            closed_by="schedule",
            summary=PublicVoteSummary(
                stage=StageKind.PUBLIC_VOTE,
                voters=0,
                tallies=[
                    NominationTally(nomination_code=NOMINATION, choices=[], ballots_counted=0)
                ],
            ),
        ),
        subject=edition.contest_id,
    )
    stages = edition.judging.context.stages
    await eventually(lambda: stages.get(edition.contest_id, StageKind.PUBLIC_VOTE))
    answer = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/results", headers=edition.operator
    )
    assert answer.status_code == 201, answer.text
    (result,) = answer.json()["nominations"]
    assert [(p["place"], p["application_id"]) for p in result["places"]] == [
        *sorted([(1, first), (1, second)]),
        (2, other),
    ]
    assert [p["grant_tenge"] for p in result["places"][:2]] == [3_000_000, 3_000_000]
