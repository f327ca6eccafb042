"""What the workspaces' exports and documents read, always with the signed-in person's
token, so that each service decides who may read what: intake's applications (a
secretary's region, an operator's all) and one application (a winner's language), judging's
audit log, a closed stage's ranking sheet by sheet and the commissions (and the operator's
commission put), intake's changes of the vote's visibility. A 401 or 403 is
:class:`~.calls.Refused`; an answer of a service to a person is never shared (:mod:`.recent`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict

from contest_contracts.common import Language
from contest_portal.services.calls import NotFound, Refused, get_json, send_json

APPLICATIONS_PAGE = 500
"""Intake's largest page of applications."""
AUDIT_PAGE = 1000
"""Judging's largest page of the audit log."""


class _Read(BaseModel):
    model_config = ConfigDict(extra="ignore")


class SheetValue(_Read):
    """How one juror's sheet counts in an entry's score."""

    juror_id: str
    scores: dict[str, int]
    comment: str
    weighted_total: float
    counted: float


class RankedEntry(_Read):
    """One line of a closed stage's ranking."""

    rank: int
    application_id: str
    title: str
    score: float
    sheets: int
    missing_sheets: int
    sheet_values: list[SheetValue]


class Ranking(_Read):
    """A closed stage's ranking of one nomination (and region)."""

    nomination_code: str
    region_code: str | None
    normalised: bool
    closed_at: datetime | None = None
    entries: list[RankedEntry]


class Member(_Read):
    """A member of a commission."""

    juror_id: str
    name: str
    role: str
    organisation_bin: str | None = None


class Commission(_Read):
    """A commission of a contest, at a level (and region)."""

    level: str
    region_code: str | None = None
    members: list[Member]
    updated_at: datetime | None = None
    updated_by: str | None = None


def _segment(value: str) -> str:
    return quote(value, safe="")


class Records:
    """The readers, on the portal's pooled clients of intake and judging."""

    def __init__(self, intake: httpx.AsyncClient, judging: httpx.AsyncClient) -> None:
        self.intake, self.judging = intake, judging

    async def applications(self, contest_id: str, token: str) -> list[dict[str, Any]]:
        """Every application of the contest the person may read (intake's pages, in its
        order)."""
        found: list[dict[str, Any]] = []
        after: str | None = None
        path = f"/contests/{_segment(contest_id)}/applications"
        while True:
            params: dict[str, Any] = {"limit": APPLICATIONS_PAGE}
            if after:
                params["after"] = after
            page = await get_json(self.intake, "intake", path, params, token=token)
            found += page["items"]
            after = page.get("next_after")
            if not after:
                return found

    async def language_of(self, application_id: str, token: str) -> Language:
        """The language the applicant chose for what they are sent."""
        path = f"/applications/{_segment(application_id)}"
        application = await get_json(self.intake, "intake", path, token=token)
        return Language(application["form"]["contact"]["language"])

    async def audit(self, contest_id: str, token: str) -> list[dict[str, Any]]:
        """Judging's audit log of the contest, oldest first, every page of it."""
        found: list[dict[str, Any]] = []
        path = f"/contests/{_segment(contest_id)}/audit"
        while True:
            params: dict[str, Any] = {"limit": AUDIT_PAGE}
            if found:
                params["after"] = found[-1]["entry_id"]
            page = await get_json(self.judging, "judging", path, params, token=token)
            found += page
            if len(page) < AUDIT_PAGE:
                return found

    async def ranking(
        self, contest_id: str, stage: str, nomination: str, region: str | None, token: str
    ) -> Ranking:
        """A closed stage's ranking, sheet by sheet; :class:`NotFound` for one judging has
        not (yet) made: the stage not closed, or no such nomination or region."""
        path = f"/contests/{_segment(contest_id)}/stages/{_segment(stage)}/rankings"
        params = {"nomination": nomination, **({"region": region} if region else {})}
        try:
            body = await get_json(self.judging, "judging", path, params, token=token)
        except Refused as refused:
            if refused.code == "scores_sealed":
                raise NotFound(path) from refused  # not there until the stage closes
            raise
        return Ranking.model_validate(body)

    async def commissions(self, contest_id: str, token: str) -> list[Commission]:
        """The contest's commissions with their members."""
        path = f"/contests/{_segment(contest_id)}/commissions"
        body = await get_json(self.judging, "judging", path, token=token)
        return [Commission.model_validate(item) for item in body]

    async def put_commission(self, contest_id: str, form: dict[str, Any], token: str) -> Commission:
        """Create or replace the commission of ``form``'s level and region (judging's
        `CommissionForm`). :class:`Refused` with judging's fields (`validation_failed`,
        `unknown_region`) otherwise."""
        path = f"/contests/{_segment(contest_id)}/commissions"
        answer = await send_json(self.judging, "judging", "PUT", path, form, token=token)
        return Commission.model_validate(answer)

    async def visibility_changes(self, contest_id: str, token: str) -> list[dict[str, Any]]:
        """Intake's audit of the contest: its vote's visibility changes, oldest first."""
        path = f"/contests/{_segment(contest_id)}/audit"
        found: list[dict[str, Any]] = await get_json(self.intake, "intake", path, token=token)
        return found
