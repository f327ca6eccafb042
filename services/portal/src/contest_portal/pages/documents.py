"""The documents of a contest as PDF: the commission's protocol of a stage close, a winner's
diploma in the winner's language with a QR code, and the public page that QR code leads to
(an award exists, for whom, which place: what the results page shows).

The PDFs are read with the person's own token (the service decides; its refusal is the 403
page) and are the person's (`private, no-store`). Without the documents' font on the
machine they are a 503 page that says so (:mod:`contest_portal.documents`)."""

from __future__ import annotations

from collections.abc import Awaitable
from enum import StrEnum
from typing import Annotated, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from contest_contracts.common import Language
from contest_portal import formats
from contest_portal.awards import AwardKind, AwardRow, find_award, result_table
from contest_portal.documents import (
    FontMissing,
    ProtocolLine,
    Signatory,
    Words,
    diploma_pdf,
    fonts_present,
    protocol_pdf,
)
from contest_portal.pages.results import attachment
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import NotAllowed, signed_in_with
from contest_portal.services import NotFound, Refused
from contest_portal.services.identity import SignedIn
from contest_portal.services.records import Ranking
from contest_runtime.tokens import Role

router = APIRouter()

T = TypeVar("T")


def N_(message: str) -> str:
    """Marks a message for the catalogs; it is translated where it is used."""
    return message


class JudgingStage(StrEnum):
    """The stages a commission ranks."""

    REGIONAL = "regional"
    REPUBLICAN = "republican"


RANKINGS = (Role.OPERATOR, Role.COMMISSION_SECRETARY, Role.JUROR)
"""Judging shows a ranking to operators and the members of the commission that made it."""
DIPLOMAS = (Role.OPERATOR, Role.SECRETARY)
"""A diploma is in its winner's language, which intake shows an operator and the region's
secretary."""

STAGE_NAMES = {
    JudgingStage.REGIONAL: N_("Regional stage"),
    JudgingStage.REPUBLICAN: N_("Republican stage"),
}
MEMBER_PARTS = {
    "chair": N_("Chair"),
    "member": N_("Member"),
    "secretary": N_("Secretary of the commission"),
}
PLACE = N_("%(place)s place")


async def as_person(roles: tuple[Role, ...], read: Awaitable[T]) -> T:
    """What a service answers the person; its refusal (401, 403) is the 403 page."""
    try:
        return await read
    except Refused as refused:
        raise NotAllowed(roles) from refused


async def ranking_for(
    portal: Site,
    person: SignedIn,
    contest_id: str,
    stage: JudgingStage,
    nomination: str,
    region: str | None,
) -> Ranking:
    """The ranking judging shows the person: a regional one names its region, a republican
    one none (otherwise there is no such ranking: a 404 page)."""
    if (stage is JudgingStage.REGIONAL) != bool(region):
        raise NotFound(nomination)
    return await as_person(
        RANKINGS,
        portal.services.records.ranking(
            contest_id, stage.value, nomination, region, person.access_token
        ),
    )


def _pdf(body: bytes, name: str) -> Response:
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": attachment(f"{name}.pdf"),
        },
    )


def _fonts_or_refuse(portal: Site) -> None:
    """Before anything is read: without the font no document can be made."""
    if not fonts_present(portal.document_fonts):
        raise FontMissing(str(portal.document_fonts))


@router.get(
    "/{lang}/exports/contests/{contest_id}/protocols/{stage}.pdf",
    response_class=Response,
    summary="Who may call: operator, commission_secretary, juror (judging: the commission's "
    "members)",
)
async def protocol(
    lang: PageLanguage,
    contest_id: str,
    stage: JudgingStage,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*RANKINGS))],
    nomination: Annotated[str, Query(max_length=64)],
    region: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The commission's protocol of a stage close in the reader's language: the nomination
    (and region), when the stage closed, the members with their parts, the ranking, a line
    to sign for each member. A 404 page before the stage closes. Who may use it: operators,
    and the members of the commission that judged it."""
    _fonts_or_refuse(portal)
    found = await portal.services.intake.contest(contest_id)
    ranking = await ranking_for(portal, person, contest_id, stage, nomination, region)
    commissions = await as_person(
        RANKINGS, portal.services.records.commissions(contest_id, person.access_token)
    )
    level = "regional" if stage is JudgingStage.REGIONAL else "republican"
    commission = next(
        (c for c in commissions if c.level == level and c.region_code == region), None
    )
    words = portal.renderer.catalogs[lang].gettext
    definition = found.definition
    nominations = {n.code: n.title for n in definition.nominations}
    regions = {r.code: r.title for r in definition.regions}
    order = {"chair": 0, "member": 1, "secretary": 2}
    members = sorted(commission.members if commission else [], key=lambda m: order.get(m.role, 1))
    body = protocol_pdf(
        portal.document_fonts,
        lang,
        words,
        contest=formats.in_language(definition.title, lang),
        stage=words(STAGE_NAMES[stage]),
        nomination=formats.in_language(nominations[nomination], lang)
        if nomination in nominations
        else nomination,
        region=(formats.in_language(regions[region], lang) if region in regions else region)
        if region
        else None,
        closed_at=ranking.closed_at,
        members=[Signatory(m.name, words(MEMBER_PARTS.get(m.role, m.role))) for m in members],
        ranking=[ProtocolLine(e.rank, e.title, e.score, e.sheets) for e in ranking.entries],
    )
    name = f"protocol-{contest_id}-{stage.value}-{nomination}" + (f"-{region}" if region else "")
    return _pdf(body, f"{name}-{lang.value}")


def award_name(words: Words, row: AwardRow) -> str:
    """What the award is, in the words of ``words``' language."""
    if row.kind is AwardKind.PLACE:
        return words(PLACE) % {"place": row.standing}
    if row.kind is AwardKind.SPECIAL_PRIZE:
        return words(N_("Special prize of the commission"))
    return words(N_("People's choice"))


def verify_url(
    portal: Site, request: Request, lang: Language, contest_id: str, row: AwardRow
) -> str:
    """The public address that confirms an award (the diploma's QR code)."""
    base = (portal.public_url or str(request.base_url)).rstrip("/")
    return (
        f"{base}/{lang.value}/contests/{_segment(contest_id)}/results/verify/"
        f"{row.kind.value}/{_segment(row.application_id)}"
    )


def _segment(value: str) -> str:
    return quote(value, safe="")


@router.get(
    "/{lang}/exports/contests/{contest_id}/diplomas/{kind}/{application_id}.pdf",
    response_class=Response,
    summary="Who may call: operator, secretary (intake: the winner's region)",
)
async def diploma(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    kind: AwardKind,
    application_id: str,
    portal: CurrentSite,
    person: Annotated[SignedIn, Depends(signed_in_with(*DIPLOMAS))],
) -> Response:
    """A winner's diploma, in the language the winner chose in their application (the
    reader's only when intake does not say): the contest, the award, the winner and what
    won, the date of the results, and a QR code of the award's public verification page.
    A 404 page for an award the published results do not hold. Who may use it: operators,
    and the winner's region's secretary."""
    _fonts_or_refuse(portal)
    found = await portal.services.intake.contest(contest_id)
    published = await portal.services.judging.published(contest_id)
    row = find_award(result_table(published, found.definition), kind, application_id)
    if row is None:
        raise NotFound(application_id)
    language = await as_person(
        DIPLOMAS, portal.services.records.language_of(application_id, person.access_token)
    )
    words = portal.renderer.catalogs[language].gettext
    nomination = row.nomination
    body = diploma_pdf(
        portal.document_fonts,
        language,
        words,
        contest=formats.in_language(found.definition.title, language),
        award=award_name(words, row),
        nomination=nomination.code
        if nomination.title is None
        else formats.in_language(nomination.title, language),
        winner=row.display_name,
        title=row.title,
        published_at=published.published_at,
        verify_url=verify_url(portal, request, language, contest_id, row),
    )
    return _pdf(body, f"diploma-{contest_id}-{kind.value}-{application_id}-{language.value}")


@router.get(
    "/{lang}/contests/{contest_id}/results/verify/{kind}/{application_id}",
    response_class=Response,
    summary="Who may call: anyone",
)
async def verified_award(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    kind: AwardKind,
    application_id: str,
    portal: CurrentSite,
) -> Response:
    """The public confirmation of an award (a diploma's QR code leads here): the contest,
    the nomination, the award, the winner's title and name (and region for a place), as the
    results page shows them. A 404 page for an award the published results do not hold.
    Who may use it: anyone."""
    found = await portal.services.intake.contest(contest_id)
    published = await portal.services.judging.published(contest_id)
    row = find_award(result_table(published, found.definition), kind, application_id)
    if row is None:
        raise NotFound(application_id)
    words = portal.renderer.catalogs[lang].gettext
    return portal.renderer.page(
        request,
        lang,
        "award_verified.html",
        contest=found,
        row=row,
        award=award_name(words, row),
        published=published,
        regions={r.code: r.title for r in found.definition.regions},
    )
