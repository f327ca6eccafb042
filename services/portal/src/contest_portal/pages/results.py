"""The results of a contest: the page (printable) and the same as a spreadsheet file."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response

from contest_contracts.common import Language, StageKind
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import ResultsPublished
from contest_portal import formats
from contest_portal.awards import AwardKind, NominationAwards, award_table, result_table
from contest_portal.pages.rendering import revalidated
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.services import NotFound
from contest_portal.services.intake import Contest
from contest_portal.sheets import Table, csv_file

router = APIRouter()


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated where it is used."""
    return message


HEADINGS = (
    N_("Nomination"),
    N_("Award"),
    N_("Place or rank"),
    N_("Title"),
    N_("Name"),
    N_("Region"),
    N_("Score"),
    N_("Votes"),
    N_("Grant, tenge"),
    N_("Reason"),
)
"""The columns of the results file, in the reader's language."""

KIND_NAMES = {
    AwardKind.PLACE: N_("Place"),
    AwardKind.SPECIAL_PRIZE: N_("Special prize of the commission"),
    AwardKind.PEOPLES_CHOICE: N_("People's choice"),
}


async def _contest_and_results(
    portal: Site, contest_id: str
) -> tuple[Contest, ResultsPublished | None]:
    """The contest (:class:`NotFound` if intake knows none) and its results, None before
    they are published; a service that does not answer is a 503 page."""

    async def published() -> ResultsPublished | None:
        try:
            return await portal.services.judging.published(contest_id)
        except NotFound:
            return None

    return await asyncio.gather(portal.services.intake.contest(contest_id), published())


@router.get("/{lang}/contests/{contest_id}/results", response_class=Response)
async def results(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite
) -> Response:
    """The published results: places (shared ones as such), special prizes with the
    commission's reasons, the people's choice with its certified votes, the grants. Before
    they are published, a page that says so. Who may use it: anyone."""
    found, published = await _contest_and_results(portal, contest_id)
    definition = found.definition
    return portal.renderer.page(
        request,
        lang,
        "results.html",
        contest=found,
        definition=definition,
        table=None if published is None else result_table(published, definition),
        regions={r.code: r.title for r in definition.regions},
        awards_stage=next((s for s in definition.stages if s.stage is StageKind.AWARDS), None),
    )


@router.get("/{lang}/contests/{contest_id}/results.csv", response_class=Response)
async def results_csv(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite
) -> Response:
    """The published results as a CSV file, one award a row, headings in the reader's
    language; a 404 page before they are published. Who may use it: anyone."""
    found, published = await _contest_and_results(portal, contest_id)
    if published is None:
        raise NotFound(contest_id)
    body = csv_file(results_sheet(portal, lang, published, found.definition))
    return revalidated(
        request,
        body,
        f"public, max-age={portal.renderer.max_age_s}",
        200,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _attachment(contest_id, lang)},
    )


def results_sheet(
    portal: Site, lang: Language, published: ResultsPublished, definition: ContestDefinition
) -> Table:
    """The published results as one table in the reader's language, one award a row (the
    public CSV's and the workbook's)."""
    words = portal.renderer.catalogs[lang]
    regions = {r.code: r.title for r in definition.regions}

    def nomination_name(nomination: NominationAwards) -> str:
        title = nomination.title
        return nomination.code if title is None else formats.in_language(title, lang)

    def region_name(code: str) -> str:
        title = regions.get(code)
        return code if title is None else formats.in_language(title, lang)

    return award_table(
        result_table(published, definition),
        words.gettext(N_("Results")),
        [words.gettext(heading) for heading in HEADINGS],
        lambda kind: words.gettext(KIND_NAMES[kind]),
        nomination_name,
        region_name,
    )


def _attachment(contest_id: str, language: Language) -> str:
    """`Content-Disposition` of the results file."""
    return attachment(f"results-{contest_id}-{language.value}.csv")


def attachment(name: str) -> str:
    """`Content-Disposition` of a file to keep, named ``name`` with only characters that
    need no quoting (a name holds the caller's ids, and it reaches a header)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(safe)}"
