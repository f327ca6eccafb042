"""Live results: each nomination's tally as the contest's visibility allows it, and the
certified figures once the vote is closed and counted.

The page is made whole on the server, so it works without JavaScript (a reload shows the
latest figures). With JavaScript, `tallies.js` follows the page's own stream of server-sent
events: each event is one nomination's section, made by the same template in the reader's
language, which the script puts in place of the old one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from contest_contracts.common import Language, NominationKind
from contest_contracts.events.contest import Nomination
from contest_contracts.events.voting import TallyEntry, TallyUpdated
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.services import NotFound, ServiceUnavailable
from contest_portal.services.intake import Contest, Project
from contest_portal.services.voting import VoteState
from contest_portal.tally_feeds import FeedEnded

router = APIRouter()

RECONNECT_MS = 5000
"""How long a browser waits before it opens a broken stream again."""


@dataclass(frozen=True)
class Row:
    """One finalist's line in a nomination's tally."""

    project: Project | None
    application_id: str
    rank: int | None
    votes: int | None


@dataclass(frozen=True)
class Standing:
    """One nomination's tally as its section shows it."""

    nomination: Nomination
    view: TallyUpdated | None
    projects: dict[str, Project]

    @property
    def counts_shown(self) -> bool:
        """Whether the view shows votes (live, or certified)."""
        return self.view is not None and any(e.votes is not None for e in self.view.entries)

    @property
    def ranks_shown(self) -> bool:
        """Whether the view shows ranks."""
        return self.view is not None and any(e.rank is not None for e in self.view.entries)

    @property
    def rows(self) -> list[Row]:
        """The finalists, by rank where ranks are shown, else by title."""
        entries: list[TallyEntry] = self.view.entries if self.view else []
        rows = [
            Row(self.projects.get(e.application_id), e.application_id, e.rank, e.votes)
            for e in entries
        ]
        rows.sort(
            key=lambda r: (
                r.rank or 0,
                (r.project.title if r.project else r.application_id).casefold(),
            )
        )
        return rows

    def shown(self, view: TallyUpdated) -> Standing:
        """The same nomination with a newer view."""
        return Standing(self.nomination, view, self.projects)


@dataclass(frozen=True)
class Board:
    """A contest's live results: the vote's state and every voted nomination's tally."""

    contest: Contest
    vote: VoteState | None
    standings: dict[str, Standing]


async def board(portal: Site, contest_id: str) -> Board:
    """The contest, its vote and each project nomination's tally with its finalists' cards;
    :class:`NotFound` for a contest intake does not know."""
    services = portal.services
    contest, vote = await asyncio.gather(
        services.intake.contest(contest_id), services.voting.vote_state(contest_id)
    )
    views: dict[str, TallyUpdated] = {}
    if vote is not None:
        try:
            views = {v.nomination_code: v for v in await services.voting.tallies(contest_id)}
        except NotFound:
            views = {}
    nominations = [n for n in contest.definition.nominations if n.kind is NominationKind.PROJECT]
    cards = await asyncio.gather(
        *(
            services.intake.projects(
                contest_id, n.code, {e.application_id for e in views[n.code].entries}
            )
            if n.code in views
            else _no_projects()
            for n in nominations
        )
    )
    standings = {
        n.code: Standing(n, views.get(n.code), {p.application_id: p for p in found})
        for n, found in zip(nominations, cards, strict=True)
    }
    return Board(contest, vote, standings)


async def _with_new_finalists(portal: Site, found: Board, standing: Standing) -> Standing:
    """The nomination with the cards of finalists that came after the stream began; as it
    was when intake or voting does not answer (a finalist is then shown by its id)."""
    try:
        fresh = await board(portal, found.contest.definition.contest_id)
    except (NotFound, ServiceUnavailable):
        return standing
    return fresh.standings.get(standing.nomination.code, standing)


async def _no_projects() -> list[Project]:
    return []


@router.get("/{lang}/contests/{contest_id}/tallies", response_class=Response)
async def live_results(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite
) -> Response:
    """Each nomination's tally: votes, ranks only, or nothing yet, as the contest's
    visibility allows; the certified figures after the close. Who may use it: anyone."""
    found = await board(portal, contest_id)
    return portal.renderer.page(
        request,
        lang,
        "tallies.html",
        board=found,
        stream=f"/{lang.value}/contests/{contest_id}/tallies/stream",
    )


@router.get("/{lang}/contests/{contest_id}/tallies/stream", response_class=StreamingResponse)
async def live_results_stream(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite
) -> Response:
    """Server-sent events for the live results page: a `tally` event with a nomination's
    section (HTML in the reader's language) whenever its tally changes, comments as
    heartbeats, an `end` event after the certified figures. Who may use it: anyone."""
    found = await board(portal, contest_id)  # a 404 page now, not inside a started stream
    return StreamingResponse(
        _events(portal, request, lang, found),
        media_type="text/event-stream",
        # Proxies must pass events on as they come rather than keep or buffer them.
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    portal: Site, request: Request, lang: Language, found: Board
) -> AsyncIterator[str]:
    yield f"retry: {RECONNECT_MS}\n\n"
    standings = dict(found.standings)
    try:
        async for view in portal.tallies.follow(found.contest.definition.contest_id):
            if view is None:
                yield ": still here\n\n"
                continue
            standing = standings.get(view.nomination_code)
            if standing is None:
                continue  # not a nomination of projects: nothing of it is shown
            if any(e.application_id not in standing.projects for e in view.entries):
                standing = await _with_new_finalists(portal, found, standing)
            standings[view.nomination_code] = standing = standing.shown(view)
            section = portal.renderer.fragment(request, lang, "tally.html", standing=standing)
            data = "".join(f"data: {line}\n" for line in section.splitlines() if line.strip())
            yield f"event: tally\nid: {view.nomination_code}\n{data}\n"
        yield "event: end\ndata: certified\n\n"
    except FeedEnded:
        return  # voting's stream broke: the browser comes back after RECONNECT_MS
