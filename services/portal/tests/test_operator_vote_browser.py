"""The operator's control of the public vote in Chromium against the real services: an
invalidation previewed (voting's tally and audit unchanged), refused in words when its
fields are wrong, then confirmed (the tally drops the ballots, the audit says who, when,
why), and the vote closed; an anonymous browser sent to sign in, other roles refused."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from playwright.async_api import Browser
from signed_in_platform import (
    APPLICANT,
    COMMISSION_SECRETARY,
    JUROR,
    OPERATOR,
    SECRETARY,
    SignInSite,
    sign_in,
)

from contest_local.gallery_vote import open_gallery_vote
from contest_runtime.auth import Role, mint
from contest_voting.domain.voters import voter_key, voter_token

pytestmark = pytest.mark.asyncio(loop_scope="session")

NOMINATION = "social-project"
SCHEME = "Номера одной SIM-фермы"


def _phone() -> str:
    return f"+7701{uuid.uuid4().int % 10**7:07d}"


async def _vote(site: SignInSite, contest_id: str, phone: str, application_id: str) -> None:
    """A vote cast at voting's API by a voter whose token the fixture makes."""
    key_secret, token_secret = site.voter_secrets
    token = voter_token(voter_key(phone, key_secret.encode()), token_secret, timedelta(minutes=5))
    async with httpx.AsyncClient(base_url=site.services["voting"], timeout=10) as voting:
        cast = await voting.post(
            f"/contests/{contest_id}/votes",
            json={"nomination_code": NOMINATION, "application_id": application_id},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert cast.status_code == 202, cast.text


async def _tally(site: SignInSite, contest_id: str) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=site.services["voting"], timeout=10) as voting:
        views = (await voting.get(f"/contests/{contest_id}/tallies")).json()
    return {e["application_id"]: e["votes"] for v in views for e in v["entries"] if e["votes"]}


async def _until_tally(site: SignInSite, contest_id: str, expected: dict[str, int]) -> None:
    for _ in range(150):
        if await _tally(site, contest_id) == expected:
            return
        await asyncio.sleep(0.2)
    assert await _tally(site, contest_id) == expected


async def _audit(site: SignInSite, contest_id: str) -> list[dict[str, Any]]:
    token = mint(site.auth, subject="auditor", roles=[Role.OPERATOR])
    async with httpx.AsyncClient(base_url=site.services["voting"], timeout=10) as voting:
        answer = await voting.get(
            f"/contests/{contest_id}/invalidations", headers={"Authorization": f"Bearer {token}"}
        )
    audit: list[dict[str, Any]] = answer.json()
    return audit


async def test_the_operator_previews_an_invalidation_confirms_it_and_closes_the_vote(
    signin_site: SignInSite,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    site = signin_site
    contest_id, choices = await asyncio.to_thread(
        open_gallery_vote,
        site.services["intake"],
        site.services["voting"],
        site.auth,
        {(NOMINATION, "KZ-71"): 2},
        23,
    )
    first, second = (c["application_id"] for c in choices[NOMINATION])
    schemer = _phone()
    await _vote(site, contest_id, schemer, first)
    await _vote(site, contest_id, _phone(), first)
    await _vote(site, contest_id, _phone(), second)
    await _until_tally(site, contest_id, {first: 2, second: 1})

    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    csp_watch(page)
    await sign_in(page, site, "ru", OPERATOR)
    vote_path = f"/ru/operator/contests/{contest_id}/vote"
    await page.goto(f"{site.portal}/ru/operator/contests/{contest_id}")
    await page.click(f"a[href='{vote_path}']")
    await page.wait_for_url(f"{site.portal}{vote_path}")
    assert "Открыто" in await page.inner_text("#vote-state")
    await _shots(page, scan, screenshots, "operator-vote", vote_path.removeprefix("/ru"))
    await page.goto(f"{site.portal}{vote_path}")

    # Wrong fields: refused in words by each field, what was typed kept.
    await page.fill("#reason", "x")
    await page.check("#kind-window")
    await page.fill("#cast_from", "2025-10-20T18:00")
    await page.fill("#client_network", "10.0.0.0/99")
    await page.click("form[action$='/preview'] button")
    await page.wait_for_selector(".error-summary")
    assert await page.locator("#reason-error").count() == 1
    assert await page.locator("#cast_until-error").count() == 1
    assert await page.locator("#client_network-error").count() == 1
    assert await page.input_value("#client_network") == "10.0.0.0/99"
    assert await page.get_attribute("#reason", "aria-invalid") == "true"
    await scan(page, "ru", screenshots / "operator-vote-refused-ru-1280.png")

    # The preview: what would go, and nothing changes in voting.
    await page.fill("#reason", SCHEME)
    await page.check("#kind-voter")
    await page.fill("#phone", schemer)
    await page.click("form[action$='/preview'] button")
    await page.wait_for_selector("#preview")
    shown = await page.inner_text("#preview")
    assert first in shown and "1" in shown, shown
    await page.set_viewport_size({"width": 360, "height": 900})
    await scan(page, "ru", screenshots / "operator-vote-preview-ru-360.png")
    await page.set_viewport_size({"width": 1280, "height": 900})
    await scan(page, "ru", screenshots / "operator-vote-preview-ru-1280.png")
    await asyncio.sleep(1)
    assert await _tally(site, contest_id) == {first: 2, second: 1}
    assert await _audit(site, contest_id) == []

    # Confirmed: the tally drops the ballot, the audit says who, when and why.
    await page.click("#confirm")
    await page.wait_for_url(f"{site.portal}{vote_path}?done=invalidated")
    await _until_tally(site, contest_id, {first: 1, second: 1})
    (record,) = await _audit(site, contest_id)
    assert record["reason"] == SCHEME and record["ballots_invalidated"] == {NOMINATION: 1}
    listed = await page.inner_text("#invalidations + ul")
    assert SCHEME in listed and record["by"] in listed

    # Closed: voting takes no more votes.
    await page.click("form[action$='/vote/close'] button")
    await page.wait_for_url(f"{site.portal}{vote_path}?done=closed")
    async with httpx.AsyncClient(base_url=site.services["voting"], timeout=10) as voting:
        state = (await voting.get(f"/contests/{contest_id}/vote")).json()
    assert state["closed_at"] is not None
    assert await page.locator("form[action$='/vote/close']").count() == 0
    await scan(page, "ru", screenshots / "operator-vote-closed-ru-1280.png")
    await context.close()


async def test_anonymous_is_sent_to_sign_in_and_other_roles_are_refused_the_vote(
    signin_site: SignInSite, browser: Browser, screens: Any, scan: Any, screenshots: Path
) -> None:
    paths = ("/ru/operator/contests/any/vote",)
    async with httpx.AsyncClient(base_url=signin_site.portal, timeout=10) as http:
        for path in paths:
            answer = await http.get(path)
            assert answer.status_code == 303, path
            assert unquote(answer.headers["location"]).startswith("/ru/sign-in?next=/operator")
        for action in ("close", "invalidations", "invalidations/preview"):
            forged = await http.post(f"/ru/operator/contests/any/vote/{action}", data={})
            assert forged.status_code == 303, action  # not signed in: nothing reaches voting
    for account in (SECRETARY, JUROR, COMMISSION_SECRETARY, APPLICANT):
        context = await browser.new_context(**screens(360))
        page = await context.new_page()
        await sign_in(page, signin_site, "kk", account)
        answer = await page.goto(f"{signin_site.portal}/kk/operator/contests/any/vote")
        assert answer is not None and answer.status == 403, account
        await context.close()


async def _shots(page: Any, scan: Any, screenshots: Path, name: str, path: str) -> None:
    """The page at ``path`` (after the language) in kk, ru and en at 360 and 1280 px."""
    origin = "/".join(page.url.split("/")[:3])
    for lang in ("kk", "ru", "en"):
        await page.goto(f"{origin}/{lang}{path}")
        for width in (360, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            await scan(page, lang, screenshots / f"{name}-{lang}-{width}.png")
    await page.set_viewport_size({"width": 1280, "height": 900})
