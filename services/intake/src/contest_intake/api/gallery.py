"""The public gallery ("exhibition") of submitted projects: public fields only.

Built field by field from an allow-list, so that the applicant's IIN, BIN, phone and email
fields never appear here, whatever is added to applications later; identifiers, phones and
emails written into the public texts themselves are masked (``domain.disclosure``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from contest_contracts.common import NominationKind
from contest_contracts.events.applications import ProjectDetails
from contest_intake.api.access import office
from contest_intake.domain.applications import IN_COMPETITION, Application
from contest_intake.domain.disclosure import masked
from contest_intake.office import IntakeOffice
from contest_intake.store.applications import ApplicationFilter
from contest_runtime.openapi import problems

router = APIRouter(tags=["gallery"])

Office = Annotated[IntakeOffice, Depends(office)]

QUERY_MAX_LENGTH = 100
"""The longest text query: longer is no search anyone types, and bounds the store's work."""


class GalleryProject(BaseModel):
    """A project as the public sees it."""

    application_id: str = Field(description="Application id (the vote and results use it).")
    nomination_code: str = Field(description="Nomination.")
    region_code: str = Field(description="Region.")
    title: str = Field(description="Project title.")
    author: str = Field(description="Public name of the person or organisation.")
    summary: str = Field(description="What the project does.")
    target_group: str = Field(description="Who it serves.")
    beneficiaries_reached: int = Field(description="People reached.")
    budget_tenge: int = Field(description="Budget, tenge.")
    period_start: date = Field(description="First day.")
    period_end: date | None = Field(description="Last day; null if ongoing.")

    @classmethod
    def of(cls, application: Application) -> GalleryProject:
        """The public fields of a project application."""
        form = application.complete
        details = form.details
        assert isinstance(details, ProjectDetails)
        return cls(
            application_id=application.application_id,
            nomination_code=form.nomination_code,
            region_code=form.region_code,
            title=masked(details.project_title),
            author=masked(form.applicant.display_name),
            summary=masked(details.summary),
            target_group=masked(details.target_group),
            beneficiaries_reached=details.beneficiaries_reached,
            budget_tenge=details.budget_tenge,
            period_start=details.period_start,
            period_end=details.period_end,
        )


class GalleryPage(BaseModel):
    """One page of the gallery."""

    items: list[GalleryProject] = Field(description="Projects, oldest first.")
    next_after: str | None = Field(description="Pass as `after` for the next page.")


@router.get(
    "/contests/{contest_id}/gallery",
    responses=problems(404, 422),
    summary="Submitted projects, public fields only, filtered and searched. Who may call: anyone.",
)
async def gallery(
    contest_id: str,
    intake: Office,
    nomination: Annotated[str | None, Query(description="Nomination code.")] = None,
    region: Annotated[str | None, Query(description="Region code.")] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=QUERY_MAX_LENGTH,
            description="Words the project's title or its author's public name contain, in "
            "any case (taken literally; spaces at either end ignored).",
        ),
    ] = None,
    after: Annotated[str | None, Query(description="`next_after` of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Page size.")] = 50,
) -> GalleryPage:
    await intake.contest(contest_id)
    text = q.strip() if q is not None else None
    items, next_after = await intake.applications.page(
        ApplicationFilter(
            contest_id,
            region_code=region,
            nomination_code=nomination,
            nomination_kind=NominationKind.PROJECT,
            statuses=IN_COMPETITION,
            text=text or None,
        ),
        after=after,
        limit=limit,
    )
    return GalleryPage(items=[GalleryProject.of(a) for a in items], next_after=next_after)
