"""The operator's commissions and audit log in Chromium against the real services trusting
the local identity provider: a regional commission created with two members, a malformed
BIN refused next to its field with what was typed kept, the commission replaced; the audit
log then shows its creation and replacement newest first beside another operator's, and
its filters by who, what and day narrow it; a bad day is a sentence by its field. An
anonymous browser is sent to sign in, a secretary gets 403."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from playwright.async_api import Browser, Page
from signed_in_platform import OPERATOR, SECRETARY, SignInSite, sign_in

from contest_intake.domain.definitions import demo_definition
from contest_portal.formats import KAZAKHSTAN_TIME
from contest_runtime.auth import Role, mint

pytestmark = pytest.mark.asyncio(loop_scope="session")

OTHER = "other-operator"
CHAIR = ("Асқар Төраға", "juror-kz-71-1", "123456789012")
MEMBER = ("Мария Мүше", "juror-kz-71-2")


async def _define(site: SignInSite) -> str:
    """A contest of its own, known to judging; another operator sets up its republican
    commission (so the log has someone else's entry)."""
    contest_id = f"records-{uuid.uuid4().hex[:6]}"
    definition = demo_definition().model_copy(update={"contest_id": contest_id})
    token = mint(site.auth, subject=OTHER, roles=[Role.OPERATOR])
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10) as http:
        made = await http.post(
            f"{site.services['intake']}/contests",
            json=definition.model_dump(mode="json"),
            headers=headers,
        )
        assert made.status_code == 201, made.text
        republican = {
            "level": "republican",
            "members": [{"juror_id": "republican-chair", "name": "Ержан Бас", "role": "chair"}],
        }
        path = f"{site.services['judging']}/contests/{contest_id}/commissions"
        for _ in range(150):  # judging learns of the contest from intake's event
            put = await http.put(path, json=republican, headers=headers)
            if put.status_code != 404:
                break
            await asyncio.sleep(0.2)
        assert put.status_code == 201, put.text
    return contest_id


async def _judging(site: SignInSite, path: str) -> Any:
    token = mint(site.auth, subject="auditor", roles=[Role.OPERATOR])
    async with httpx.AsyncClient(base_url=site.services["judging"], timeout=10) as http:
        answer = await http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _rows(page: Page) -> list[tuple[str, str]]:
    """The audit log's rows as (action, who)."""
    rows = page.locator("table.audit-log tbody tr")
    found = []
    for index in range(await rows.count()):
        row = rows.nth(index)
        action = await row.get_attribute("data-action")
        who = await row.locator("td").nth(1).inner_text()
        found.append((str(action), who.strip()))
    return found


async def test_the_operator_sets_up_a_commission_and_reads_the_audit_log(
    signin_site: SignInSite,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    site = signin_site
    contest_id = await _define(site)
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    csp_watch(page)
    await sign_in(page, site, "en", OPERATOR)
    contest_path = f"/en/operator/contests/{contest_id}"
    commissions_path = f"{contest_path}/commissions"
    await page.goto(f"{site.portal}{contest_path}")
    await page.click(f"a[href='{commissions_path}']")
    await page.wait_for_url(f"{site.portal}{commissions_path}")
    assert "Republican commission" in await page.inner_text("main")

    # Created with two members: the regional commission of KZ-71.
    await page.select_option("#level", "regional")
    await page.select_option("#region_code", "KZ-71")
    await page.fill("#member-0-name", CHAIR[0])
    await page.fill("#member-0-juror_id", CHAIR[1])
    await page.fill("#member-0-bin", CHAIR[2])
    await page.select_option("#member-0-role", "chair")
    await page.fill("#member-1-name", MEMBER[0])
    await page.fill("#member-1-juror_id", MEMBER[1])
    await page.click("form[action$='/commissions'] button[type=submit]")
    await page.wait_for_url(re.compile(r".*/commissions\?done=saved&level=regional.*"))
    shown = await page.inner_text("main")
    assert CHAIR[0] in shown and CHAIR[2] in shown and MEMBER[0] in shown
    commissions = await _judging(site, f"/contests/{contest_id}/commissions")
    (regional,) = [c for c in commissions if c["level"] == "regional"]
    assert regional["region_code"] == "KZ-71"
    assert [(m["juror_id"], m["role"]) for m in regional["members"]] == [
        (CHAIR[1], "chair"),
        (MEMBER[1], "member"),
    ]

    # The form opens with its members; a malformed BIN is refused by its field, kept.
    assert await page.input_value("#member-0-name") == CHAIR[0]
    assert await page.input_value("#region_code") == "KZ-71"
    await page.fill("#member-1-bin", "12345")
    await page.fill("#member-2-name", "Сәуле Хатшы")
    await page.fill("#member-2-juror_id", "commission-kz-71")
    await page.select_option("#member-2-role", "secretary")
    await page.click("form[action$='/commissions'] button[type=submit]")
    await page.wait_for_selector(".error-summary")
    assert "12 digits" in await page.inner_text("#member-1-bin-error")
    assert await page.input_value("#member-1-bin") == "12345"
    assert await page.input_value("#member-2-name") == "Сәуле Хатшы"
    assert await page.get_attribute("#member-1-bin", "aria-invalid") == "true"
    assert await page.locator(".error-summary a[href='#member-1-bin']").count() == 1
    await scan(page, "en", screenshots / "operator-commissions-refused-en-1280.png")
    await page.set_viewport_size({"width": 360, "height": 900})
    await scan(page, "en", screenshots / "operator-commissions-refused-en-360.png")
    await page.set_viewport_size({"width": 1280, "height": 900})

    # Replaced: three members now.
    await page.fill("#member-1-bin", "987654321098")
    await page.click("form[action$='/commissions'] button[type=submit]")
    await page.wait_for_url(re.compile(r".*/commissions\?done=saved.*"))
    assert "The commission is saved" in await page.inner_text("main")
    commissions = await _judging(site, f"/contests/{contest_id}/commissions")
    (regional,) = [c for c in commissions if c["level"] == "regional"]
    assert [m["role"] for m in regional["members"]] == ["chair", "member", "secretary"]
    assert regional["members"][1]["organisation_bin"] == "987654321098"
    await _shots(page, scan, screenshots, "operator-commissions", commissions_path[3:])

    # The audit log: the creation and replacement, newest first, beside the other's.
    audit_path = f"{contest_path}/audit"
    await page.goto(f"{site.portal}{contest_path}")
    await page.click(f"a[href='{audit_path}']")
    await page.wait_for_url(f"{site.portal}{audit_path}")
    entries = await _judging(site, f"/contests/{contest_id}/audit")
    me = next(e["actor"] for e in entries if e["subject"].endswith("/KZ-71"))
    assert me != OTHER
    every = await _rows(page)
    # Judging's own entries (stage.opened by `system`) may come at any moment in between.
    changes = [row for row in every if row[0].startswith("commission.")]
    assert changes[:2] == [("commission.replaced", me), ("commission.created", me)]
    assert ("commission.created", OTHER) in changes[2:]
    assert "Commission replaced" in await page.inner_text("table.audit-log")
    export = f"/en/exports/contests/{quote(contest_id)}/audit.csv"
    assert await page.locator(f"a[href='{export}']").count() == 1

    # Narrowed by who, by what, by day; the form keeps what it was asked.
    await page.fill("#who", OTHER)
    await page.click("form.audit-filter button")
    await page.wait_for_url(re.compile(r".*/audit\?who=.*"))
    assert await _rows(page) == [("commission.created", OTHER)]
    assert await page.input_value("#who") == OTHER
    await page.fill("#who", "")
    await page.select_option("#action", "commission.replaced")
    await page.click("form.audit-filter button")
    await page.wait_for_url(re.compile(r".*/audit\?.*action=commission\.replaced.*"))
    assert await _rows(page) == [("commission.replaced", me)]
    assert await page.input_value("#action") == "commission.replaced"
    today = datetime.now(KAZAKHSTAN_TIME).date()
    await page.select_option("#action", "")
    await page.fill("#from", today.isoformat())
    await page.fill("#to", today.isoformat())
    await page.click("form.audit-filter button")
    await page.wait_for_url(re.compile(r".*/audit\?.*from=20.*"))
    assert await _rows(page) == every
    await page.fill("#from", "")
    await page.fill("#to", (today - timedelta(days=1)).isoformat())
    await page.click("form.audit-filter button")
    await page.wait_for_url(re.compile(r".*/audit\?.*from=&to=20.*"))
    assert await _rows(page) == []
    assert await page.input_value("#to") == (today - timedelta(days=1)).isoformat()

    # A day that cannot be read: a sentence by its field, not a 500.
    answer = await page.goto(f"{site.portal}{audit_path}?from=20.10.2025&who={quote(me)}")
    assert answer is not None and answer.status == 422
    assert "2025-10-20" in await page.inner_text("#from-error")
    assert await page.input_value("#who") == me
    assert len(await _rows(page)) == 2
    await scan(page, "en", screenshots / "operator-audit-refused-en-1280.png")
    await _shots(page, scan, screenshots, "operator-audit", audit_path[3:])
    await context.close()


async def test_anonymous_is_sent_to_sign_in_and_a_secretary_may_not_read_the_records(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    paths = ("/operator/contests/any/commissions", "/operator/contests/any/audit")
    async with httpx.AsyncClient(base_url=signin_site.portal, timeout=10) as http:
        for path in paths:
            answer = await http.get(f"/ru{path}")
            assert answer.status_code == 303, path
            assert unquote(answer.headers["location"]).startswith(f"/ru/sign-in?next={path}")
        forged = await http.post("/ru/operator/contests/any/commissions", data={})
        assert forged.status_code == 303  # not signed in: nothing is asked of judging
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await sign_in(page, signin_site, "kk", SECRETARY)
    for path in paths:
        answer = await page.goto(f"{signin_site.portal}/kk{path}")
        assert answer is not None and answer.status == 403, path
    await context.close()


async def _shots(page: Page, scan: Any, screenshots: Path, name: str, path: str) -> None:
    """The page at ``path`` (after the language) in kk, ru and en at 360 and 1280 px."""
    origin = "/".join(page.url.split("/")[:3])
    for lang in ("kk", "ru", "en"):
        await page.goto(f"{origin}/{lang}{path}")
        for width in (360, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            await scan(page, lang, screenshots / f"{name}-{lang}-{width}.png")
    await page.set_viewport_size({"width": 1280, "height": 900})
