"""The public site in a real headless Chromium, on the real services: every page in each
language at a phone's and a desktop's width, scanned by axe-core and screenshotted; and the
whole way through with JavaScript off."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

Checked = Callable[[Page, str, str, Path | None], Awaitable[None]]

pytestmark = [pytest.mark.infra, pytest.mark.asyncio(loop_scope="session")]

TITLES = {
    "kk": "Әлеуметтік қорғау жүйесінің үздік қызметкері",
    "ru": "Лучший работник системы социальной защиты",
    "en": "Best worker of the social protection system",
}
EXHIBITION = {"kk": "Жобалар көрмесі", "ru": "Выставка проектов", "en": "Exhibition of projects"}
ASTANA = {"kk": "Астана қ.", "ru": "г. Астана", "en": "Astana"}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_every_page_in_each_language_and_width_passes_the_scan(
    public_site: Any,
    pages: dict[int, Page],
    screenshots: Path,
    checked: Checked,
    lang: str,
    width: int,
) -> None:
    page = pages[width]
    base = f"{public_site.url}/{lang}"
    contest = f"{base}/contests/{public_site.contest_id}"
    card = public_site.project("social-project", "KZ-71")

    await checked(page, f"{base}/", lang, screenshots / f"contests-{lang}-{width}.png")
    assert TITLES[lang] in await page.inner_text("main")

    await checked(page, contest, lang, screenshots / f"contest-{lang}-{width}.png")
    assert TITLES[lang] in await page.inner_text("h1")
    assert await page.locator(".schedule li").count() == 5
    assert await page.locator(".regions li").count() == 20

    filtered = f"{contest}/exhibition?nomination=social-project&region=KZ-71"
    await checked(page, filtered, lang, screenshots / f"exhibition-{lang}-{width}.png")
    assert await page.locator(".card").count() == 3  # three projects in Astana, this nomination
    assert card["form"]["details"]["project_title"] in await page.inner_text(".cards")

    await page.click(f"text={card['form']['details']['project_title']}")
    await checked(page, page.url, lang, screenshots / f"project-{lang}-{width}.png")
    assert await page.inner_text("h1") == card["form"]["details"]["project_title"]
    assert ASTANA[lang] in await page.inner_text(".facts-list")
    # Nothing the applicant gave for the organisers only: identifier, phone, email.
    text = await page.content()
    for private in (
        card["form"]["applicant"]["identifier"],
        card["form"]["contact"]["phone"],
        card["form"]["contact"]["email"],
    ):
        assert private not in text


async def test_without_javascript_a_person_browses_filters_and_switches_language(
    public_site: Any, browser: Browser
) -> None:
    context = await browser.new_context(
        java_script_enabled=False, locale="kk-KZ", viewport={"width": 360, "height": 740}
    )
    page = await context.new_page()
    try:
        await page.goto(f"{public_site.url}/")  # Accept-Language kk-KZ: the Kazakh site
        assert page.url == f"{public_site.url}/kk/"
        await page.click(f"text={TITLES['kk']}")
        await page.click(f"text={'Жобалар көрмесін қарау'}")
        assert await page.inner_text("h1") == EXHIBITION["kk"]
        assert await page.locator(".card").count() == public_site.page_size
        assert await page.locator("a[rel=next]").count() == 1

        await page.select_option("#region", "KZ-71")
        await page.click("button[type=submit]")  # a plain GET form
        assert "region=KZ-71" in page.url
        in_astana = sum(
            count for (_, region), count in _filed(public_site).items() if region == "KZ-71"
        )
        assert await page.locator(".card").count() == in_astana

        await page.select_option("#nomination", "ngo-inclusion-project")
        await page.click("button[type=submit]")
        assert await page.locator(".card").count() == 2
        await page.locator(".card__title a").first.click()
        assert "/exhibition/ngo-inclusion-project/KZ-71/" in page.url

        await page.click("text=Русский")  # the switch keeps the page and the choice
        assert page.url.startswith(f"{public_site.url}/ru/contests/{public_site.contest_id}/")
        assert await page.get_attribute("html", "lang") == "ru"
        await page.goto(f"{public_site.url}/")  # the cookie wins over Accept-Language
        assert page.url == f"{public_site.url}/ru/"
        cookie = next(c for c in await context.cookies() if c["name"] == "lang")
        assert cookie["value"] == "ru" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    finally:
        await context.close()


def _filed(public_site: Any) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for project in public_site.projects:
        key = (project["form"]["nomination_code"], project["form"]["region_code"])
        counts[key] = counts.get(key, 0) + 1
    return counts
