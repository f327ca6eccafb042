"""The vote in a real headless Chromium, on the real voting and notifications services and
the local inbox: a voter votes in two nominations through the pages (verifying once),
reads the SMS code from the inbox, keeps the receipts and checks one; in kk, ru and en at
360 and 1280 px, every page scanned by axe-core and screenshotted; and the same with
JavaScript disabled."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

pytestmark = [pytest.mark.infra, pytest.mark.asyncio(loop_scope="session")]

Scan = Callable[[Page, str, Path | None], Awaitable[None]]
Screens = Callable[[int], dict[str, Any]]
CspWatch = Callable[[Page], None]
ACCEPTED = {"kk": "Дауысыңыз қабылданды", "ru": "Ваш голос принят", "en": "Your vote is accepted"}
COUNTED = {
    "kk": "Есептелді: дауыс қорытындыға кірді.",
    "ru": "Засчитан: голос учтён в подсчёте.",
    "en": "Counted: the vote is in the tally.",
}


async def vote_twice(
    site: Any,
    page: Page,
    lang: str,
    scan: Scan,
    shots: Path | None,
    tag: str,
    scripted: bool = True,
) -> list[str]:
    """Vote in both nominations of the open vote through the pages, the second without
    verifying again; the receipts kept. Screenshots go to ``shots`` (``{page}-{tag}.png``).
    With JavaScript, the four forms from the number to the receipt go without a reload."""

    def shot(name: str) -> Path | None:
        return shots / f"{name}-{tag}.png" if shots else None

    phone = "705" + "".join(secrets.choice("0123456789") for _ in range(7))
    base = f"{site.url}/{lang}/contests/{site.vote_contest_id}"
    response = await page.goto(f"{base}/vote/social-project")
    assert response is not None and response.status == 200
    await scan(page, lang, shot("vote"))
    assert await page.locator(".card").count() == len(site.finalists["social-project"])
    await page.locator(".card__action a").first.click()
    await page.wait_for_url("**/phone")
    await scan(page, lang, shot("phone"))
    if scripted:
        await page.evaluate("() => { window.sameDocument = true; }")

    await page.fill("#phone", "12")  # a refusal first: the error summary links to the field
    await page.click("button[type=submit]")
    await page.locator(".error-summary").wait_for()
    await scan(page, lang, shot("phone-error"))
    assert await page.locator('.error-summary a[href="#phone"]').count() == 1
    if scripted:  # where a screen reader starts on the refused page
        assert await page.evaluate("() => document.activeElement.className") == "error-summary"
        # The summary's link goes to the field on the same page: no reload, the error stays.
        await page.click('.error-summary a[href="#phone"]')
        await page.wait_for_url("**/phone#phone")
        assert await page.locator(".error-summary").count() == 1
    await page.fill("#phone", phone)
    sent = site.sms_count("+7" + phone)
    await page.click("button[type=submit]")
    await page.wait_for_url("**/code")
    await scan(page, lang, shot("code"))
    await page.fill("#code", site.sms_code("+7" + phone, sent))
    await page.click("button[type=submit]")
    await page.wait_for_url("**/confirm")
    await scan(page, lang, shot("confirm"))
    await page.click("#cast")
    await page.wait_for_url("**/social-project/receipt")
    await scan(page, lang, shot("receipt"))
    assert ACCEPTED[lang] in await page.inner_text("h1")
    receipts = [await page.inner_text("#receipt-id")]
    if scripted:  # the same document all along: no page was loaded whole
        assert await page.evaluate("() => window.sameDocument === true")

    await page.click(".others a")  # the other nomination, from the receipt page
    await page.wait_for_url("**/vote/ngo-inclusion-project")
    await page.locator(".card__action a").last.click()
    await page.wait_for_url("**/confirm")  # verified already: no phone, no code
    await page.click("#cast")
    await page.wait_for_url("**/ngo-inclusion-project/receipt")
    receipts.append(await page.inner_text("#receipt-id"))
    assert site.sms_count("+7" + phone) == sent + 1

    await page.goto(f"{base}/vote/social-project")  # already voted there: said so
    assert await page.locator(".card__action").count() == 0
    assert await page.locator(".panel--done").count() == 1
    return receipts


async def checked_receipt(site: Any, page: Page, lang: str, receipt: str, scan: Scan) -> None:
    """The public page of a receipt says it is counted (within seconds)."""
    await page.goto(f"{site.url}/{lang}/receipts")
    await page.fill("#receipt", receipt)
    await page.click("button[type=submit]")
    for _ in range(50):
        if COUNTED[lang] in await page.inner_text("main"):
            break
        await page.wait_for_timeout(200)
        await page.reload()
    else:
        raise AssertionError(await page.inner_text("main"))
    await scan(page, lang, None)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_voter_votes_in_two_nominations_and_checks_a_receipt(
    public_site: Any,
    browser: Browser,
    scan: Scan,
    screenshots: Path,
    lang: str,
    width: int,
    screens: Screens,
    csp_watch: CspWatch,
) -> None:
    context = await browser.new_context(**screens(width))
    try:
        page = await context.new_page()
        csp_watch(page)
        receipts = await vote_twice(public_site, page, lang, scan, screenshots, f"{lang}-{width}")
        await checked_receipt(public_site, page, lang, receipts[0], scan)
        session = next(c for c in await context.cookies() if c["name"] == "session")
        assert session["httpOnly"] and session["sameSite"] == "Lax"
        assert not await page.evaluate("() => Object.keys(window.localStorage).length")
    finally:
        await context.close()


async def test_the_vote_works_with_javascript_disabled(
    public_site: Any, browser: Browser, scan: Scan
) -> None:
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    try:
        page = await context.new_page()
        receipts = await vote_twice(public_site, page, "ru", _no_axe, None, "nojs", scripted=False)
        assert all(re.fullmatch(r"[0-9a-f-]{36}", r) for r in receipts)
        await page.goto(f"{public_site.url}/ru/receipts/{receipts[1]}")
        assert await page.locator(".receipt-state").count() == 1
    finally:
        await context.close()


async def _no_axe(page: Page, lang: str, shot: Path | None) -> None:
    """Without JavaScript axe cannot run in the page: only the language and the h1."""
    assert await page.get_attribute("html", "lang") == lang
    assert await page.locator("h1").count() == 1
