"""The phone step with voting's proof of work switched on (a voting service and a portal
of their own, ``challenged_site``): in Chromium the page's script does the work and the SMS
arrives; without JavaScript the page says the step needs it, and voting's refusal is a
sentence; over HTTP the portal forwards challenge and nonce, and a wrong or reused
solution is refused in words with nothing sent. With the challenge off (every other test)
the page carries neither the challenge nor the script."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, Route

from contest_voting.domain.challenges import solve, work_done

pytestmark = pytest.mark.infra

Scan = Callable[[Page, str, Path | None], Awaitable[None]]
Screens = Callable[[int], dict[str, Any]]
CspWatch = Callable[[Page], None]
_CHALLENGE = re.compile(r'name="challenge" value="([^"]+)"')
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
NEEDS_JAVASCRIPT = {
    "kk": "Бұл қадамға JavaScript қосулы болуы керек",
    "ru": "Для этого шага нужен включённый JavaScript",
    "en": "This step needs JavaScript switched on",
}
CHECKING = {
    "kk": "Браузер тексерілуде…",
    "ru": "Проверяем браузер…",
    "en": "Checking your browser…",
}
WATCH_STATUS = """() => {
  const status = document.getElementById("challenge-status");
  const button = document.querySelector("button[type=submit]");
  new MutationObserver(() => sessionStorage.setItem(
    "status", JSON.stringify([status.textContent, button.disabled])
  )).observe(status, {childList: true, characterData: true, subtree: true});
}"""
REQUIRED = {
    "kk": "Браузер кодты бағдарлама емес, адам сұрап тұрғанын тексермеді.",
    "ru": "Браузер не выполнил проверку того, что код запрашивает человек, а не программа.",
    "en": "Your browser did not do its check that a person, not a program, asks for the code.",
}


def a_phone() -> str:
    """A Kazakhstan mobile number of this test alone (Kcell's 702 code)."""
    return "702" + "".join(secrets.choice("0123456789") for _ in range(7))


def phone_page(site: Any, lang: str) -> str:
    application = site.finalists["social-project"][0]["application_id"]
    return (
        f"{site.url}/{lang}/contests/{site.vote_contest_id}/vote/social-project/{application}/phone"
    )


def _field(pattern: re.Pattern[str], page: httpx.Response) -> str:
    found = pattern.search(page.text)
    assert found, page.text[:400]
    return html.unescape(found.group(1))


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(("lang", "width"), [("kk", 360), ("ru", 360), ("en", 360), ("en", 1280)])
async def test_with_javascript_the_browser_does_the_work_and_the_sms_arrives(
    challenged_site: Any,
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
        response = await page.goto(phone_page(challenged_site, lang))
        assert response is not None and response.status == 200
        await scan(page, lang, screenshots / f"phone-challenge-{lang}-{width}.png")
        assert await page.locator("#challenge-status[aria-live=polite]").count() == 1
        assert NEEDS_JAVASCRIPT[lang] not in await page.inner_text("main")  # it is on
        phone = a_phone()
        sent = challenged_site.sms_count("+7" + phone)
        posted: list[str] = []

        async def sending(route: Route) -> None:
            if route.request.method == "POST":
                posted.append(route.request.post_data or "")
            await route.continue_()

        await page.route("**/phone", sending)
        # What the page shows while it works, kept past the page (the same origin's storage).
        # A number that is none first: no work for it; the refusal comes back in place of
        # the page (portal.js), with a new challenge, and the work is done for the next.
        await page.fill("#phone", "12")
        await page.click("button[type=submit]")
        await page.locator(".error-summary").wait_for()
        await page.evaluate(WATCH_STATUS)
        await page.fill("#phone", phone)
        await page.click("button[type=submit]")
        await page.wait_for_url("**/code")
        refused, form = posted
        assert "nonce=&" in refused or refused.endswith("nonce=")
        assert re.search(r"(^|&)nonce=\d+(&|$)", form), form
        shown = await page.evaluate("JSON.parse(sessionStorage.getItem('status'))")
        assert shown == [CHECKING[lang], True]  # said, and the button not pressed twice
        assert challenged_site.sms_code("+7" + phone, sent)
        await scan(page, lang, None)
    finally:
        await context.close()


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_without_javascript_the_page_says_the_step_needs_it_and_nothing_is_sent(
    challenged_site: Any, browser: Browser, screenshots: Path, lang: str
) -> None:
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    try:
        page = await context.new_page()
        await page.goto(phone_page(challenged_site, lang))
        assert NEEDS_JAVASCRIPT[lang] in await page.inner_text("main")
        await page.screenshot(path=screenshots / f"phone-nojs-{lang}-360.png", full_page=True)
        phone = a_phone()
        await page.fill("#phone", phone)
        await page.click("button[type=submit]")
        assert page.url.endswith("/phone")
        summary = await page.inner_text(".error-summary")
        assert REQUIRED[lang] in summary and "challenge" not in summary
        assert await page.locator('.error-summary a[href="#phone"]').count() == 1
        await page.screenshot(
            path=screenshots / f"phone-nojs-refused-{lang}-360.png", full_page=True
        )
        assert challenged_site.sms_count("+7" + phone) == 0
    finally:
        await context.close()


def test_the_portal_forwards_the_work_and_a_wrong_or_reused_one_is_said_in_words(
    challenged_site: Any,
) -> None:
    url = phone_page(challenged_site, "en")
    phone = a_phone()
    with httpx.Client(timeout=30) as portal:
        page = portal.get(url)
        assert page.status_code == 200
        assert re.search(r'<script src="/static/challenge\.js\?v=[0-9a-f]+" defer>', page.text)
        assert 'data-difficulty="10"' in page.text
        challenge = _field(_CHALLENGE, page)
        nonce = solve(challenge, "+7" + phone, 10)
        wrong = next(
            str(n) for n in range(10**6) if not work_done(challenge, "+7" + phone, str(n), 10)
        )
        form = {"csrf": _field(_CSRF, page), "phone": phone, "challenge": challenge}

        refused = portal.post(url, data={**form, "nonce": wrong})
        assert refused.status_code == 422
        assert "Your browser's check did not come out right." in html.unescape(refused.text)
        assert "challenge_unsolved" not in refused.text.split('<main id="main"', 1)[1]
        assert _field(_CHALLENGE, refused) != challenge  # a new one to solve
        assert challenged_site.sms_count("+7" + phone) == 0

        sent = portal.post(url, data={**form, "nonce": nonce})
        assert sent.status_code == 303 and sent.headers["location"].endswith("/code")
        assert challenged_site.sms_code("+7" + phone)

        again = portal.post(url, data={**form, "nonce": nonce})
        assert again.status_code == 409
        assert "Your browser's check was used already." in html.unescape(again.text)
        assert challenged_site.sms_count("+7" + phone) == 1


def test_with_the_challenge_off_the_phone_page_carries_no_work_and_no_script(
    public_site: Any,
) -> None:
    with httpx.Client(timeout=30) as portal:
        page = portal.get(phone_page(public_site, "en"))
    assert page.status_code == 200
    assert 'name="challenge"' not in page.text and "challenge.js" not in page.text
    assert NEEDS_JAVASCRIPT["en"] not in page.text
