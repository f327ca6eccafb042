"""Checking a receipt: anyone holding a receipt number sees what became of its vote."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import RedirectResponse, Response

from contest_portal.pages.site import CurrentSite, PageLanguage
from contest_portal.services import NotFound

router = APIRouter()

_RECEIPT = re.compile(r"^[0-9a-fA-F-]{32,40}$")


@router.get("/{lang}/receipts", response_class=Response)
async def receipt_form(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    receipt: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Where a receipt number is entered (a GET form: checking changes nothing), and the
    way on to its page. Who may use it: anyone."""
    entered = (receipt or "").strip()
    if entered and _RECEIPT.match(entered):
        return RedirectResponse(
            f"/{lang.value}/receipts/{entered.lower()}",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
    return portal.renderer.page(
        request,
        lang,
        "receipt_check.html",
        status_code=422 if entered else 200,
        error="not_a_receipt" if entered else None,
        entered=entered,
    )


@router.get("/{lang}/receipts/{receipt_id}", response_class=Response)
async def receipt_state(
    request: Request, lang: PageLanguage, receipt_id: str, portal: CurrentSite
) -> Response:
    """What became of the vote behind a receipt: counted, refused, pending or unknown. Who
    may use it: anyone holding the receipt. Kept by no cache: it changes as votes are
    counted."""
    try:
        check = await portal.services.voting.receipt(receipt_id)
    except NotFound:
        return portal.renderer.page(
            request,
            lang,
            "receipt_check.html",
            status_code=404,
            cacheable=False,
            error="not_a_receipt",
            entered=receipt_id[:64],
        )
    nomination = None
    if check.contest_id and check.nomination_code:
        try:
            contest = await portal.services.intake.contest(check.contest_id)
        except NotFound:
            contest = None
        if contest is not None:
            nomination = next(
                (n for n in contest.definition.nominations if n.code == check.nomination_code),
                None,
            )
    return portal.renderer.page(
        request,
        lang,
        "receipt.html",
        cacheable=False,
        check=check,
        nomination=nomination,
    )
