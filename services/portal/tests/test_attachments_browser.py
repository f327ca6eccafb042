"""The applicant's files in Chromium against the real services (the signed-in platform):
the limits shown before anything is sent, a file of a refused type told next to the field,
a PDF attached (sent by `upload.js` with its progress shown) and listed with its size, one
too large refused before it is sent, then removed; without JavaScript a PDF attached and
one too large refused by the portal, another by intake; others get 403, anonymous people sign in."""

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

from contest_contracts.events.contest import AttachmentRules
from contest_intake.domain.definitions import demo_definition
from contest_local.demo import rebased
from contest_runtime.auth import Role, mint

pytestmark = pytest.mark.asyncio(loop_scope="session")

WORKER = "special-services-centre-worker"
MOST_BYTES = 64 * 1024
"""The module's contest takes files of at most 64 KiB, so that too large ones stay small."""


def _pdf(size: int) -> bytes:
    head = b"%PDF-1.4\n"
    return head + b"0" * (size - len(head))


@pytest.fixture(scope="module")
def files_contest(signin_site: SignInSite) -> str:
    """A contest of this module's own, taking applications now, with PDF, JPEG and PNG
    files of at most :data:`MOST_BYTES`."""
    base = rebased(demo_definition(), datetime.now(UTC))
    definition = base.model_copy(
        update={
            "contest_id": f"files-{uuid.uuid4().hex[:6]}",
            "attachments": AttachmentRules(
                max_bytes=MOST_BYTES, media_types=["application/pdf", "image/jpeg", "image/png"]
            ),
        }
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


async def _new_draft(page: Page, site: SignInSite, lang: str, contest: str, name: str) -> str:
    """A draft saved from the new application's form; the address of its page."""
    await page.goto(f"{site.portal}/{lang}/applicant/new/{contest}/{WORKER}")
    # before a draft exists there is nothing to attach to
    assert await page.locator("input[type=file]").count() == 0
    await page.fill("[name='applicant.display_name']", name)
    await page.click("button[value=draft]")
    await page.wait_for_url(f"{site.portal}/{lang}/applicant?saved=draft")
    card = page.locator(".applications li.card", has_text=name).first
    await card.locator("a[href*='/applicant/applications/']").first.click()
    await page.wait_for_url(f"{site.portal}/{lang}/applicant/applications/*")
    return page.url


async def _choose(page: Page, name: str, mime_type: str, content: bytes) -> None:
    await page.set_input_files(
        "input[type=file]", files=[{"name": name, "mimeType": mime_type, "buffer": content}]
    )


async def test_an_applicant_attaches_a_pdf_sees_refusals_by_the_field_and_removes_it(
    signin_site: SignInSite,
    files_contest: str,
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
    here = await _new_draft(page, signin_site, "en", files_contest, "Files applicant one")

    # The limits, before anything is sent.
    hint = await page.inner_text("#file-hint")
    assert "PDF, JPEG, PNG, each at most 64 KB" in hint, hint
    assert "at most 20 files" in hint
    assert "No files are attached yet" in await page.inner_text(".files")

    # A file of a type the contest does not take: intake's 415, a sentence by the field.
    await _choose(page, "notes.txt", "text/plain", b"just some notes")
    await page.click("form.upload button[type=submit]")
    await expect(page.locator("#file-error")).to_contain_text("Files of this type are not")
    assert "PDF, JPEG, PNG" in await page.inner_text("#file-error")
    assert await page.get_attribute("#file", "aria-invalid") == "true"
    assert "Files of this type" in await page.inner_text(".error-summary")
    await scan(page, "en", screenshots / "applicant-file-refused-en-1280.png")

    # A PDF, slowly: upload.js sends it with XMLHttpRequest and shows its progress.
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 16384},
    )
    await _choose(page, "Өтініш.pdf", "application/pdf", _pdf(48 * 1024))
    async with page.expect_request(lambda r: r.method == "POST") as sent:
        await page.click("form.upload button[type=submit]")
    assert (await sent.value).resource_type == "xhr"
    await expect(page.locator(".upload__progress")).to_be_visible()
    await expect(page.locator(".upload__progress [role=status]")).to_contain_text("% sent")
    assert await page.locator("form.upload button[type=submit]").is_disabled()
    await expect(page.locator(".panel--done")).to_contain_text(
        "The file is attached", timeout=20000
    )
    await cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    assert page.url == here + "?files=attached"
    listed = page.locator(".attached-file")
    assert await listed.count() == 1
    assert "Өтініш.pdf" in await listed.inner_text()
    assert "48 KB" in await listed.inner_text()
    # Downloaded again through the portal: the same bytes, under its own name.
    async with page.expect_download() as downloading:
        await page.click(".attached-file a")
    download = await downloading.value
    assert download.suggested_filename == "Өтініш.pdf"
    path = await download.path()
    assert path is not None and await asyncio.to_thread(Path(path).read_bytes) == _pdf(48 * 1024)

    # Too large: not sent at all (the script knows the limit), the sentence by the field.
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    await _choose(page, "big.pdf", "application/pdf", _pdf(MOST_BYTES + 1))
    await page.click("form.upload button[type=submit]")
    await expect(page.locator("#file-too-large")).to_be_visible()
    assert "at most 64 KB" in await page.inner_text("#file-too-large")
    assert requests == []
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            view = await (await browser.new_context(**screens(width))).new_page()
            csp_watch(view)
            await sign_in(view, signin_site, lang, APPLICANT)
            await view.goto(here.replace("/en/", f"/{lang}/"))
            await scan(view, lang, screenshots / f"applicant-files-{lang}-{width}.png")
            await view.context.close()

    # Removed, with its CSRF token.
    await page.click(".attached-file button[type=submit]")
    await expect(page.locator(".panel--done")).to_contain_text("The file is removed")
    assert await page.locator(".attached-file").count() == 0
    assert "No files are attached yet" in await page.inner_text(".files")
    await context.close()


async def test_files_are_attached_and_refused_without_javascript(
    signin_site: SignInSite,
    files_contest: str,
    browser: Browser,
    screens: Any,
    screenshots: Path,
) -> None:
    context = await browser.new_context(**screens(360), java_script_enabled=False)
    page = await context.new_page()
    await sign_in(page, signin_site, "ru", APPLICANT)
    here = await _new_draft(page, signin_site, "ru", files_contest, "Files applicant two")

    await _choose(page, "scan.pdf", "application/pdf", _pdf(2000))
    await page.click("form.upload button[type=submit]")
    await page.wait_for_url(here + "?files=attached")
    assert "scan.pdf" in await page.inner_text(".attached-file")

    # Past the portal's bound (the limit and the form around it): refused before intake.
    await _choose(page, "huge.pdf", "application/pdf", _pdf(MOST_BYTES + 20 * 1024))
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.click("form.upload button[type=submit]")
    assert (await answer.value).status == 413
    await expect(page.locator("#file-error")).to_contain_text("слишком большой")
    # Within the portal's bound, past the definition's: intake refuses it, in the same words.
    await _choose(page, "big.pdf", "application/pdf", _pdf(MOST_BYTES + 10))
    async with page.expect_response(lambda r: r.request.method == "POST") as answer:
        await page.click("form.upload button[type=submit]")
    assert (await answer.value).status == 413
    await expect(page.locator("#file-error")).to_contain_text("слишком большой")
    # (no axe scan here: it needs the page's JavaScript)
    await page.screenshot(path=screenshots / "applicant-file-too-large-ru-360.png", full_page=True)
    assert await page.locator(".attached-file").count() == 1

    await context.close()


async def test_files_are_the_applicants_own(
    signin_site: SignInSite, files_contest: str, browser: Browser, screens: Any
) -> None:
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", APPLICANT)
    here = await _new_draft(page, signin_site, "en", files_contest, "Files applicant three")
    upload = here + "/attachments"
    form = {
        "csrf": "forged",
        "file": {"name": "a.pdf", "mimeType": "application/pdf", "buffer": _pdf(500)},
    }
    forged = await page.request.post(upload, multipart=form)  # type: ignore[arg-type]
    assert forged.status == 403
    await page.goto(here)
    assert await page.locator(".attached-file").count() == 0
    await context.close()

    anonymous = await browser.new_context(**screens(1280))
    answer = await anonymous.request.post(upload, multipart=form, max_redirects=0)  # type: ignore[arg-type]
    assert answer.status == 303, answer.status
    assert answer.headers["location"].startswith("/en/sign-in?next=")
    await anonymous.close()

    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", SECRETARY)
    for path in (upload, upload + "/any/remove"):
        answer = await page.request.post(path, form={"csrf": "x"})
        assert answer.status == 403, path
    await context.close()
