"""A person signs in at the provider through headless Chromium: the page in each language
and width (axe: no serious or critical violation, nothing refused by the policy), an error
summary after a wrong password, then the redirect back to the portal with a code."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import pytest_asyncio
from axe_playwright_python.async_playwright import Axe
from identity_flows import PASSWORDS, PORTAL_CALLBACK, SignIn
from playwright.async_api import Browser, Page, Request, async_playwright

from contest_local.identity import LocalIdentity

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".local" / "screenshots"
AXE = Axe()
HEADINGS = {"kk": "Кіру", "ru": "Войти", "en": "Sign in"}
WRONG = {
    "kk": "Пайдаланушы аты немесе құпиясөз дұрыс емес",
    "ru": "Имя пользователя или пароль неверны",
    "en": "The username or the password is not right",
}


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `apt-get install chromium`"  # noqa: ASYNC240
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def checked(page: Page, lang: str, shot: Path) -> None:
    """The page in ``lang``, one h1, no grave axe violation, nothing the policy refused."""
    assert await page.get_attribute("html", "lang") == lang
    assert await page.locator("h1").count() == 1
    results = await AXE.run(page)
    grave = [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not grave, grave
    refusals: list[str] = getattr(page, "csp_refusals", [])
    assert not refusals, refusals
    assert "stand-in for the national identity provider" in await page.content() or lang != "en"
    await page.screenshot(path=shot, full_page=True)


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_a_person_signs_in_through_chromium(
    identity: LocalIdentity, browser: Browser, lang: str, width: int
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(
        viewport={"width": width, "height": 740 if width == 360 else 800},
        is_mobile=width == 360,
        has_touch=width == 360,
    )
    page = await context.new_page()
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_refusals = refusals  # type: ignore[attr-defined]
    callbacks: list[str] = []

    async def portal(route: object) -> None:
        request: Request = route.request  # type: ignore[attr-defined]
        callbacks.append(request.url)
        await route.fulfill(status=200, body="portal")  # type: ignore[attr-defined]

    await page.route(f"{PORTAL_CALLBACK}*", portal)
    sign_in = SignIn.new()
    # The person's browser says Russian; the link to their language keeps the request.
    await page.set_extra_http_headers({"Accept-Language": "ru"})
    await page.goto(f"{identity.url}/authorize?{sign_in.query}")
    if lang != "ru":
        await page.get_by_role("link", name={"kk": "Қазақша", "en": "English"}[lang]).click()
    assert await page.locator("h1").inner_text() == HEADINGS[lang]
    await checked(page, lang, SCREENSHOTS / f"identity-sign-in-{lang}-{width}.png")
    # An unknown username gets the wrong password's sentence (and keeps browser-1 below
    # its own limit across the six runs).
    await page.locator("#username").fill(f"someone-{lang}-{width}")
    await page.locator("#password").fill("not-the-password")
    await page.locator("button[type=submit]").click()
    assert WRONG[lang] in await page.locator(".error-summary").inner_text()
    await checked(page, lang, SCREENSHOTS / f"identity-sign-in-error-{lang}-{width}.png")
    await page.locator("#username").fill("browser-1")
    await page.locator("#password").fill(PASSWORDS["browser-1"])
    await page.locator("button[type=submit]").click()
    await page.wait_for_url(f"{PORTAL_CALLBACK}*")
    query = parse_qs(urlsplit(callbacks[-1]).query)
    assert query["state"] == [sign_in.parameters["state"]] and query["code"][0]
    assert not refusals, refusals
    await context.close()
