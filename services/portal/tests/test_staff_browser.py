"""The staff's workspaces in Chromium against the real services trusting the local identity
provider: a regional secretary screens an application of their region, a juror scores one
application and declares a conflict on another, the commission secretary sees the sheets per
juror and, after the close, the ranking sheet by sheet. Anyone not signed in is sent to sign
in; a signed-in person without the role gets the 403 page."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page
from signed_in_platform import (
    APPLICANT,
    COMMISSION_SECRETARY,
    JUROR,
    SECRETARY,
    SignInSite,
    sign_in,
)

from contest_contracts.common import Language, LocalizedText
from contest_intake.domain.definitions import demo_definition
from contest_local.demo import rebased
from contest_local.edition.people import People
from contest_portal.formats import score
from contest_runtime.auth import Role, mint

pytestmark = pytest.mark.asyncio(loop_scope="session")

NOMINATION = "social-project"
REGION = "KZ-71"
CRITERION_HINT = "Насколько проект меняет жизнь людей"
PDF = b"%PDF-1.7 " + bytes(range(256)) * 40


@dataclass(frozen=True)
class Judged:
    """A contest whose regional stage is open with the juror assigned to two applications,
    and a third application waiting for screening."""

    contest_id: str
    assigned: list[str]
    waiting: str
    files: dict[str, str]
    """Application id → the id of the PDF its applicant attached."""


@pytest.fixture(scope="module")
def judged(signin_site: SignInSite) -> Judged:
    """Set up through the APIs as an operator, as `contest_local.edition.play` does."""
    definition = rebased(demo_definition(), datetime.now(UTC))
    contest_id = f"staff-{uuid.uuid4().hex[:6]}"
    nominations = [
        n.model_copy(
            update={
                "rubric": [
                    c.model_copy(update={"description": LocalizedText(ru=CRITERION_HINT)})
                    for c in n.rubric
                ]
            }
        )
        for n in definition.nominations
    ]
    definition = definition.model_copy(
        update={
            "contest_id": contest_id,
            "nominations": nominations,
            "judging": definition.judging.model_copy(
                update={"jurors_per_application": 1, "scores_to_applicants": True}
            ),
        }
    )
    operator = {
        "Authorization": f"Bearer {mint(signin_site.auth, subject='op', roles=[Role.OPERATOR])}"
    }
    people = People(seed=71)
    with (
        httpx.Client(base_url=signin_site.services["intake"], timeout=30) as intake,
        httpx.Client(base_url=signin_site.services["judging"], timeout=30) as judging,
    ):
        answer = intake.post(
            "/contests",
            content=definition.model_dump_json(),
            headers={**operator, "Content-Type": "application/json"},
        )
        assert answer.status_code == 201, answer.text
        _until(lambda: judging.get(f"/contests/{contest_id}/commissions", headers=operator))
        members = [
            {"juror_id": JUROR.username, "name": JUROR.name, "role": "chair"},
            {
                "juror_id": COMMISSION_SECRETARY.username,
                "name": COMMISSION_SECRETARY.name,
                "role": "secretary",
            },
        ]
        answer = judging.put(
            f"/contests/{contest_id}/commissions",
            json={"level": "regional", "region_code": REGION, "members": members},
            headers=operator,
        )
        assert answer.status_code in (200, 201), answer.text
        ids: list[str] = []
        files: dict[str, str] = {}
        for number in range(3):
            # The first is the signed-in applicant's, who reads its scores after the close.
            subject = APPLICANT.username if number == 0 else f"staff-{number}"
            applicant = mint(signin_site.auth, subject=subject, roles=[Role.APPLICANT])
            answer = intake.post(
                f"/contests/{contest_id}/applications",
                json={**people.project_form(NOMINATION, REGION), "submit": True},
                headers={"Authorization": f"Bearer {applicant}"},
            )
            assert answer.status_code == 201, answer.text
            ids.append(answer.json()["application_id"])
            attached = intake.post(
                f"/applications/{ids[-1]}/attachments",
                params={"filename": f"устав-{number}.pdf"},
                content=PDF,
                headers={"Authorization": f"Bearer {applicant}", "Content-Type": "application/pdf"},
            )
            assert attached.status_code == 201, attached.text
            files[ids[-1]] = attached.json()["attachments"][0]["attachment_id"]
        for application_id in ids[:2]:
            answer = intake.post(
                f"/applications/{application_id}/screening",
                json={"decision": "eligible"},
                headers=operator,
            )
            assert answer.status_code == 200, answer.text
        assert intake.post(f"/contests/{contest_id}/submission/close", headers=operator).is_success
        juror = {
            "Authorization": "Bearer "
            + mint(signin_site.auth, subject=JUROR.username, roles=[Role.JUROR])
        }
        mine = f"/contests/{contest_id}/stages/regional/assignments/mine"
        _until(lambda: _answer_if(judging.get(mine, headers=juror), lambda b: len(b) == 2))
    return Judged(contest_id, ids[:2], ids[2], files)


async def shows(page: Page, words: str) -> None:
    """Wait for ``words`` on the page: forms are posted with fetch and the answer replaces
    the page (`portal.js`)."""
    await page.locator("main").get_by_text(words).first.wait_for(timeout=15_000)


def _answer_if(answer: httpx.Response, check: Any) -> httpx.Response:
    return answer if answer.status_code == 200 and check(answer.json()) else httpx.Response(425)


def _until(call: Any, timeout_s: float = 60) -> None:
    deadline = datetime.now(UTC).timestamp() + timeout_s
    while datetime.now(UTC).timestamp() < deadline:
        if call().status_code == 200:
            return
        import time

        time.sleep(0.3)
    raise AssertionError("the services did not get there in time")


async def test_a_secretary_screens_an_application_of_their_region(
    signin_site: SignInSite,
    judged: Judged,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    queue = f"{signin_site.portal}/{{lang}}/secretary/{judged.contest_id}"
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, SECRETARY)
            await page.click("a[href$='/secretary']")
            await page.click(f"a[href$='/secretary/{judged.contest_id}']")
            assert page.url == queue.format(lang=lang)
            assert await page.locator(".queue__item").count() == 3, await page.inner_text("main")
            await scan(page, lang, screenshots / f"staff-secretary-queue-{lang}-{width}.png")
            if (lang, width) == ("en", 1280):
                # the waiting application's file, downloaded through the portal
                link = page.locator(".queue__item", has=page.locator(f"#pick-{judged.waiting}"))
                async with page.expect_download() as downloading:
                    await link.locator("a.file-link").click()
                download = await downloading.value
                assert download.suggested_filename == "устав-2.pdf"
                path = await download.path()
                assert path is not None and await asyncio.to_thread(Path(path).read_bytes) == PDF
                # ineligible without a reason: said next to the reason, the pick kept
                await page.check(f"#pick-{judged.waiting}")
                await page.check("#decision-ineligible")
                await page.click("form[action$='/screening'] button[type=submit]")
                await shows(page, "Write why the application is ineligible.")
                assert await page.is_checked(f"#pick-{judged.waiting}")
                await scan(page, lang, screenshots / "staff-secretary-refused-en-1280.png")
                await page.fill("#reason", "The project has not started yet")
                await page.click("form[action$='/screening'] button[type=submit]")
                await shows(page, "1 decision recorded.")
                await page.select_option("#status", "ineligible")
                await page.click("form.filters button")
                items = page.locator(".queue__item")
                assert await items.count() == 1
                assert "The project has not started yet" in await items.inner_text()
            await context.close()


async def test_a_juror_scores_one_application_and_declares_a_conflict_on_another(
    signin_site: SignInSite,
    judged: Judged,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    scored, conflicted = judged.assigned
    base = f"{signin_site.portal}/{{lang}}/juror/{judged.contest_id}"
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, JUROR)
            await page.click("a[href$='/juror']")
            await page.click(f"a[href$='/juror/{judged.contest_id}']")
            await scan(page, lang, screenshots / f"staff-juror-assignments-{lang}-{width}.png")
            await page.goto(base.format(lang=lang) + f"/regional/{scored}")
            assert CRITERION_HINT in await page.inner_text("main")
            await scan(page, lang, screenshots / f"staff-juror-sheet-{lang}-{width}.png")
            await context.close()
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    csp_watch(page)
    await sign_in(page, signin_site, "en", JUROR)
    await page.goto(base.format(lang="en") + f"/regional/{scored}")
    facts = await page.inner_text("dl.facts-list")
    assert "Project title" in facts and "What the project does" in facts  # labels, not names
    assert "project_title" not in facts
    async with page.expect_download() as downloading:
        await page.click("a.file-link")
    download = await downloading.value
    assert download.suggested_filename == "устав-0.pdf"
    path = await download.path()
    assert path is not None and await asyncio.to_thread(Path(path).read_bytes) == PDF
    inputs = page.locator("input.input--score")
    count = await inputs.count()
    assert count >= 2
    await inputs.nth(0).fill("99")  # over the maximum: refused, what was typed kept
    for n in range(1, count):
        await inputs.nth(n).fill("5")
    await page.click("form[action$='/sheet'] button[type=submit]")
    await shows(page, "whole-number score from 0 to its maximum")
    assert await inputs.nth(0).input_value() == "99"
    await scan(page, "en", screenshots / "staff-juror-sheet-refused-en-1280.png")
    await inputs.nth(0).fill("7")
    await page.fill("#comment", "Clear plan")
    await page.click("form[action$='/sheet'] button[type=submit]")
    await shows(page, "Your sheet is saved.")
    await inputs.nth(0).fill("8")  # revised before the close
    await page.click("form[action$='/sheet'] button[type=submit]")
    await page.wait_for_selector("form[action$='/sheet']:not([aria-busy])")
    assert await inputs.nth(0).input_value() == "8"

    await page.goto(base.format(lang="en") + f"/regional/{conflicted}")
    await page.click("form[action$='/conflict'] button[type=submit]")
    await shows(page, "Write why you have a conflict")
    await page.fill("#conflict-reason", "The applicant is my neighbour")
    await page.click("form[action$='/conflict'] button[type=submit]")
    await shows(page, "Your conflict of interest is recorded.")
    assert conflicted not in await page.inner_html("main")
    answer = await page.goto(base.format(lang="en") + f"/regional/{conflicted}")
    assert answer is not None and answer.status == 404  # no longer theirs
    await context.close()

    juror = mint(signin_site.auth, subject=JUROR.username, roles=[Role.JUROR])
    async with httpx.AsyncClient(timeout=10) as http:
        mine = await http.get(
            signin_site.services["judging"]
            + f"/contests/{judged.contest_id}/stages/regional/assignments/mine",
            headers={"Authorization": f"Bearer {juror}"},
        )
    (left,) = mine.json()
    assert left["application_id"] == scored
    assert left["sheet"]["scores"][next(iter(left["sheet"]["scores"]))] == 8
    assert left["sheet"]["revision"] == 2


async def test_only_the_juror_assigned_now_reads_an_applications_files(
    signin_site: SignInSite, judged: Judged, browser: Browser, screens: Any
) -> None:
    """Runs after the juror declared a conflict on the second application (above)."""
    scored, conflicted = judged.assigned

    def bearer(subject: str, role: Role, region: str | None = None) -> dict[str, str]:
        token = mint(signin_site.auth, subject=subject, roles=[role], region_code=region)
        return {"Authorization": f"Bearer {token}"}

    def url(application_id: str) -> str:
        file_id = judged.files[application_id]
        return f"/applications/{application_id}/attachments/{file_id}"

    juror = bearer(JUROR.username, Role.JUROR)
    async with httpx.AsyncClient(base_url=signin_site.services["intake"], timeout=10) as intake:
        assigned = await intake.get(url(scored), headers=juror)
        assert assigned.status_code == 200 and assigned.content == PDF
        listed = await intake.get(f"/applications/{scored}/attachments", headers=juror)
        assert [f["filename"] for f in listed.json()] == ["устав-0.pdf"]
        for application_id, who in [
            (conflicted, juror),  # their assignment ended by the conflict
            (judged.waiting, juror),  # never assigned (not screened)
            (scored, bearer("juror-kz-71-9", Role.JUROR)),  # another juror
            (scored, bearer("staff-1", Role.APPLICANT)),  # the applicant of another one
            (scored, bearer("secretary-kz-75", Role.SECRETARY, "KZ-75")),  # another region
        ]:
            refused = await intake.get(url(application_id), headers=who)
            assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        assert (await intake.get(url(scored))).status_code == 401

    # Through the portal: the conflicted juror gets the 403 page, not the file.
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", JUROR)
    base = f"{signin_site.portal}/en/juror/{judged.contest_id}/regional"
    answer = await page.goto(f"{base}/{conflicted}/files/{judged.files[conflicted]}")
    assert answer is not None and answer.status == 403
    await context.close()


async def test_the_commission_secretary_sees_the_sheets_and_after_the_close_the_ranking(
    signin_site: SignInSite,
    judged: Judged,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    sheets = f"{signin_site.portal}/{{lang}}/commission/{judged.contest_id}"
    ranking = sheets + f"/regional/ranking?nomination={NOMINATION}"
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", COMMISSION_SECRETARY)
    await page.goto(ranking.format(lang="en"))
    assert "once the stage has closed" in await page.inner_text("main")
    await context.close()
    operator = mint(signin_site.auth, subject="op", roles=[Role.OPERATOR])
    async with httpx.AsyncClient(timeout=10) as http:
        closed = await http.post(
            signin_site.services["judging"]
            + f"/contests/{judged.contest_id}/stages/regional/close",
            json={"force": True},
            headers={"Authorization": f"Bearer {operator}"},
        )
    assert closed.status_code == 200, closed.text
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, COMMISSION_SECRETARY)
            await page.click("a[href$='/commission']")
            await page.click(f"a[href$='/commission/{judged.contest_id}']")
            assert JUROR.name in await page.inner_text("table")  # by name, not id
            await scan(page, lang, screenshots / f"staff-commission-sheets-{lang}-{width}.png")
            await page.goto(ranking.format(lang=lang))
            main = await page.inner_text("main")
            assert JUROR.name in main
            await scan(page, lang, screenshots / f"staff-commission-ranking-{lang}-{width}.png")
            await context.close()


async def test_after_the_close_the_applicant_sees_how_the_commission_scored_theirs(
    signin_site: SignInSite,
    judged: Judged,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    """Runs after the commission test forced the regional close: judging announced each
    criterion's mean (the contest shows applicants their scores), intake kept it."""
    scored = judged.assigned[0]
    owner = mint(signin_site.auth, subject=APPLICANT.username, roles=[Role.APPLICANT])
    async with httpx.AsyncClient(base_url=signin_site.services["intake"], timeout=10) as intake:
        url = f"/applications/{scored}/standings"
        headers = {"Authorization": f"Bearer {owner}"}
        for _ in range(100):
            standings = (await intake.get(url, headers=headers)).json()
            if standings:
                break
            await asyncio.sleep(0.2)
        [standing] = standings
        read = await intake.get(f"/applications/{scored}", headers=headers)
        while read.json()["status"] not in ("finalist", "not_selected"):
            await asyncio.sleep(0.2)
            read = await intake.get(f"/applications/{scored}", headers=headers)
    assert standing["rank"] == 1 and standing["sheets"] == 1
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, APPLICANT)
            await page.goto(f"{signin_site.portal}/{lang}/applicant")
            card = page.locator("li.card", has=page.locator("table.sheet-table"))
            assert await card.count() == 1
            table = await card.locator("table.sheet-table").inner_text()
            for mean in standing["criteria"].values():
                assert score(mean, Language(lang)) in table, lang
            if lang == "en":
                assert f"Place 1 of {standing['ranked']}" in await card.inner_text()
            await scan(page, lang, screenshots / f"applicant-scores-{lang}-{width}.png")
            await context.close()


@pytest.mark.parametrize(
    ("path", "others"),
    [
        ("/secretary", (JUROR, APPLICANT)),
        ("/juror", (SECRETARY, COMMISSION_SECRETARY)),
        ("/commission", (JUROR, SECRETARY)),
    ],
)
async def test_each_workspace_asks_for_sign_in_and_refuses_the_other_roles(
    signin_site: SignInSite, browser: Browser, screens: Any, path: str, others: tuple[Any, ...]
) -> None:
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await page.goto(f"{signin_site.portal}/ru{path}")
    assert page.url.startswith(signin_site.provider)  # sent to sign in
    await context.close()
    for account in others:
        context = await browser.new_context(**screens(360))
        page = await context.new_page()
        await sign_in(page, signin_site, "ru", account)
        assert await page.locator(f"a[href$='{path}']").count() == 0  # no link to it
        answer = await page.goto(f"{signin_site.portal}/ru{path}")
        assert answer is not None and answer.status == 403
        await context.close()
    await asyncio.sleep(0)
