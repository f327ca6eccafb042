"""Contest definitions through the API: defined, updated and published; submission closed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
import yaml
from intake_samples import ALMATY, ASTANA, body, contest_definition, project_form, worker_form

from contest_contracts.events.contest import ContestDefined, ContestUpdated
from contest_contracts.events.stages import StageClosed, StageOpened, SubmissionSummary
from contest_intake.api.contests import body_location
from contest_intake.app import create_app
from contest_intake.domain.definitions import DefinitionProblem
from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]
Eventually = Callable[..., Awaitable[None]]


async def test_operator_defines_a_contest_and_every_change_is_published(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    definition = contest_definition()
    operator = bearer(Role.OPERATOR, subject="operator-1")
    document = definition.model_dump(mode="json")

    created = await intake.http.post("/contests", json=document, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json()["revision"] == 1
    again = await intake.http.post("/contests", json=document, headers=operator)
    assert (again.status_code, again.json()["code"]) == (409, "contest_exists")

    changed = {**document, "title": {**document["title"], "en": "Best worker 2026"}}
    updated = await intake.http.put(
        f"/contests/{definition.contest_id}",
        content=yaml.safe_dump(changed, allow_unicode=True),
        headers={**operator, "Content-Type": "application/yaml"},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["revision"] == 2
    unchanged = await intake.http.put(
        f"/contests/{definition.contest_id}", json=changed, headers=operator
    )
    assert unchanged.json()["revision"] == 2

    await eventually(lambda: len(published.of(ContestUpdated, definition.contest_id)) == 1)
    [defined] = published.of(ContestDefined, definition.contest_id)
    assert defined.data.definition == definition
    [update] = published.of(ContestUpdated, definition.contest_id)
    assert (update.data.revision, update.data.definition.title.en) == (2, "Best worker 2026")

    public = await intake.http.get(f"/contests/{definition.contest_id}")
    assert public.json()["definition"]["title"]["en"] == "Best worker 2026"


async def test_invalid_definitions_are_refused_with_reasons_and_nothing_is_stored(
    intake: Any, bearer: Bearer
) -> None:
    operator = bearer(Role.OPERATOR)
    definition = contest_definition().model_dump(mode="json")
    cases = [
        ({**definition, "nominatons": []}, "application/json"),
        ({**definition, "regions": [definition["regions"][0]] * 2}, "application/json"),
        ({**definition, "stages": "soon"}, "application/json"),
    ]
    for document, media_type in cases:
        answer = await intake.http.post(
            "/contests", json=document, headers={**operator, "Content-Type": media_type}
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "invalid_definition"
        assert answer.json()["errors"]
    for text, media_type, code in (
        (b"title: [unclosed", "text/yaml", "malformed_yaml"),
        (b"title: [unclosed", "application/yaml", "malformed_yaml"),
        (b'{"title": ', "application/json", "malformed_json"),
        (b'{"title": "x",}', "application/json; charset=utf-8", "malformed_json"),
    ):
        for send in (intake.http.post, intake.http.put):
            url = (
                "/contests" if send == intake.http.post else f"/contests/{definition['contest_id']}"
            )
            broken = await send(url, content=text, headers={**operator, "Content-Type": media_type})
            assert (broken.status_code, broken.json()["code"]) == (422, code), broken.text
            assert broken.json()["errors"][0]["location"] == ["body"]
    wrong_type = await intake.http.post(
        "/contests", content=b"<xml/>", headers={**operator, "Content-Type": "application/xml"}
    )
    assert wrong_type.status_code == 415
    assert await intake.office.contests.get(definition["contest_id"]) is None


async def test_standard_json_with_escaped_emoji_defines_a_contest(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition()
    document = definition.model_dump(mode="json")
    document["title"] = {**document["title"], "en": "Best worker \U0001f3c6"}
    answer = await intake.http.post(
        "/contests",
        content=json.dumps(document),  # ensure_ascii: "\\ud83c\\udfc6", as Python writes it
        headers={**bearer(Role.OPERATOR), "Content-Type": "application/json"},
    )
    assert answer.status_code == 201, answer.text
    stored = await intake.office.contest(definition.contest_id)
    assert stored.definition.title.en == "Best worker \U0001f3c6"


async def test_deeply_nested_or_half_surrogate_definitions_are_422_and_nothing_is_stored(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition()
    operator = bearer(Role.OPERATOR)
    document = json.dumps({**definition.model_dump(mode="json"), "title": "PLACEHOLDER"})
    deep = "[" * 500 + "]" * 500
    cases = [
        (document.replace('"PLACEHOLDER"', deep), "application/json", "too_deeply_nested"),
        (document.replace('"PLACEHOLDER"', deep), "application/yaml", "invalid_definition"),
        (document.replace("PLACEHOLDER", "\\ud83c"), "application/json", "invalid_unicode"),
        (document.replace("PLACEHOLDER", "\\ud83c"), "application/yaml", "invalid_definition"),
    ]
    for text, media_type, code in cases:
        for send in (intake.http.post, intake.http.put):
            url = "/contests" if send == intake.http.post else f"/contests/{definition.contest_id}"
            answer = await send(url, content=text, headers={**operator, "Content-Type": media_type})
            assert (answer.status_code, answer.json()["code"]) == (422, code), answer.text
    assert await intake.office.contests.get(definition.contest_id) is None


async def test_only_operators_define_contests_and_close_submission(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition()
    document = definition.model_dump(mode="json")
    anonymous = await intake.http.post("/contests", json=document)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    for role in (Role.APPLICANT, Role.SECRETARY, Role.JUROR):
        answer = await intake.http.post(
            "/contests", json=document, headers=bearer(role, region_code=ASTANA)
        )
        assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    close = f"/contests/{definition.contest_id}/submission/close"
    assert (await intake.http.post(close)).status_code == 401
    assert (
        await intake.http.post(close, headers=bearer(Role.SECRETARY, region_code=ASTANA))
    ).status_code == 403
    assert await intake.office.contests.get(definition.contest_id) is None


async def test_closing_submission_publishes_counts_per_region_and_nomination(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    definition = contest_definition()
    operator = bearer(Role.OPERATOR, subject="operator-7")
    await intake.http.post("/contests", json=definition.model_dump(mode="json"), headers=operator)
    url = f"/contests/{definition.contest_id}/applications"
    forms = [
        ("applicant-1", project_form(1, ASTANA), True),
        ("applicant-2", project_form(2, ASTANA), True),
        ("applicant-3", worker_form(3, ALMATY), True),
        ("applicant-4", worker_form(4, ALMATY), False),  # a draft is not counted
        ("applicant-5", project_form(5, ALMATY), True),  # withdrawn below
    ]
    ids = []
    for subject, form, submit in forms:
        answer = await intake.http.post(
            url,
            json=body(form, submit=submit),
            headers=bearer(Role.APPLICANT, subject=subject),
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["application_id"])
    withdrawn = await intake.http.post(
        f"/applications/{ids[4]}/withdraw",
        json={"reason": "duplicate"},
        headers=bearer(Role.APPLICANT, subject="applicant-5"),
    )
    assert withdrawn.status_code == 200, withdrawn.text

    closed = await intake.http.post(
        f"/contests/{definition.contest_id}/submission/close", headers=operator
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["submission_closed_by"] == "operator-7"
    again = await intake.http.post(
        f"/contests/{definition.contest_id}/submission/close", headers=operator
    )
    assert again.json()["submission_closed_at"] == closed.json()["submission_closed_at"]

    await eventually(lambda: published.of(StageClosed, definition.contest_id))
    [event] = published.of(StageClosed, definition.contest_id)
    summary = event.data.summary
    assert isinstance(summary, SubmissionSummary)
    assert summary.total_submitted == 3
    counts = {
        (c.region_code, c.nomination_code): (c.submitted, c.withdrawn) for c in summary.counts
    }
    assert counts == {
        (ASTANA, "social-project"): (2, 0),
        (ALMATY, "special-services-centre-worker"): (1, 0),
        (ALMATY, "social-project"): (0, 1),
    }

    late = await intake.http.post(
        url,
        json=body(project_form(6), submit=True),
        headers=bearer(Role.APPLICANT, subject="applicant-6"),
    )
    assert (late.status_code, late.json()["code"]) == (409, "submission_closed")
    draft_submit = await intake.http.post(
        f"/applications/{ids[3]}/submit", headers=bearer(Role.APPLICANT, subject="applicant-4")
    )
    assert (draft_submit.status_code, draft_submit.json()["code"]) == (409, "submission_closed")


async def test_submission_closes_by_itself_at_the_deadline(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    definition = contest_definition(closes=timedelta(seconds=2))
    operator = bearer(Role.OPERATOR)
    await intake.http.post("/contests", json=definition.model_dump(mode="json"), headers=operator)
    submitted = await intake.http.post(
        f"/contests/{definition.contest_id}/applications",
        json=body(project_form(1), submit=True),
        headers=bearer(Role.APPLICANT, subject="early"),
    )
    assert submitted.status_code == 201, submitted.text

    await eventually(lambda: published.of(StageClosed, definition.contest_id))
    [event] = published.of(StageClosed, definition.contest_id)
    assert event.data.closed_by == "schedule"
    assert event.data.summary.total_submitted == 1


async def test_definition_files_are_loaded_at_start_and_a_changed_file_is_a_new_revision(
    intake: Any,
    tmp_path: Any,
    app_client: Any,
    published: Any,
    eventually: Eventually,
) -> None:
    definition = contest_definition()
    path = tmp_path / "edition.yaml"
    path.write_text(yaml.safe_dump(definition.model_dump(mode="json"), allow_unicode=True))
    name = f"intake-files-{definition.contest_id}"
    settings = intake.settings.model_copy(
        update={"definition_files": [path], "mongodb_database": name, "consumer_group": name}
    )

    async with app_client(create_app(settings)) as http:
        await eventually(lambda: published.of(ContestDefined, definition.contest_id))
        assert (await http.get(f"/contests/{definition.contest_id}")).json()["revision"] == 1

    renamed = definition.model_copy(
        update={"title": definition.title.model_copy(update={"en": "Renamed"})}
    )
    path.write_text(yaml.safe_dump(renamed.model_dump(mode="json"), allow_unicode=True))
    # The same database, but a consumer group of its own: the embedded broker can leave a
    # group whose members just left waiting for ever on the next join (see README limits).
    restarted = settings.model_copy(update={"consumer_group": f"{name}-restarted"})
    async with app_client(create_app(restarted)) as http:
        await eventually(lambda: published.of(ContestUpdated, definition.contest_id))
        assert (await http.get(f"/contests/{definition.contest_id}")).json()["revision"] == 2
    [update] = published.of(ContestUpdated, definition.contest_id)
    assert update.data.definition.title.en == "Renamed"


def test_a_broken_definition_file_stops_the_start_with_its_reasons(
    intake: Any, tmp_path: Any
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("contest_id: x\nnominatons: []\n")
    settings = intake.settings.model_copy(update={"definition_files": [path]})
    with pytest.raises(DefinitionProblem, match="nominatons"):
        create_app(settings)


def _with_visibility(document: dict[str, Any], visibility: str | None) -> dict[str, Any]:
    """``document`` with the vote's visibility set, or left out (None)."""
    vote = {k: v for k, v in document["public_vote"].items() if k != "visibility"}
    if visibility is not None:
        vote["visibility"] = visibility
    return {**document, "public_vote": vote}


async def test_a_hidden_vote_stays_hidden_unless_a_change_is_confirmed_and_every_change_is_audited(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition()
    operator = bearer(Role.OPERATOR, subject="operator-3")
    url = f"/contests/{definition.contest_id}"
    hidden = _with_visibility(definition.model_dump(mode="json"), "hidden")
    assert (await intake.http.post("/contests", json=hidden, headers=operator)).status_code == 201

    retitled = {**hidden, "title": {**hidden["title"], "en": "Retitled"}}
    left_out = await intake.http.put(url, json=_with_visibility(retitled, None), headers=operator)
    assert left_out.status_code == 200, left_out.text
    assert left_out.json()["revision"] == 2
    assert left_out.json()["definition"]["public_vote"]["visibility"] == "hidden"

    for louder in ("ranks_only", "live"):
        refused = await intake.http.put(
            url, json=_with_visibility(retitled, louder), headers=operator
        )
        assert (refused.status_code, refused.json()["code"]) == (
            409,
            "visibility_change_unconfirmed",
        )
    assert (await intake.office.contest(definition.contest_id)).revision == 2

    confirmed = await intake.http.put(
        url,
        json=_with_visibility(retitled, "live"),
        params={"visibility_change": "confirm"},
        headers=operator,
    )
    assert confirmed.status_code == 200, confirmed.text
    quieter = await intake.http.put(
        url, json=_with_visibility(retitled, "ranks_only"), headers=operator
    )
    assert quieter.status_code == 200, quieter.text  # more secret: no confirmation needed

    audit = await intake.http.get(f"{url}/audit", headers=operator)
    assert [(a["previous"], a["visibility"], a["by"], a["revision"]) for a in audit.json()] == [
        ("hidden", "live", "operator-3", 3),
        ("live", "ranks_only", "operator-3", 4),
    ]
    assert (await intake.http.get(f"{url}/audit")).status_code == 401
    for role in (Role.APPLICANT, Role.SECRETARY, Role.JUROR, Role.COMMISSION_SECRETARY):
        answer = await intake.http.get(f"{url}/audit", headers=bearer(role, region_code=ASTANA))
        assert answer.status_code == 403


async def test_once_the_vote_has_opened_its_visibility_changes_only_by_force(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition(opens=timedelta(days=-40), closes=timedelta(days=-12))
    operator = bearer(Role.OPERATOR, subject="operator-4")
    url = f"/contests/{definition.contest_id}"
    hidden = _with_visibility(definition.model_dump(mode="json"), "hidden")
    assert (await intake.http.post("/contests", json=hidden, headers=operator)).status_code == 201

    for visibility, allowed in [("live", "confirm"), ("ranks_only", "none"), ("live", "none")]:
        refused = await intake.http.put(
            url,
            json=_with_visibility(hidden, visibility),
            params={"visibility_change": allowed},
            headers=operator,
        )
        assert (refused.status_code, refused.json()["code"]) == (409, "vote_visibility_fixed")
    forced = await intake.http.put(
        url,
        json=_with_visibility(hidden, "live"),
        params={"visibility_change": "force"},
        headers=operator,
    )
    assert forced.status_code == 200, forced.text
    [entry] = (await intake.http.get(f"{url}/audit", headers=operator)).json()
    assert (entry["previous"], entry["visibility"], entry["forced"]) == ("hidden", "live", True)


def test_a_problems_place_becomes_a_location_with_ascii_digits_as_indexes() -> None:
    """The fuzzer found a key "¹": a digit to `str.isdigit`, not to `int` (it was a 500)."""
    assert body_location("$.nominations[0].rubric") == ["body", "nominations", 0, "rubric"]
    assert body_location("$.stages.1.opens") == ["body", "stages", 1, "opens"]
    assert body_location("$.x¹.٣") == ["body", "x¹", "٣"]


async def test_submission_opening_on_schedule_is_announced_once(
    intake: Any, bearer: Bearer, published: Any, eventually: Eventually
) -> None:
    """A subscriber learns that applications opened (`StageOpened`), at the schedule's
    moment: at once for a contest defined while open, and when the opening comes for one
    defined before it."""
    operator = bearer(Role.OPERATOR)
    already = contest_definition()
    later = contest_definition(opens=timedelta(seconds=2))
    for definition in (already, later):
        created = await intake.http.post(
            "/contests", json=definition.model_dump(mode="json"), headers=operator
        )
        assert created.status_code == 201, created.text
    await eventually(lambda: published.of(StageOpened, already.contest_id))
    await eventually(lambda: published.of(StageOpened, later.contest_id))
    [announced] = published.of(StageOpened, later.contest_id)
    assert announced.time >= later.stages[0].opens_at  # not before its opening
    for definition in (already, later):
        [opened] = published.of(StageOpened, definition.contest_id)
        submission = definition.stages[0]
        assert opened.data.stage == "submission"
        assert (opened.data.opened_at, opened.data.closes_at) == (
            submission.opens_at,
            submission.closes_at,
        )
    await asyncio.sleep(1)  # a few more rounds of the schedule: still once
    assert len(published.of(StageOpened, later.contest_id)) == 1
