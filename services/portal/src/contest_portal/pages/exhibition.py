"""The exhibition: every project in competition, filtered and paged, and a project's card."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from contest_contracts.common import NominationKind
from contest_contracts.events.contest import ContestDefinition
from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.services import NotFound
from contest_portal.services.intake import QUERY_MAX_LENGTH, GalleryPage

router = APIRouter()


def _known(code: str | None, codes: set[str]) -> str | None:
    """A filter value the contest has; anything else is no filter."""
    return code if code in codes else None


def _project_nominations(definition: ContestDefinition) -> list[object]:
    return [n for n in definition.nominations if n.kind is NominationKind.PROJECT]


@router.get("/{lang}/contests/{contest_id}/exhibition", response_class=Response)
async def exhibition(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    nomination: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=64)] = None,
    q: str | None = None,
    after: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    """A page of the exhibition, by nomination and region, searched by words of a title or
    an author's name. Who may use it: anyone."""
    intake = portal.services.intake
    found = await intake.contest(contest_id)
    definition = found.definition
    nominations = _project_nominations(definition)
    nomination = _known(nomination, {n.code for n in definition.nominations})
    region = _known(region, {r.code for r in definition.regions})
    words = " ".join((q or "").split())  # what a person typed, spaces tidied
    too_long = len(words) > QUERY_MAX_LENGTH
    if too_long:
        # Said at the field, as a form's refusal is; nothing is asked of intake.
        page = GalleryPage(items=[])
    else:
        page = await intake.gallery(
            contest_id,
            nomination=nomination,
            region=region,
            words=words or None,
            after=after or None,
            limit=portal.exhibition_page_size,
        )
    return portal.renderer.page(
        request,
        lang,
        "exhibition.html",
        status_code=422 if too_long else 200,
        cacheable=not too_long,
        words=words,
        too_long=too_long,
        longest=QUERY_MAX_LENGTH,
        contest=found,
        definition=definition,
        nominations=nominations,
        chosen_nomination=nomination,
        chosen_region=region,
        after=after,
        page=page,
        titles=_titles(definition),
    )


@router.get(
    "/{lang}/contests/{contest_id}/exhibition/{nomination}/{region}/{application_id}",
    response_class=Response,
)
async def project(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    nomination: str,
    region: str,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """One project's card. Who may use it: anyone."""
    intake = portal.services.intake
    found = await intake.contest(contest_id)
    definition = found.definition
    if nomination not in {n.code for n in definition.nominations} or region not in {
        r.code for r in definition.regions
    }:
        raise NotFound(application_id)
    shown = await intake.project(contest_id, nomination, region, application_id)
    return portal.renderer.page(
        request,
        lang,
        "project.html",
        contest=found,
        definition=definition,
        project=shown,
        titles=_titles(definition),
    )


def _titles(definition: ContestDefinition) -> dict[str, object]:
    """Nominations' and regions' titles by code (codes of both never clash in one map's use:
    a template asks for `titles.nominations[code]` or `titles.regions[code]`)."""
    return {
        "nominations": {n.code: n.title for n in definition.nominations},
        "regions": {r.code: r.title for r in definition.regions},
    }
