"""The results page in a real headless Chromium, on the results of a contest played to the
end: each language at a phone's and a desktop's width, scanned by axe-core and
screenshotted; and as printed: no header, language switch or download link, each
nomination on a page of its own, and a PDF of it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page

Checked = Callable[[Page, str, str, Path | None], Awaitable[None]]

pytestmark = [pytest.mark.infra, pytest.mark.asyncio(loop_scope="session")]

RESULTS = {"kk": "Нәтижелер", "ru": "Результаты", "en": "Results"}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_results_page_in_each_language_and_width_passes_the_scan(
    public_site: Any,
    published_contest: Any,
    pages: dict[int, Page],
    screenshots: Path,
    checked: Checked,
    lang: str,
    width: int,
) -> None:
    page = pages[width]
    contest = f"{public_site.url}/{lang}/contests/{published_contest.contest_id}"
    await page.goto(contest)
    await page.click("a[href$='/results']")  # the contest page leads there
    await checked(page, page.url, lang, screenshots / f"results-{lang}-{width}.png")
    assert await page.inner_text("h1") == RESULTS[lang]
    nominations = published_contest.results["nominations"]
    assert await page.locator(".nomination-results").count() == len(nominations)
    places = sum(len(n["places"]) for n in nominations)
    assert await page.locator(".awards__place").count() == places
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert await page.evaluate("document.documentElement.scrollWidth") <= width


async def test_the_results_print_without_the_sites_chrome_a_nomination_a_page(
    public_site: Any, published_contest: Any, browser: Browser, screenshots: Path
) -> None:
    context = await browser.new_context(viewport={"width": 794, "height": 1123})
    page = await context.new_page()
    try:
        await page.goto(f"{public_site.url}/ru/contests/{published_contest.contest_id}/results")
        assert await page.locator(".site-header").is_visible()
        await page.emulate_media(media="print")
        for hidden in (".site-header", ".languages", ".breadcrumbs", ".results-actions"):
            assert not await page.locator(hidden).first.is_visible(), hidden
        assert await page.locator(".awards").first.is_visible()
        breaks = await page.eval_on_selector_all(
            ".nomination-results",
            "sections => sections.map(s => getComputedStyle(s).breakBefore)",
        )
        assert breaks[0] != "page" and all(b == "page" for b in breaks[1:]), breaks
        assert len(breaks) == len(published_contest.results["nominations"]) > 1
        await page.screenshot(path=screenshots / "results-ru-print.png", full_page=True)
        pdf = await page.pdf(format="A4", path=str(screenshots / "results-ru-print.pdf"))
        assert pdf.startswith(b"%PDF")
        # A page for the summary and the first nomination, then one per further nomination.
        assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= len(breaks) or (
            pdf.count(b"/Type/Page") >= len(breaks)
        )
    finally:
        await context.close()
