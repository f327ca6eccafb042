"""Exports of a contest for the people who run it: the results, a closed stage's ranking
sheet by sheet, the tallies, the applications and the audit log, each as CSV and XLSX, in
the reader's language. Every file is read with the person's own token, so the service
decides who may read it: a page lets in the roles that may, and a service's refusal is the
403 page. Files are the person's: `private, no-store`. The PDF documents are in
:mod:`.documents`."""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from contest_contracts.common import Language
from contest_portal import formats
from contest_portal.awards import AwardRow, award_rows, result_table
from contest_portal.pages import documents
from contest_portal.pages.documents import RANKINGS, JudgingStage, as_person, ranking_for
from contest_portal.pages.results import attachment, results_sheet
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import signed_in_with, workspace_page
from contest_portal.services.identity import SignedIn
from contest_portal.services.intake import Contest
from contest_portal.sheets import Cell, Table, csv_file, xlsx_file
from contest_runtime.tokens import Role

router = APIRouter()
router.include_router(documents.router)


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated where it is used."""
    return message


class Format(StrEnum):
    """The file formats of an export."""

    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

OFFICE = (Role.OPERATOR, Role.SECRETARY, Role.COMMISSION_SECRETARY, Role.JUROR)
"""Who has exports at all (each file narrows it)."""
RESULTS = (Role.OPERATOR, Role.SECRETARY, Role.COMMISSION_SECRETARY)
APPLICATIONS = (Role.OPERATOR, Role.SECRETARY)
"""Intake lists a secretary their region's applications, an operator all."""
AUDIT = (Role.OPERATOR,)
TALLIES = (Role.OPERATOR, Role.COMMISSION_SECRETARY)
STATUS_NAMES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "withdrawn": N_("Withdrawn"),
    "eligible": N_("Eligible"),
    "ineligible": N_("Not eligible"),
    "finalist": N_("Finalist"),
    "not_selected": N_("Not selected"),
    "awarded": N_("Awarded"),
    "not_awarded": N_("Not awarded"),
}


def _may(person: SignedIn, roles: tuple[Role, ...]) -> bool:
    return bool(set(person.roles) & {role.value for role in roles})


def _file(table_or_tables: Table | list[Table], fmt: Format, name: str) -> Response:
    """The tables as a file to keep: CSV of the first, or a workbook of them all."""
    tables = table_or_tables if isinstance(table_or_tables, list) else [table_or_tables]
    body = csv_file(tables[0]) if fmt is Format.CSV else xlsx_file(tables)
    return Response(
        body,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": attachment(f"{name}.{fmt.value}"),
        },
    )


def _names(portal: Site, lang: Language, found: Contest) -> tuple[Callable[[str], str], ...]:
    """The words of the reader's language, and nomination and region names from codes."""
    words = portal.renderer.catalogs[lang].gettext
    nominations = {n.code: n.title for n in found.definition.nominations}
    regions = {r.code: r.title for r in found.definition.regions}

    def nomination(code: str) -> str:
        title = nominations.get(code)
        return code if title is None else formats.in_language(title, lang)

    def region(code: str) -> str:
        title = regions.get(code)
        return code if title is None else formats.in_language(title, lang)

    return words, nomination, region


@router.get(
    "/{lang}/exports", response_class=Response, summary="Who may call: " + ", ".join(OFFICE)
)
async def exports_page(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*OFFICE))],
) -> Response:
    """The contests whose files the person may take. Who may use it: operators,
    secretaries, commission secretaries, jurors."""
    contests = await portal.services.intake.contests()
    return await workspace_page(request, portal, lang, person, "exports.html", contests=contests)


@router.get(
    "/{lang}/exports/contests/{contest_id}",
    response_class=Response,
    summary="Who may call: " + ", ".join(OFFICE),
)
async def contest_exports(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*OFFICE))],
) -> Response:
    """A contest's files the person may take, by what their roles allow: the results and
    the winners' diplomas, the applications, the audit log, the tallies, each closed stage's
    ranking and protocol. Who may use it: operators, secretaries, commission secretaries,
    jurors."""
    found = await portal.services.intake.contest(contest_id)
    published = await portal.services.judging.results(contest_id)
    operator = _may(person, (Role.OPERATOR,))
    regions = [
        r
        for r in found.definition.regions
        if operator or not person.region or r.code == person.region
    ]
    awards: list[AwardRow] = []
    if published is not None:
        awards = list(award_rows(result_table(published, found.definition)))
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "exports_contest.html",
        contest=found,
        published=published,
        awards=awards,
        regions=regions,
        may={
            "results": _may(person, RESULTS),
            "applications": _may(person, APPLICATIONS),
            "audit": _may(person, AUDIT),
            "tallies": _may(person, TALLIES),
            "rankings": _may(person, RANKINGS),
            "diplomas": _may(person, documents.DIPLOMAS),
        },
    )


@router.get(
    "/{lang}/exports/contests/{contest_id}/results.{fmt}",
    response_class=Response,
    summary="Who may call: " + ", ".join(RESULTS),
)
async def results_file(
    lang: PageLanguage,
    contest_id: str,
    fmt: Format,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*RESULTS))],
) -> Response:
    """The published results, one award a row (the public CSV's rows); a 404 page before
    they are published. Who may use it: operators, secretaries, commission secretaries."""
    found = await portal.services.intake.contest(contest_id)
    published = await portal.services.judging.published(contest_id)
    table = results_sheet(portal, lang, published, found.definition)
    return _file(table, fmt, f"results-{contest_id}-{lang.value}")


@router.get(
    "/{lang}/exports/contests/{contest_id}/applications.{fmt}",
    response_class=Response,
    summary="Who may call: " + ", ".join(APPLICATIONS),
)
async def applications_file(
    lang: PageLanguage,
    contest_id: str,
    fmt: Format,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*APPLICATIONS))],
) -> Response:
    """The applications intake lets the person read (a secretary's region, an operator's
    all), one a row: no IIN or BIN. Who may use it: operators, secretaries."""
    found = await portal.services.intake.contest(contest_id)
    items = await as_person(
        APPLICATIONS, portal.services.records.applications(contest_id, person.access_token)
    )
    words, nomination, region = _names(portal, lang, found)
    headings = [
        words(h)
        for h in (
            N_("Application"),
            N_("Nomination"),
            N_("Region"),
            N_("Title"),
            N_("Applicant"),
            N_("Email"),
            N_("Phone"),
            N_("Status"),
            N_("Submitted"),
            N_("Reason"),
        )
    ]
    rows: list[list[Cell]] = []
    for item in items:
        # A draft's form may hold only part (the operator's listing has drafts).
        form = item["form"]
        details = form.get("details") or {}
        applicant = form.get("applicant") or {}
        contact = form.get("contact") or {}
        title = details.get("project_title") or ", ".join(
            part for part in (applicant.get("display_name"), details.get("position")) if part
        )
        screening = item.get("screening") or {}
        rows.append(
            [
                item["application_id"],
                nomination(form["nomination_code"]),
                region(form.get("region_code") or ""),
                title,
                applicant.get("display_name"),
                contact.get("email"),
                contact.get("phone"),
                words(STATUS_NAMES.get(item["status"], item["status"])),
                item.get("submitted_at"),
                screening.get("reason"),
            ]
        )
    table = Table(words(N_("Applications")), headings, rows)
    return _file(table, fmt, f"applications-{contest_id}-{lang.value}")


@router.get(
    "/{lang}/exports/contests/{contest_id}/audit.{fmt}",
    response_class=Response,
    summary="Who may call: " + ", ".join(AUDIT),
)
async def audit_file(
    lang: PageLanguage,
    contest_id: str,
    fmt: Format,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*AUDIT))],
) -> Response:
    """Judging's audit log of the contest, oldest first, one entry a row: when, who, what,
    on what, and its details (JSON). Who may use it: operators."""
    await portal.services.intake.contest(contest_id)
    entries = await as_person(AUDIT, portal.services.records.audit(contest_id, person.access_token))
    words = portal.renderer.catalogs[lang].gettext
    headings = [
        words(h) for h in (N_("When"), N_("Who"), N_("Action"), N_("Subject"), N_("Details"))
    ]
    rows: list[list[Cell]] = [
        [
            entry["at"],
            entry["actor"],
            entry["action"],
            entry["subject"],
            json.dumps(entry.get("detail") or {}, ensure_ascii=False, sort_keys=True),
        ]
        for entry in entries
    ]
    return _file(Table(words(N_("Audit log")), headings, rows), fmt, f"audit-{contest_id}")


@router.get(
    "/{lang}/exports/contests/{contest_id}/tallies.{fmt}",
    response_class=Response,
    summary="Who may call: " + ", ".join(TALLIES),
)
async def tallies_file(
    lang: PageLanguage,
    contest_id: str,
    fmt: Format,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*TALLIES))],
) -> Response:
    """Each nomination's tally as voting publishes it (the contest's visibility: votes
    only where it shows them), one finalist a row. Who may use it: operators, commission
    secretaries."""
    found = await portal.services.intake.contest(contest_id)
    views = await portal.services.voting.tallies(contest_id)
    words, nomination, _ = _names(portal, lang, found)
    titles: dict[str, str] = {}
    for view in views:
        ids = {entry.application_id for entry in view.entries}
        for project in await portal.services.intake.projects(contest_id, view.nomination_code, ids):
            titles[project.application_id] = project.title
    headings = [
        words(h)
        for h in (
            N_("Nomination"),
            N_("Rank"),
            N_("Application"),
            N_("Title"),
            N_("Votes"),
            N_("Certified"),
            N_("Counted at"),
        )
    ]
    rows: list[list[Cell]] = [
        [
            nomination(view.nomination_code),
            entry.rank,
            entry.application_id,
            titles.get(entry.application_id, ""),
            entry.votes,
            words(N_("Yes") if view.certified else N_("No")),
            view.as_of.isoformat(),
        ]
        for view in views
        for entry in sorted(view.entries, key=lambda e: (e.rank or 0, e.application_id))
    ]
    return _file(Table(words(N_("Tallies")), headings, rows), fmt, f"tallies-{contest_id}")


@router.get(
    "/{lang}/exports/contests/{contest_id}/rankings/{stage}.{fmt}",
    response_class=Response,
    summary="Who may call: " + ", ".join(RANKINGS) + " (judging: the commission's members)",
)
async def ranking_file(
    lang: PageLanguage,
    contest_id: str,
    stage: JudgingStage,
    fmt: Format,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*RANKINGS))],
    nomination: Annotated[str, Query(max_length=64)],
    region: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """A closed stage's ranking of a nomination (and region, at the regional stage), sheet
    by sheet: the ranking (XLSX's first sheet) and every juror's sheet with its scores per
    criterion, total and counted value (the CSV, and the second sheet). A 404 page before
    the stage closes or for a nomination or region it has no ranking of. Who may use it:
    operators, and the members of the commission that judged it."""
    found = await portal.services.intake.contest(contest_id)
    ranking = await ranking_for(portal, person, contest_id, stage, nomination, region)
    words = portal.renderer.catalogs[lang].gettext
    rubric = next((n.rubric for n in found.definition.nominations if n.code == nomination), [])
    criteria = [c.code for c in rubric]
    for entry in ranking.entries:
        for value in entry.sheet_values:
            criteria += [code for code in value.scores if code not in criteria]
    criterion_titles = {c.code: formats.in_language(c.title, lang) for c in rubric}
    standings = Table(
        words(N_("Ranking")),
        [
            words(h)
            for h in (
                N_("Rank"),
                N_("Application"),
                N_("Title"),
                N_("Score"),
                N_("Sheets"),
                N_("Missing sheets"),
            )
        ],
        [
            [e.rank, e.application_id, e.title, e.score, e.sheets, e.missing_sheets]
            for e in ranking.entries
        ],
    )
    sheets = Table(
        words(N_("Sheets")),
        [words(h) for h in (N_("Rank"), N_("Application"), N_("Title"), N_("Juror"))]
        + [criterion_titles.get(code, code) for code in criteria]
        + [words(h) for h in (N_("Weighted total"), N_("Counted"), N_("Comment"))],
        [
            _sheet_row(e.rank, e.application_id, e.title, value.juror_id)
            + [value.scores.get(code) for code in criteria]
            + _sheet_row(value.weighted_total, value.counted, value.comment)
            for e in ranking.entries
            for value in e.sheet_values
        ],
    )
    name = f"ranking-{contest_id}-{stage.value}-{nomination}" + (f"-{region}" if region else "")
    return _file([sheets, standings] if fmt is Format.CSV else [standings, sheets], fmt, name)


def _sheet_row(*cells: Cell) -> list[Cell]:
    return list(cells)
