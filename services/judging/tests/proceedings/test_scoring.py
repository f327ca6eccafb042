"""Score sheets through the API on the real store: a juror's own sheets only, refused when
out of range or incomplete (nothing written), editable until the stage closes, sealed from
everybody until then; recorded side by side, each either counted by the close or refused."""

from __future__ import annotations

import asyncio
from typing import Any

from judging_edition import ASTANA

from contest_contracts.common import StageKind
from contest_contracts.events.judging import ScoreRecorded

REGIONAL = StageKind.REGIONAL


async def _one_application(edition: Any) -> tuple[str, list[str]]:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    app = await edition.submit(ASTANA)
    await edition.close_submission()
    held = await edition.assigned(REGIONAL, 2)
    return app, [a.juror_id for a in held]


async def test_a_juror_records_and_edits_a_sheet_and_each_revision_is_announced(
    edition: Any, published: Any, eventually: Any
) -> None:
    app, (juror, _) = await _one_application(edition)

    first = await edition.score(REGIONAL, app, juror, social_significance=8, innovation=5)
    assert first.status_code == 200, first.text
    assert first.json()["sheet"]["revision"] == 1
    assert first.json()["sheet"]["weighted_total"] == 21.0  # 2 x 8 + 1 x 5
    second = await edition.score(REGIONAL, app, juror, social_significance=9, innovation=5)
    assert second.json()["sheet"]["revision"] == 2

    await eventually(lambda: len(published.of(ScoreRecorded, app)) == 2)
    revisions = [(e.data.revision, e.data.weighted_total) for e in published.of(ScoreRecorded, app)]
    assert sorted(revisions) == [(1, 21.0), (2, 23.0)]

    mine = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/assignments/mine",
        headers=edition.juror(juror),
    )
    (assignment,) = mine.json()
    assert assignment["application_id"] == app
    assert assignment["title"] == "Project 0"
    assert assignment["details"]["kind"] == "project"
    assert assignment["sheet"]["scores"] == {"social_significance": 9, "innovation": 5}


async def test_out_of_range_incomplete_or_unknown_scores_are_refused_and_nothing_is_written(
    edition: Any,
) -> None:
    app, (juror, _) = await _one_application(edition)
    for scores, problem in (
        ({"social_significance": 11, "innovation": 5}, "social_significance: 11 is outside 0..10"),
        ({"social_significance": -1, "innovation": 5}, "social_significance: -1 is outside"),
        ({"social_significance": 8}, "innovation: missing"),
        ({"social_significance": 8, "innovation": 5, "charm": 3}, "charm: not a criterion"),
    ):
        response = await edition.score(REGIONAL, app, juror, **scores)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "invalid_sheet"
        assert problem in response.json()["detail"]

    not_a_number = await edition.judging.http.put(
        f"/contests/{edition.contest_id}/stages/regional/sheets/{app}",
        json={"scores": {"social_significance": "high", "innovation": 5}},
        headers=edition.juror(juror),
    )
    assert not_a_number.status_code == 422
    held = await edition.in_force(REGIONAL)
    assert all(a.sheet is None for a in held)


async def test_a_juror_cannot_score_an_application_they_are_not_assigned_to(
    edition: Any,
) -> None:
    app, jurors = await _one_application(edition)
    (outsider,) = {"a-1", "a-2", "a-3"} - set(jurors)
    response = await edition.score(REGIONAL, app, outsider, social_significance=8, innovation=5)
    assert response.status_code == 404
    assert response.json()["code"] == "assignment_not_found"
    wrong_stage = await edition.score(
        StageKind.REPUBLICAN, app, jurors[0], social_significance=8, innovation=5
    )
    assert wrong_stage.status_code == 409
    assert wrong_stage.json()["code"] == "stage_not_open"


async def test_nobody_sees_scores_before_the_stage_closes(edition: Any) -> None:
    app, (juror, other) = await _one_application(edition)
    await edition.score(REGIONAL, app, juror, social_significance=8, innovation=5)
    for headers in (edition.operator, edition.juror(other), edition.juror(juror)):
        response = await edition.judging.http.get(
            f"/contests/{edition.contest_id}/stages/regional/rankings",
            params={"nomination": "best-social-project", "region": ASTANA},
            headers=headers,
        )
        assert response.status_code == 403
        assert response.json()["code"] == "scores_sealed"
    other_mine = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/assignments/mine",
        headers=edition.juror(other),
    )
    assert other_mine.json()[0]["sheet"] is None  # the other juror never sees this sheet


async def test_sheets_recorded_side_by_side_with_a_close_are_each_counted_or_refused(
    edition: Any,
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    for _ in range(6):
        await edition.submit(ASTANA)
    await edition.close_submission()
    held = await edition.assigned(REGIONAL, 12)

    async def sheet(assignment: Any) -> Any:
        return await edition.score(
            REGIONAL, assignment.application_id, assignment.juror_id, **SCORES
        )

    sheets = [asyncio.create_task(sheet(a)) for a in held]
    await asyncio.sleep(0.01)  # some sheets are under way, others still to come
    close = await edition.close(REGIONAL, force=True)
    answers = await asyncio.gather(*sheets)

    assert close.status_code == 200, close.text
    accepted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert all(a.json()["code"] == "stage_closed" for a in refused), [a.text for a in refused]
    assert close.json()["summary"]["missing_sheets"] == len(refused)
    stored = [a for a in await edition.in_force(REGIONAL) if a.sheet is not None]
    assert len(stored) == len(accepted)  # a refused sheet wrote nothing


SCORES = {"social_significance": 7, "innovation": 6}


async def test_the_progress_names_each_jurors_missing_sheets_and_assignments_show_their_due_date(
    edition: Any,
) -> None:
    app, (juror, other) = await _one_application(edition)
    await edition.score(REGIONAL, app, juror, social_significance=8, innovation=5)
    progress = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/progress", headers=edition.operator
    )
    assert progress.status_code == 200, progress.text
    (commission,) = progress.json()
    jurors = {j["juror_id"]: j for j in commission["jurors"]}
    assert jurors[juror] == {
        "juror_id": juror,
        "name": f"Juror {juror}",
        "assignments": 1,
        "sheets": 1,
        "missing_application_ids": [],
        "missing": [],
    }
    assert jurors[other]["missing_application_ids"] == [app]
    copy = await edition.judging.context.applications.get(app)
    assert copy is not None and copy.title
    assert jurors[other]["missing"] == [{"application_id": app, "title": copy.title}]
    assert "scores" not in str(commission)  # no scores before the close
    mine = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/assignments/mine",
        headers=edition.juror(other),
    )
    assert mine.json()[0]["due_at"] is not None
