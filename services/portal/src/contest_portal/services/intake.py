"""What the portal reads from intake: contests and the public gallery."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, TypeAdapter

from contest_contracts.events.contest import ContestDefinition
from contest_portal.services.calls import NotFound, get_json

GALLERY_PAGE = 200
"""The largest page intake gives (its `limit` is at most 200)."""

QUERY_MAX_LENGTH = 100
"""The longest search of the gallery intake takes (its `q`)."""

PROJECT_SEARCH_PAGES = 25
"""How many gallery pages of one nomination and region are read to find one project:
intake has no route for a single public project (see the README)."""


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Contest(_Read):
    """A contest as intake shows it to anyone."""

    definition: ContestDefinition
    revision: int
    submission_closed_at: datetime | None = None


class Project(_Read):
    """A project's public card: public fields only (intake masks identifiers in texts)."""

    application_id: str
    nomination_code: str
    region_code: str
    title: str
    author: str
    summary: str
    target_group: str
    beneficiaries_reached: int
    budget_tenge: int
    period_start: date
    period_end: date | None = None


class GalleryPage(_Read):
    """One page of the exhibition and where the next one starts."""

    items: list[Project]
    next_after: str | None = None


_CONTESTS = TypeAdapter(list[Contest])


class IntakeReader:
    """Intake's public routes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def contests(self) -> list[Contest]:
        """Every contest."""
        return _CONTESTS.validate_python(await get_json(self.client, "intake", "/contests"))

    async def contest(self, contest_id: str) -> Contest:
        """One contest; :class:`NotFound` when intake knows none of that id."""
        path = f"/contests/{_segment(contest_id)}"
        return Contest.model_validate(await get_json(self.client, "intake", path))

    async def gallery(
        self,
        contest_id: str,
        *,
        nomination: str | None = None,
        region: str | None = None,
        words: str | None = None,
        after: str | None = None,
        limit: int = 24,
    ) -> GalleryPage:
        """A page of the exhibition, oldest first, filtered by nomination and region, and
        searched for ``words`` in titles and authors' names (at most
        :data:`QUERY_MAX_LENGTH` characters: intake refuses longer)."""
        params = {
            key: value
            for key, value in (
                ("nomination", nomination),
                ("region", region),
                ("q", words),
                ("after", after),
                ("limit", limit),
            )
            if value is not None
        }
        path = f"/contests/{_segment(contest_id)}/gallery"
        return GalleryPage.model_validate(await get_json(self.client, "intake", path, params))

    async def project(
        self, contest_id: str, nomination: str, region: str, application_id: str
    ) -> Project:
        """One project of the exhibition, found among its nomination and region's projects;
        :class:`NotFound` when it is not shown there."""
        after: str | None = None
        for _ in range(PROJECT_SEARCH_PAGES):
            page = await self.gallery(
                contest_id, nomination=nomination, region=region, after=after, limit=GALLERY_PAGE
            )
            for project in page.items:
                if project.application_id == application_id:
                    return project
            if page.next_after is None:
                break
            after = page.next_after
        raise NotFound(application_id)

    async def projects(
        self, contest_id: str, nomination: str, application_ids: set[str]
    ) -> list[Project]:
        """The projects of a nomination among ``application_ids`` (a vote's choices), read
        from its gallery pages; those not shown there are left out."""
        found: list[Project] = []
        after: str | None = None
        for _ in range(PROJECT_SEARCH_PAGES):
            page = await self.gallery(
                contest_id, nomination=nomination, after=after, limit=GALLERY_PAGE
            )
            found += [p for p in page.items if p.application_id in application_ids]
            if page.next_after is None or len(found) == len(application_ids):
                break
            after = page.next_after
        return found


def _segment(value: str) -> str:
    """A path segment, with everything but unreserved characters escaped."""
    return quote(value, safe="")
