"""Live results in a real headless Chromium, on the real services: the page in kk, ru and
en at 360 and 1280 px (axe, screenshots), and a reader who watches the count move as a
vote is counted and the certified figures arrive after the close, without reloading."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

pytestmark = [pytest.mark.infra, pytest.mark.asyncio(loop_scope="session")]

Scan = Callable[[Page, str, Path | None], Awaitable[None]]
Checked = Callable[[Page, str, str, Path | None], Awaitable[None]]


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
async def test_the_live_results_page_in_each_language(
    public_site: Any,
    pages: dict[int, Page],
    checked: Checked,
    screenshots: Path,
    lang: str,
    width: int,
) -> None:
    address = f"{public_site.url}/{lang}/contests/{public_site.vote_contest_id}/tallies"
    await checked(pages[width], address, lang, screenshots / f"tallies-{lang}-{width}.png")
    assert await pages[width].locator("section.tally").count() == len(public_site.finalists)


async def test_a_reader_watches_the_count_move_and_the_certified_figures_arrive(
    public_site: Any,
    closable_vote: tuple[str, dict[str, list[dict[str, Any]]]],
    browser: Browser,
    scan: Scan,
    screenshots: Path,
) -> None:
    contest_id, finalists = closable_vote
    context = await browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = await context.new_page()
        await page.goto(f"{public_site.url}/ru/contests/{contest_id}/tallies")
        total = page.locator("#tally-social-project .tally__total")
        await expect(total).to_have_text("Подсчитано 0 голосов")
        await page.evaluate("() => { window.sameDocument = true; }")

        chosen = finalists["social-project"][0]
        await asyncio.to_thread(
            public_site.vote_by_api, contest_id, "social-project", chosen["application_id"]
        )
        await expect(total).to_have_text("Подсчитан 1 голос", timeout=30_000)
        first_row = page.locator("#tally-social-project tbody tr").first
        await expect(first_row).to_contain_text(chosen["form"]["details"]["project_title"])

        async with httpx.AsyncClient(base_url=public_site.voting_url) as voting:
            closed = await voting.post(
                f"/contests/{contest_id}/vote/close", headers=public_site.operator()
            )
        assert closed.status_code == 202, closed.text
        await expect(page.locator("#tally-social-project .tag")).to_have_text(
            "Заверено", timeout=60_000
        )
        await expect(page.locator("#tallies-state")).to_contain_text("окончательные итоги")
        assert await page.evaluate("() => window.sameDocument === true")  # never reloaded
        await scan(page, "ru", screenshots / "tallies-certified-ru-360.png")
    finally:
        await context.close()
