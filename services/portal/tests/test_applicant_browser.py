"""The applicant's workspace in Chromium against the real services (the signed-in
platform): a partial draft saved, refused at submission with each missing field next to
it and what was typed kept, completed and submitted, seen in "My applications" with its
timeline, then withdrawn after a confirmation; others get 403, anonymous people sign in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from signed_in_platform import APPLICANT, SECRETARY, SignInSite, sign_in

from contest_contracts.events.ministry import ApplicationFiled
from contest_contracts.topics import MINISTRY_FILINGS
from contest_intake.domain.definitions import demo_definition
from contest_local.demo import rebased
from contest_local.edition.people import People
from contest_runtime.auth import Role, mint
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORKER = "special-services-centre-worker"


@pytest.fixture(scope="module")
def open_contest(signin_site: SignInSite) -> str:
    """A contest of this module's own, taking applications now."""
    definition = rebased(demo_definition(), datetime.now(UTC)).model_copy(
        update={"contest_id": f"applicant-{uuid.uuid4().hex[:6]}"}
    )
    operator = mint(signin_site.auth, subject="operator", roles=[Role.OPERATOR])
    answer = httpx.post(
        signin_site.services["intake"] + "/contests",
        json=definition.model_dump(mode="json"),
        headers={"Authorization": f"Bearer {operator}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return definition.contest_id


async def _fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"[name='{name}']")
        if await field.evaluate("e => e.tagName") == "SELECT":
            await field.select_option(value)
        else:
            await field.fill(value)


async def test_an_applicant_saves_a_partial_draft_then_completes_submits_and_withdraws_it(
    signin_site: SignInSite,
    open_contest: str,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    csp_watch(page)
    await sign_in(page, signin_site, "en", APPLICANT)
    await page.click("a[href='/en/applicant']")
    await page.wait_for_url(f"{signin_site.portal}/en/applicant")
    new = f"/en/applicant/new/{open_contest}/{WORKER}"
    await page.click(f"a[href='{new}']")
    await scan(page, "en", screenshots / "applicant-form-new-en-1280.png")

    await _fill(
        page, {"applicant.display_name": APPLICANT.name, "details.position": "social worker"}
    )
    await page.click("button[value=draft]")
    await page.wait_for_url(f"{signin_site.portal}/en/applicant?saved=draft")
    card = page.locator(".applications li.card").first
    assert "Draft" in await card.inner_text()

    await card.locator("a", has_text="Open the draft").click()
    assert await page.input_value("[name='details.position']") == "social worker"
    await page.click("button[value=submit]")
    # Refused: each missing field named next to it, and what was typed kept.
    await expect(page.locator(".error-summary")).to_be_visible()
    summary = await page.inner_text(".error-summary")
    for label in ("Where you work", "Years of service", "Your achievements", "Email address"):
        assert label in summary
    assert await page.locator(".field--error").count() >= 6
    assert "Fill this in to submit" in await page.inner_text("#details-workplace-error")
    assert await page.input_value("[name='applicant.display_name']") == APPLICANT.name
    await scan(page, "en", screenshots / "applicant-form-refused-en-1280.png")

    await _fill(
        page,
        {
            "region_code": "KZ-71",
            "applicant.identifier": APPLICANT.iin_bin,
            "contact.email": "aliya@example.kz",
            "contact.phone": "701 123 45 67",
            "details.workplace": "Centre of special social services No. 2, Astana",
            "details.years_of_service": "seven",
            "details.achievements": "Mentor of young social workers.",
        },
    )
    await page.click("button[value=submit]")
    # the page is replaced by the script when the answer comes: wait for it
    await expect(page.locator("#details-years_of_service-error")).to_contain_text(
        "Enter a whole number"
    )
    assert (await page.input_value("[name='details.workplace']")).startswith("Centre")
    await page.fill("[name='details.years_of_service']", "7")
    await page.click("button[value=submit]")
    await page.wait_for_url(f"{signin_site.portal}/en/applicant?saved=submitted")
    card = page.locator(".applications li.card").first
    text = await card.inner_text()
    assert "Received" in text and "Draft" in text  # the timeline: draft, then received
    assert APPLICANT.name in text

    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            shot = await context.new_page() if width == 1280 else None
            view = shot or await (await browser.new_context(**screens(width))).new_page()
            if shot is None:
                await sign_in(view, signin_site, lang, APPLICANT)
            csp_watch(view)
            await view.goto(f"{signin_site.portal}/{lang}/applicant")
            await scan(view, lang, screenshots / f"applicant-list-{lang}-{width}.png")
            await view.locator(".applications li.card a").first.click()
            await scan(view, lang, screenshots / f"applicant-form-{lang}-{width}.png")
            await view.context.close() if shot is None else await view.close()

    await page.goto(f"{signin_site.portal}/en/applicant")
    await page.locator(".applications li.card").first.locator("a", has_text="Withdraw").click()
    await scan(page, "en", screenshots / "applicant-withdraw-en-1280.png")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{signin_site.portal}/en/applicant?saved=withdrawn")
    assert "Withdrawn" in await page.locator(".applications li.card").first.inner_text()
    await context.close()


async def test_the_workspace_is_the_applicants_only(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    anonymous = await browser.new_context(**screens(1280))
    page = await anonymous.new_page()
    await page.goto(f"{signin_site.portal}/ru/applicant")
    assert page.url.startswith(signin_site.provider), page.url
    await anonymous.close()

    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "ru", SECRETARY)
    assert await page.locator("a[href='/ru/applicant']").count() == 0
    for path in (
        "/ru/applicant",
        f"/ru/applicant/new/any/{WORKER}",
        "/ru/applicant/applications/x",
    ):
        answer = await page.goto(signin_site.portal + path)
        assert answer is not None and answer.status == 403, path
    posted = await page.request.post(
        f"{signin_site.portal}/ru/applicant/applications/x/withdraw", form={"csrf": "x"}
    )
    assert posted.status == 403
    await context.close()


async def test_an_application_the_ministry_filed_is_the_applicants_whose_iin_it_names(
    signin_site: SignInSite,
    infra_settings: InfraSettings,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    """The ministry's system files through Kafka; the person signs in through the provider
    with that IIN and finds it theirs, to change before the deadline."""
    definition = rebased(demo_definition(), datetime.now(UTC)).model_copy(
        update={"contest_id": f"filed-{uuid.uuid4().hex[:6]}"}
    )
    operator = mint(signin_site.auth, subject="operator", roles=[Role.OPERATOR])
    async with httpx.AsyncClient(base_url=signin_site.services["intake"], timeout=30) as intake:
        answer = await intake.post(
            "/contests",
            json=definition.model_dump(mode="json"),
            headers={"Authorization": f"Bearer {operator}"},
        )
        assert answer.status_code == 201, answer.text
        form = People(seed=990).worker_form(WORKER, "KZ-71")
        form["applicant"] = {**form["applicant"], "identifier": APPLICANT.iin_bin}
        filing = ApplicationFiled.model_validate(
            {"request_id": f"{definition.contest_id}-1", "contest_id": definition.contest_id}
            | {k: form[k] for k in ("nomination_code", "region_code", "applicant", "contact")}
            | {"details": form["details"]}
        )
        broker = make_broker(infra_settings, client_id="ministry-test")
        await broker.start()
        try:
            ministry = EventPublisher(broker, source="/ministry/mtszn")
            await ministry.publish(MINISTRY_FILINGS, filing, subject=filing.request_id)
        finally:
            await broker.stop()
        holder = mint(
            signin_site.auth, subject="someone", roles=[Role.APPLICANT], iin_bin=APPLICANT.iin_bin
        )
        for _ in range(150):
            mine = await intake.get(
                "/applications/mine", headers={"Authorization": f"Bearer {holder}"}
            )
            filed = [a for a in mine.json() if a["contest_id"] == definition.contest_id]
            if filed:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("intake did not take the ministry's filing")

    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, APPLICANT)
            await page.goto(f"{signin_site.portal}/{lang}/applicant")
            link = page.locator(
                f"a[href='/{lang}/applicant/applications/{filed[0]['application_id']}']"
            )
            card = page.locator(".applications li.card", has=link)
            await expect(card).to_have_count(1)
            if lang == "en":
                assert "Filed for you by the ministry." in await card.inner_text()
                await link.click()
                await expect(page.locator("[name='details.position']")).to_have_value(
                    form["details"]["position"]
                )
            await scan(page, lang, screenshots / f"applicant-filed-{lang}-{width}.png")
            await context.close()
