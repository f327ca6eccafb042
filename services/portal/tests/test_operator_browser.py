"""The operator's console in Chromium against the real services trusting the local identity
provider: a definition uploaded (a broken one refused with its problems by path, then a
good one), the regional stage closed with its missing sheets listed first and then forced,
the republican stage closed, a special prize given with its reason, the results published;
an anonymous browser sent to sign in, and a secretary refused the console."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import yaml
from playwright.async_api import Browser, Page
from signed_in_platform import OPERATOR, SECRETARY, SignInSite, sign_in

from contest_contracts.common import StageKind
from contest_intake.domain.definitions import demo_definition
from contest_local.calls import Service
from contest_local.demo import edition_schedule
from contest_local.edition.plan import Scale, plan_edition
from contest_local.edition.play import Edition, Platform
from contest_portal.formats import KAZAKHSTAN_TIME

pytestmark = pytest.mark.asyncio(loop_scope="session")

SCALE = Scale(
    applications=4, empty_cells=0, ineligible=0, regional_jurors=3, republican_jurors=3, voters=0
)
"""Two regions' finalists in one nomination: the least a stage close and a prize need."""

REASON = "За новые методы работы с семьями"


async def test_anonymous_is_sent_to_sign_in_and_a_secretary_may_not_use_the_console(
    signin_site: SignInSite, browser: Browser, screens: Any, scan: Any, screenshots: Path
) -> None:
    async with httpx.AsyncClient(base_url=signin_site.portal, timeout=10) as http:
        for path in (
            "/ru/operator",
            "/ru/operator/contests/any",
            "/ru/operator/contests/any/awards",
        ):
            answer = await http.get(path)
            assert answer.status_code == 303, path
            assert unquote(answer.headers["location"]).startswith("/ru/sign-in?next=/operator")
        forged = await http.post("/ru/operator/contests/any/stages/regional/close", data={})
        assert forged.status_code == 303  # not signed in: nothing is asked of judging
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await sign_in(page, signin_site, "kk", SECRETARY)
    assert await page.locator("a[href='/kk/operator']").count() == 0
    for path in ("/kk/operator", "/kk/operator/contests/any/stages/regional"):
        answer = await page.goto(f"{signin_site.portal}{path}")
        assert answer is not None and answer.status == 403, path
    await scan(page, "kk", screenshots / "operator-refused-kk-360.png")
    await context.close()


async def test_the_operator_defines_a_contest_closes_its_stages_gives_a_prize_and_publishes(
    signin_site: SignInSite,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    edition, services = _edition(signin_site)
    try:
        context = await browser.new_context(**screens(1280))
        page = await context.new_page()
        csp_watch(page)
        await sign_in(page, signin_site, "ru", OPERATOR)
        await page.click("a[href='/ru/operator']")
        await page.wait_for_url(f"{signin_site.portal}/ru/operator")
        await _shots(page, scan, screenshots, "operator-console", "/operator")
        await page.goto(f"{signin_site.portal}/ru/operator")

        # A broken definition: refused, its problems by path next to the file field.
        broken = edition.definition.model_dump(mode="json")
        broken["judging"]["jurors_per_application"] = "many"
        del broken["regions"]
        await _upload(page, "broken.yaml", broken)
        assert "Ошибка" in await page.title()
        problems = await page.inner_text("#definition-error")
        assert "$.regions" in problems and "judging.jurors_per_application" in problems, problems
        assert await page.get_attribute("#definition", "aria-invalid") == "true"
        await scan(page, "ru", screenshots / "operator-definition-refused-ru-1280.png")

        # The good one, as YAML: the contest's page.
        await _upload(page, "contest.yaml", edition.definition.model_dump(mode="json"))
        contest_path = f"/ru/operator/contests/{edition.contest_id}"
        contest_rest = contest_path.removeprefix("/ru")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}?done=defined")
        assert "Конкурс определён" in await page.inner_text("main")
        await _shots(page, scan, screenshots, "operator-contest", contest_rest)

        # The schedule: an unreadable moment is refused by its field, kept as typed.
        await page.goto(f"{signin_site.portal}{contest_path}")
        await page.fill("#closes_at-awards", "")
        await page.click("form[action$='/schedule'] button")
        await page.wait_for_selector("#closes_at-awards-error")
        later = edition.definition.stages[-1].closes_at + timedelta(days=1)
        await page.fill(
            "#closes_at-awards", later.astimezone(KAZAKHSTAN_TIME).strftime("%Y-%m-%dT%H:%M")
        )
        await page.click("form[action$='/schedule'] button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}?done=rescheduled")
        async with httpx.AsyncClient(timeout=10) as http:
            held = await http.get(f"{signin_site.services['intake']}/contests/{edition.contest_id}")
        assert held.json()["revision"] == 2
        assert held.json()["definition"]["stages"][-1]["closes_at"].startswith(
            later.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        )

        await edition.define_waited()
        await edition.set_up_commissions()
        await edition.apply()
        await edition.screen()
        # Applications closed from the contest's page, before their deadline.
        await page.goto(f"{signin_site.portal}{contest_path}")
        await page.click("form[action$='/submission/close'] button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}?done=submission_closed")
        assert "Приём заявок закрыт" in await page.inner_text("main")
        assert await page.locator("form[action$='/submission/close']").count() == 0
        await edition.regional_assignments_made()
        jurors = [juror for region in edition.plan.regional.values() for juror in region]
        for juror in jurors[1:]:  # the first juror sends nothing
            await edition.score(StageKind.REGIONAL, juror)

        # Closing with sheets missing: they are listed first, nothing is closed yet.
        await page.goto(f"{signin_site.portal}{contest_path}/stages/regional")
        await page.click("form[action$='/close'] button")
        await page.wait_for_selector("#missing")
        missing = await page.inner_text("main")
        assert jurors[0].juror_id in missing
        await scan(page, "ru", screenshots / "operator-sheets-missing-ru-1280.png")
        await page.click("input[name=force] + button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}/stages/regional?done=closed")
        await _shots(page, scan, screenshots, "operator-stage", f"{contest_rest}/stages/regional")
        # Closed once: a second close is refused in words.
        await page.goto(f"{signin_site.portal}{contest_path}/stages/regional")
        await page.click("form[action$='/close'] button")
        await page.wait_for_selector(".error-summary")
        assert "уже закрыт" in await page.inner_text(".error-summary")

        await edition.score_republican()
        await page.goto(f"{signin_site.portal}{contest_path}/stages/republican")
        await page.click("form[action$='/close'] button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}/stages/republican?done=closed")

        # A special prize: its reason is asked for, then recorded with it.
        await page.goto(f"{signin_site.portal}{contest_path}/awards")
        options = page.locator("#application_id option[value]:not([value=''])")
        finalist = await options.first.get_attribute("value")
        assert finalist
        await page.select_option("#application_id", finalist)
        await page.click("form[action$='/special-prizes'] button")
        await page.wait_for_selector("#reason-error")
        assert await page.input_value("#application_id") == finalist  # kept as chosen
        await page.fill("#reason", REASON)
        await page.click("form[action$='/special-prizes'] button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}/awards?done=prize")
        assert REASON in await page.inner_text("main")
        await _shots(page, scan, screenshots, "operator-awards", f"{contest_rest}/awards")
        await page.goto(f"{signin_site.portal}{contest_path}/awards")

        await page.click("form[action$='/results'] button")
        await page.wait_for_url(f"{signin_site.portal}{contest_path}/awards?done=published")
        async with httpx.AsyncClient(timeout=10) as http:
            results = await http.get(
                f"{signin_site.services['judging']}/contests/{edition.contest_id}/results"
            )
        assert results.status_code == 200
        prizes = [
            entry
            for nomination in results.json()["nominations"]
            for entry in nomination.get("special_prizes", [])
        ]
        assert [p["application_id"] for p in prizes] == [finalist], results.json()
        await context.close()
    finally:
        for service in services:
            service.close()


class _Edition(Edition):
    """An edition whose contest the operator defines in the browser: the rest is set up
    through the APIs with minted tokens, as `contest_local.edition.play` plays it."""

    async def define_waited(self) -> None:
        """Wait until judging and voting know the contest the operator defined."""
        path = f"/contests/{self.contest_id}"
        for service, route in (
            (self.platform.judging, "commissions"),
            (self.platform.voting, "vote"),
        ):
            for _ in range(100):
                if await self._answers(service, f"{path}/{route}"):
                    break
                await asyncio.sleep(0.2)

    async def score(self, stage: StageKind, juror: Any) -> None:
        """One juror scores every application assigned to them."""
        await self._score(stage, juror)


def _edition(site: SignInSite) -> tuple[_Edition, list[Service]]:
    demo = demo_definition()
    definition = demo.model_copy(
        update={
            "regions": demo.regions[:2],
            "nominations": demo.nominations[:1],
            "prizes": demo.prizes.model_copy(update={"peoples_choice": 0, "special_prizes": 1}),
        }
    )
    plan = plan_edition(definition, SCALE, seed=1717)
    services = [Service(site.services[name]) for name in ("intake", "judging", "voting")]
    platform = Platform(*services, Service(site.services["notifications"]), site.auth)
    edition = _Edition(plan, platform, f"operator-{uuid.uuid4().hex[:6]}")
    now = datetime.now(UTC).replace(microsecond=0)
    day = timedelta(days=1)
    edition.definition = plan.definition.model_copy(
        update={
            "contest_id": edition.contest_id,
            "stages": edition_schedule(now - timedelta(hours=1), now + day, now + 2 * day),
        }
    )
    return edition, services


async def _upload(page: Page, name: str, document: dict[str, Any]) -> None:
    content = yaml.safe_dump(document, allow_unicode=True).encode()
    await page.set_input_files(
        "#definition", {"name": name, "mimeType": "application/yaml", "buffer": content}
    )
    await page.click("form[enctype] button")
    await page.wait_for_load_state()


async def _shots(page: Page, scan: Any, screenshots: Path, name: str, path: str) -> None:
    """The page at ``path`` (its address after the language) in kk, ru and en at 360 and
    1280 px, each scanned by axe."""
    origin = "/".join(page.url.split("/")[:3])
    for lang in ("kk", "ru", "en"):
        await page.goto(f"{origin}/{lang}{path}")
        for width in (360, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            await scan(page, lang, screenshots / f"{name}-{lang}-{width}.png")
    await page.set_viewport_size({"width": 1280, "height": 900})
