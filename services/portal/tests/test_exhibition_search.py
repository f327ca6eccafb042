"""Searching the exhibition, on the real services: a GET form (it works without
JavaScript) whose words go to intake's gallery `q`, kept with the filters and across the
pages; no match is a sentence; too long a search is the form's refusal, said at the field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

pytestmark = pytest.mark.infra

NO_MATCH = {
    "kk": "Бұл таңдауда атауында немесе авторында",
    "ru": "В этом выборе нет проектов, в названии или авторе которых есть",
    "en": "No project's title or author contains",
}


def matching(site: Any, words: str, region: str | None = None) -> list[str]:
    """The projects whose title or author's name contains ``words``, any case."""
    found = []
    for project in site.projects:
        form = project["form"]
        shown = f"{form['details']['project_title']}\n{form['applicant']['display_name']}"
        if words.casefold() in shown.casefold() and region in (None, form["region_code"]):
            found.append(project["application_id"])
    return found


def cards(page: str) -> list[str]:
    return [
        part.split('"')[0].rsplit("/", 1)[1]
        for part in page.split('<h3 class="card__title"><a href="')[1:]
    ]


def every_page(portal: httpx.Client, path: str) -> list[str]:
    """The cards of ``path`` and of every next page it links to."""
    seen: list[str] = []
    next_path: str | None = path
    while next_path is not None:
        page = portal.get(next_path)
        assert page.status_code == 200, next_path
        seen += cards(page.text)
        if 'rel="next"' not in page.text:
            break
        next_path = page.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
        assert "q=" in next_path  # the next page goes on with the search
    return seen


def test_the_search_finds_titles_and_authors_in_any_case_with_filters_and_pages(
    public_site: Any,
) -> None:
    exhibition = f"/ru/contests/{public_site.contest_id}/exhibition"
    wide = "о"  # a letter of most titles and names: more than a page
    assert len(matching(public_site, wide)) > public_site.page_size
    title = public_site.project("social-project", "KZ-75")["form"]["details"]["project_title"]
    word = title.split()[0].upper()
    with httpx.Client(base_url=public_site.url) as portal:
        found = every_page(portal, f"{exhibition}?q={wide}")
        assert sorted(found) == sorted(matching(public_site, wide))
        narrowed = cards(portal.get(exhibition, params={"q": word, "region": "KZ-75"}).text)
        assert narrowed == matching(public_site, word, "KZ-75") and narrowed
        page = portal.get(exhibition, params={"q": f"  {word}  "}).text
        assert f'value="{word}"' in page  # the words stay in the box, tidied
        assert '<label for="q">' in page


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_no_match_is_a_sentence_and_a_pattern_is_only_characters(
    public_site: Any, lang: str
) -> None:
    exhibition = f"/{lang}/contests/{public_site.contest_id}/exhibition"
    with httpx.Client(base_url=public_site.url) as portal:
        for words in ("нет такого проекта", ".*", "(", "Астана.*"):
            page = portal.get(exhibition, params={"q": words})
            assert page.status_code == 200, words
            assert cards(page.text) == [] and NO_MATCH[lang] in page.text, words
            assert page.headers["cache-control"].startswith("public, max-age=")


def test_too_long_a_search_is_refused_at_the_field(public_site: Any) -> None:
    exhibition = f"/en/contests/{public_site.contest_id}/exhibition"
    with httpx.Client(base_url=public_site.url) as portal:
        assert portal.get(exhibition, params={"q": "a" * 100}).status_code == 200
        page = portal.get(exhibition, params={"q": "a" * 101, "region": "KZ-71"})
        assert page.status_code == 422
        assert page.headers["cache-control"] == "no-store"
        assert '<a href="#q">Search with at most 100 characters.</a>' in page.text
        assert 'class="field__error" id="q-error"' in page.text
        assert '<option value="KZ-71" selected>' in page.text  # the filters are kept
        assert cards(page.text) == []


Scan = Callable[[Page, str, Path | None], Awaitable[None]]


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_search_box_in_each_language_and_width_passes_the_scan(
    public_site: Any,
    pages: dict[int, Page],
    scan: Scan,
    screenshots: Path,
    lang: str,
    width: int,
) -> None:
    page = pages[width]
    await page.goto(f"{public_site.url}/{lang}/contests/{public_site.contest_id}/exhibition")
    await page.select_option("#region", "KZ-71")
    await page.fill("#q", "АСТАНА")
    await page.click("button[type=submit]")
    assert "q=" in page.url and "region=KZ-71" in page.url
    expected = matching(public_site, "астана", "KZ-71")[: public_site.page_size]
    assert await page.locator(".card").count() == len(expected) > 0
    await scan(page, lang, screenshots / f"exhibition-search-{lang}-{width}.png")

    await page.fill("#q", "я" * 101)
    await page.click("button[type=submit]")
    await scan(page, lang, screenshots / f"exhibition-search-error-{lang}-{width}.png")
    assert await page.evaluate("document.activeElement.className") == "error-summary"


@pytest.mark.asyncio(loop_scope="session")
async def test_without_javascript_a_person_searches_the_exhibition(
    public_site: Any, browser: Browser
) -> None:
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = await context.new_page()
    try:
        await page.goto(f"{public_site.url}/ru/contests/{public_site.contest_id}/exhibition")
        await page.select_option("#region", "KZ-71")
        await page.fill("#q", "АСТАНА")
        await page.click("button[type=submit]")  # a plain GET form
        assert "q=" in page.url and "region=KZ-71" in page.url
        expected = matching(public_site, "астана", "KZ-71")[: public_site.page_size]
        assert await page.locator(".card").count() == len(expected) > 0
        await page.fill("#q", "нет такого проекта")
        await page.click("button[type=submit]")
        assert NO_MATCH["ru"] in await page.inner_text("main")
        await page.fill("#q", "я" * 101)
        await page.click("button[type=submit]")
        await page.click(".error-summary a")
        assert page.url.endswith("#q")
    finally:
        await context.close()
