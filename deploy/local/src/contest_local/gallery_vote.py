"""A contest whose public vote is open now on its gallery's projects, set up through
intake's API as an operator and applicants would: the demo contest under a new id, its
projects filed, submission closed early, and the schedule moved so that the vote opens
at once (as an edition does once its regional stage ended early).

The portal's tests vote in such a contest through the pages; the portal's benchmark
measures votes and pages on one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from contest_contracts.common import LocalizedText
from contest_contracts.events.contest import VoteChoices
from contest_intake.domain.definitions import demo_definition
from contest_local.demo import edition_schedule
from contest_local.edition.people import People
from contest_runtime.auth import AuthSettings, Role, mint

Finalists = dict[str, list[dict[str, Any]]]
"""The choices by nomination: what intake gave back for each project filed (its
`application_id`) and the form it was filed with (`form`)."""


def open_gallery_vote(
    intake_url: str,
    voting_url: str,
    auth: AuthSettings,
    projects: Mapping[tuple[str, str], int],
    seed: int = 16,
) -> tuple[str, Finalists]:
    """File ``projects`` (how many per nomination and region) in a new contest voting on
    its gallery; returns once voting takes votes on every one of them."""
    now = datetime.now(UTC).replace(microsecond=0)
    contest_id = f"gallery-vote-{uuid.uuid4().hex[:6]}"
    definition = demo_definition().model_copy(
        update={
            "contest_id": contest_id,
            "title": LocalizedText(
                ru="Народный выбор: лучший проект",
                kk="Халық таңдауы: үздік жоба",
                en="People's choice: the best project",
            ),
            "stages": edition_schedule(
                now - timedelta(hours=1), now + timedelta(days=1), now + timedelta(days=2)
            ),
            "public_vote": demo_definition().public_vote.model_copy(
                update={"choices": VoteChoices.GALLERY}
            ),
        }
    )
    operator = {"Authorization": f"Bearer {mint(auth, subject='operator', roles=[Role.OPERATOR])}"}
    people = People(seed=seed)
    finalists: Finalists = {}
    with httpx.Client(base_url=intake_url, timeout=30) as intake:
        body = definition.model_dump(mode="json")
        _expect(intake.post("/contests", json=body, headers=operator), 201)
        # Voting keeps the gallery's projects only of a contest it knows: wait for it.
        until(lambda: httpx.get(f"{voting_url}/contests/{contest_id}/vote").is_success)
        number = 0
        for (nomination, region), count in projects.items():
            for _ in range(count):
                form = people.project_form(nomination, region)
                applicant = mint(auth, subject=f"voted-{number}", roles=[Role.APPLICANT])
                number += 1
                filed = intake.post(
                    f"/contests/{contest_id}/applications",
                    json={**form, "submit": True},
                    headers={"Authorization": f"Bearer {applicant}"},
                )
                _expect(filed, 200, 201)
                finalists.setdefault(nomination, []).append(
                    {"application_id": filed.json()["application_id"], "form": form}
                )
        _expect(intake.post(f"/contests/{contest_id}/submission/close", headers=operator), 200)
        submission_closed = datetime.fromisoformat(
            intake.get(f"/contests/{contest_id}").json()["submission_closed_at"]
        )
        opened = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        body["stages"] = [
            s.model_dump(mode="json")
            for s in edition_schedule(now - timedelta(hours=1), submission_closed, opened)
        ]
        _expect(intake.put(f"/contests/{contest_id}", json=body, headers=operator), 200)
    until(lambda: vote_open_on(voting_url, contest_id, sum(projects.values())))
    return contest_id, finalists


def vote_open_on(voting_url: str, contest_id: str, choices: int) -> bool:
    """Whether the voting service at ``voting_url`` takes votes in the contest, on
    ``choices`` projects."""
    with httpx.Client(base_url=voting_url, timeout=30) as voting:
        state = voting.get(f"/contests/{contest_id}/vote")
        views = voting.get(f"/contests/{contest_id}/tallies")
    shown = sum(len(v["entries"]) for v in views.json()) if views.is_success else 0
    return state.is_success and state.json()["status"] == "open" and shown == choices


def until(check: Callable[[], bool], timeout_s: float = 60) -> None:
    """Wait for ``check`` to hold (polled every 0.2 s); RuntimeError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise RuntimeError("gave up waiting")
        time.sleep(0.2)


def _expect(answer: httpx.Response, *statuses: int) -> None:
    if answer.status_code not in statuses:
        raise RuntimeError(f"{answer.request.method} {answer.request.url}: {answer.text}")
