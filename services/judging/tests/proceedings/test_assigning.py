"""Assignment on the real broker and store: the submission close opens the regional stage
and assigns every eligible application to jurors of its region's commission; later
applications and conflicts are assigned on top."""

from __future__ import annotations

from collections import Counter
from typing import Any

from judging_edition import ALMATY, ASTANA, REGIONAL_SCHEDULE

from contest_contracts.common import StageKind
from contest_contracts.events.applications import ScreeningDecision
from contest_contracts.events.judging import JurorAssigned
from contest_contracts.events.stages import StageOpened

REGIONAL = StageKind.REGIONAL
EMPLOYER = "180240012345"


async def test_closing_submission_assigns_each_eligible_application_to_k_jurors_of_its_region(
    edition: Any, published: Any, eventually: Any
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    await edition.commission(ALMATY, ["b-1", "b-2", "b-3"], b_1=EMPLOYER)
    astana = [await edition.submit(ASTANA) for _ in range(3)]
    await edition.submit(ASTANA, decision=ScreeningDecision.INELIGIBLE)
    withdrawn = await edition.submit(ASTANA)
    await edition.withdraw(withdrawn, ASTANA)
    await edition.eventually(lambda: _withdrawn(edition, withdrawn))
    linked = await edition.submit(ALMATY, employer_bin=EMPLOYER)
    almaty = [linked, await edition.submit(ALMATY)]

    await edition.close_submission()
    held = await edition.assigned(REGIONAL, 10)

    pairs = {(a.application_id, a.juror_id) for a in held}
    assert {a for a, _ in pairs} == set(astana + almaty)
    assert all(Counter(a for a, _ in pairs)[app] == 2 for app in astana + almaty)
    assert all(j.startswith("a-") for a, j in pairs if a in astana)
    assert all(j.startswith("b-") for a, j in pairs if a in almaty)
    assert (linked, "b-1") not in pairs
    loads = Counter(j for a, j in pairs if a in astana)
    assert sorted(loads.values()) == [2, 2, 2]

    await eventually(lambda: len(published.of(StageOpened, edition.contest_id)) == 1)
    for assignment in held:
        assert assignment.due_at == REGIONAL_SCHEDULE.closes_at
        await eventually(
            lambda a=assignment: any(
                e.data.assignment_id == a.assignment_id
                and e.data.due_at == REGIONAL_SCHEDULE.closes_at
                for e in published.of(JurorAssigned, a.juror_id)
            )
        )

    # The same close delivered again assigns nobody twice.
    await edition.close_submission()
    await edition.eventually(lambda: len(published.of(StageOpened, edition.contest_id)) == 1)
    assert len(await edition.in_force(REGIONAL)) == 10


async def test_an_application_screened_eligible_after_the_stage_opened_is_assigned_then(
    edition: Any,
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    await edition.submit(ASTANA)
    late = await edition.submit(ASTANA, decision=None)
    await edition.close_submission()
    await edition.assigned(REGIONAL, 2)

    await edition.screen(late, ASTANA, ScreeningDecision.ELIGIBLE)
    held = await edition.assigned(REGIONAL, 4)
    assert sum(a.application_id == late for a in held) == 2
    assert sorted(Counter(a.juror_id for a in held).values()) == [1, 1, 2]


async def test_applications_of_a_commission_set_up_late_are_assigned_by_the_operator(
    edition: Any,
) -> None:
    app = await edition.submit(ALMATY)
    await edition.close_submission()
    await edition.eventually(
        lambda: edition.judging.context.stages.get(edition.contest_id, REGIONAL)
    )
    run = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/stages/regional/assign", headers=edition.operator
    )
    assert run.json() == {"assigned": 0, "short": {app: 2}}

    await edition.commission(ALMATY, ["b-1", "b-2"])
    run = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/stages/regional/assign", headers=edition.operator
    )
    assert run.status_code == 200
    # The operator's run assigns what is pending, unless the stage's own opening run (still
    # waiting for the stage's lock when the commission arrived) did it first.
    assert run.json()["short"] == {}
    held = await edition.assigned(REGIONAL, 2)
    assert {(a.application_id, a.juror_id) for a in held} == {(app, "b-1"), (app, "b-2")}


async def test_a_juror_who_declares_a_conflict_is_replaced_and_their_sheet_stops_counting(
    edition: Any, published: Any, eventually: Any
) -> None:
    await edition.commission(ASTANA, ["a-1", "a-2", "a-3"])
    app = await edition.submit(ASTANA)
    await edition.close_submission()
    held = await edition.assigned(REGIONAL, 2)
    leaving = held[0].juror_id
    staying = held[1].juror_id
    assert (
        await edition.score(REGIONAL, app, leaving, social_significance=9, innovation=9)
    ).status_code == 200

    held_url = f"/contests/{edition.contest_id}/assignments/mine/{app}"
    before = await edition.judging.http.get(held_url, headers=edition.juror(leaving))
    assert before.json() == {"application_id": app, "stages": ["regional"]}
    unassigned = {"a-1", "a-2", "a-3"} - {leaving, staying}
    stranger = await edition.judging.http.get(held_url, headers=edition.juror(*unassigned))
    assert (stranger.status_code, stranger.json()["code"]) == (404, "not_assigned")

    declared = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/conflicts",
        json={"application_id": app, "reason": "my cousin runs the project"},
        headers=edition.juror(leaving),
    )
    assert declared.status_code == 200, declared.text
    assert declared.json() == {"application_id": app, "assignments_ended": 1, "replacements": 1}

    now_held = await edition.in_force(REGIONAL)
    assert {a.juror_id for a in now_held} == {"a-1", "a-2", "a-3"} - {leaving}
    replacement = next(a for a in now_held if a.juror_id not in (leaving, staying))
    assert replacement.replaces_juror_id == leaving
    assert replacement.sheet is None  # the sheet moves with nobody
    await eventually(
        lambda: any(
            e.data.replaces_juror_id == leaving
            for e in published.of(JurorAssigned, replacement.juror_id)
        )
    )
    mine = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/regional/assignments/mine",
        headers=edition.juror(leaving),
    )
    assert mine.json() == []
    after = await edition.judging.http.get(held_url, headers=edition.juror(leaving))
    assert (after.status_code, after.json()["code"]) == (404, "not_assigned")
    taken_over = await edition.judging.http.get(
        held_url, headers=edition.juror(replacement.juror_id)
    )
    assert taken_over.status_code == 200
    refused = await edition.score(REGIONAL, app, leaving, social_significance=1, innovation=1)
    assert refused.status_code == 404

    # Declaring it again changes nothing; the audit log has the conflict, the end and the
    # replacement.
    again = await edition.judging.http.post(
        f"/contests/{edition.contest_id}/conflicts",
        json={"application_id": app, "reason": "again"},
        headers=edition.juror(leaving),
    )
    assert again.json()["assignments_ended"] == 0
    audit = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/audit", headers=edition.operator
    )
    actions = [entry["action"] for entry in audit.json()]
    assert actions.count("conflict.declared") == 1
    assert "assignment.ended" in actions
    assigned = [entry["detail"] for entry in audit.json() if entry["action"] == "juror.assigned"]
    assert [d["replaces"] for d in assigned] == [None, None, leaving]
    assert assigned[-1]["juror_id"] == replacement.juror_id


async def _withdrawn(edition: Any, application_id: str) -> bool:
    copy = await edition.judging.context.applications.get(application_id)
    return copy is not None and copy.withdrawn
