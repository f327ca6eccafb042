"""The operator's notifications pages in Chromium against the real services: a webhook to a
loopback receiver that answers 500 fails for real, is found in the delivery log and sent
again once the receiver answers (signed with the secret the page showed once); a webhook
added (a refused address said by its field, what was typed kept) and removed; a staff
entry added, refused by its fields, changed and removed. Anonymous browsers are sent to
sign in, a secretary gets 403."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from playwright.async_api import Browser, Page
from signed_in_platform import OPERATOR, SECRETARY, SignInSite, sign_in

from contest_intake.domain.definitions import demo_definition
from contest_local.demo import rebased
from contest_runtime.auth import Role, mint

pytestmark = pytest.mark.asyncio(loop_scope="session")

PAGES = ("/operator/deliveries", "/operator/webhooks", "/operator/staff")
POSTS = (
    "/operator/deliveries/replay",
    "/operator/webhooks",
    "/operator/webhooks/remove",
    "/operator/staff",
    "/operator/staff/remove",
)


class Receiver:
    """A regional system on a loopback port: answers ``status`` and keeps what it got."""

    def __init__(self) -> None:
        self.status = 500
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver answering 500 until told otherwise."""
    running = Receiver()
    thread = threading.Thread(target=running.server.serve_forever, daemon=True)
    thread.start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def _operator(site: SignInSite) -> dict[str, str]:
    token = mint(site.auth, subject="console-test", roles=[Role.OPERATOR])
    return {"Authorization": f"Bearer {token}"}


async def _notifications(site: SignInSite, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=site.services["notifications"], timeout=10) as api:
        return await api.get(path, headers=_operator(site))


async def _close_submission_of_a_new_contest(site: SignInSite) -> str:
    """A contest defined and its submission closed at intake: a `kz.contest.stage.closed`
    event, which notifications sends to the webhooks that want it."""
    definition = rebased(demo_definition(), datetime.now(UTC))
    contest_id = f"notify-{uuid.uuid4().hex[:6]}"
    definition = definition.model_copy(update={"contest_id": contest_id})
    headers = _operator(site)
    async with httpx.AsyncClient(base_url=site.services["intake"], timeout=30) as intake:
        defined = await intake.post(
            "/contests",
            content=definition.model_dump_json(),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert defined.status_code == 201, defined.text
        closed = await intake.post(f"/contests/{contest_id}/submission/close", headers=headers)
        assert closed.status_code == 200, closed.text
    return contest_id


async def _until_status(page: Page, address: str, status_text: str) -> None:
    """Reload the log at ``address`` until its first row says ``status_text``."""
    for _ in range(100):
        await page.goto(address)
        cell = page.locator("tbody tr .delivery-status").first
        if await cell.count() and (await cell.inner_text()).strip() == status_text:
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"{address}: no delivery {status_text!r}")


async def test_a_failed_webhook_is_sent_again_from_the_log_and_the_webhook_removed(
    signin_site: SignInSite,
    browser: Browser,
    screens: Any,
    scan: Any,
    screenshots: Path,
    receiver: Receiver,
) -> None:
    site = signin_site
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, site, "en", OPERATOR)
    await page.goto(f"{site.portal}/en/operator")
    await page.click("a[href='/en/operator/webhooks']")
    await page.wait_for_url(f"{site.portal}/en/operator/webhooks")
    await scan(page, "en", screenshots / "operator-webhooks-en-1280.png")

    # An address that is no web address is refused by its field, the form kept as typed.
    await page.fill("#url", "ftp://region.example.kz/events")
    await page.fill("#regions", "KZ-71")
    await page.check("input[name='event-kz.contest.stage.closed']")
    await page.click("form[action='/en/operator/webhooks'] button[type=submit]")
    await page.wait_for_selector("#url-error")
    assert "https://" in await page.inner_text("#url-error")
    assert await page.get_attribute("#url", "aria-invalid") == "true"
    assert await page.input_value("#url") == "ftp://region.example.kz/events"
    assert await page.input_value("#regions") == "KZ-71"
    assert await page.is_checked("input[name='event-kz.contest.stage.closed']")
    assert await page.locator(".error-summary a[href='#url']").count() == 1
    await scan(page, "en", screenshots / "operator-webhooks-refused-en-1280.png")

    # The receiver's address, every region, the secret made by the portal and shown once.
    await page.fill("#url", receiver.url)
    await page.fill("#regions", "")
    await page.click("form[action='/en/operator/webhooks'] button[type=submit]")
    await page.wait_for_selector("#new-secret")
    secret = (await page.inner_text("#new-secret")).strip()
    assert len(secret) >= 32
    assert "shown only now" in await page.inner_text("#created")
    listed = (await _notifications(site, "/webhooks")).json()
    mine = [s for s in listed if s["url"] == receiver.url]
    assert len(mine) == 1 and mine[0]["event_types"] == ["kz.contest.stage.closed"]
    subscription_id = mine[0]["subscription_id"]
    await page.goto(f"{site.portal}/en/operator/webhooks")
    assert await page.locator("#new-secret").count() == 0  # never shown again
    assert await page.locator(f"[data-subscription='{subscription_id}']").count() == 1

    # The event fails at the receiver (500) on every attempt: the delivery is failed.
    await _close_submission_of_a_new_contest(site)
    log = f"{site.portal}/en/operator/deliveries?recipient_id={subscription_id}"
    await _until_status(page, log, "Failed")
    assert receiver.received, "the receiver was never called"
    assert await page.input_value("#recipient_id") == subscription_id  # the filter kept
    row = page.locator("tbody tr").first
    assert "answered with an error (500)" in await row.inner_text()
    key = await row.get_attribute("data-key")
    assert key is not None
    for lang in ("kk", "ru", "en"):
        await page.goto(f"{site.portal}/{lang}/operator/deliveries?recipient_id={subscription_id}")
        for width in (360, 1280):
            await page.set_viewport_size({"width": width, "height": 900})
            await scan(page, lang, screenshots / f"operator-deliveries-{lang}-{width}.png")
            # the table scrolls in its own box, the page never sideways
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
    await page.set_viewport_size({"width": 1280, "height": 900})

    # The receiver is back: "Send again" delivers it, signed with the secret shown once.
    await page.goto(log)
    csrf = await page.locator("input[name=csrf]").first.input_value()
    receiver.status = 204
    tries = len(receiver.received)
    await page.click("tbody tr button[type=submit]")
    await page.wait_for_url("**outcome=sent**")
    assert "sent again and delivered" in await page.inner_text("#outcome")
    assert await page.input_value("#recipient_id") == subscription_id
    assert (await page.inner_text("tbody tr .delivery-status")).strip() == "Delivered"
    assert await page.locator("tbody tr form").count() == 0
    headers, body = receiver.received[tries]
    timestamp = headers["X-Contest-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    assert headers["X-Contest-Signature"] == f"v1={expected.hexdigest()}"
    delivered = (await _notifications(site, f"/deliveries?recipient_id={subscription_id}")).json()
    assert [d["status"] for d in delivered] == ["delivered"]
    await scan(page, "en", screenshots / "operator-deliveries-sent-en-1280.png")

    # The same form again (it has not failed now: 409), and a key that is none (404).
    for sent_key, outcome, words in (
        (key, "not_failed", "had not failed"),
        ("no/such/key", "unknown", "not in the log"),
    ):
        answer = await page.request.post(
            f"{site.portal}/en/operator/deliveries/replay",
            form={"csrf": csrf, "key": sent_key, "recipient_id": subscription_id},
            max_redirects=0,
        )
        assert answer.status == 303, sent_key
        location = answer.headers["location"]
        assert f"outcome={outcome}" in location
        await page.goto(f"{site.portal}{location}")
        assert words in await page.inner_text("#outcome")

    # Removing the subscription.
    await page.goto(f"{site.portal}/en/operator/webhooks")
    await page.click(f"[data-subscription='{subscription_id}'] button[type=submit]")
    await page.wait_for_url("**/en/operator/webhooks?done=removed")
    assert await page.locator(f"[data-subscription='{subscription_id}']").count() == 0
    listed = (await _notifications(site, "/webhooks")).json()
    assert all(s["subscription_id"] != subscription_id for s in listed)
    await context.close()


async def test_the_operator_adds_changes_and_removes_a_staff_entry(
    signin_site: SignInSite, browser: Browser, screens: Any, scan: Any, screenshots: Path
) -> None:
    site = signin_site
    person_id = f"secretary-{uuid.uuid4().hex[:6]}"
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await sign_in(page, site, "kk", OPERATOR)
    await page.goto(f"{site.portal}/kk/operator")
    await page.click("a[href='/kk/operator/staff']")
    await page.wait_for_url(f"{site.portal}/kk/operator/staff")
    await scan(page, "kk", screenshots / "operator-staff-kk-360.png")
    submit = "form[action='/kk/operator/staff'] button[type=submit]"

    # An email that is none: refused by its field, everything typed kept.
    await page.fill("#person_id", person_id)
    await page.fill("#name", "Айгерим Сейітова")
    await page.fill("#email", "aigerim.example.kz")
    await page.select_option("#language", "kk")
    await page.check("#role-secretary")
    await page.click(submit)
    await page.wait_for_selector("#email-error")
    assert await page.get_attribute("#email", "aria-invalid") == "true"
    assert await page.input_value("#email") == "aigerim.example.kz"
    assert await page.input_value("#name") == "Айгерим Сейітова"
    assert await page.input_value("#person_id") == person_id
    assert await page.input_value("#language") == "kk"
    assert await page.is_checked("#role-secretary")
    assert "name@example.kz" in await page.inner_text("#email-error")
    await scan(page, "kk", screenshots / "operator-staff-refused-kk-360.png")

    # A secretary without a region: refused by the region's field.
    await page.fill("#email", "aigerim@example.kz")
    await page.click(submit)
    await page.wait_for_selector("#region_code-error")
    assert "KZ-71" in await page.inner_text("#region_code-error")
    assert await page.locator("#email-error").count() == 0

    await page.fill("#region_code", "KZ-71")
    await page.click(submit)
    await page.wait_for_url("**/kk/operator/staff?done=kept")
    assert await page.locator(f"[data-person='{person_id}']").count() == 1
    kept = (await _notifications(site, f"/staff/{person_id}")).json()
    assert kept == {
        "name": "Айгерим Сейітова",
        "email": "aigerim@example.kz",
        "language": "kk",
        "roles": ["secretary"],
        "region_code": "KZ-71",
    }

    # Changed: the form filled with the entry, a new address and a second role.
    await page.click(f"[data-person='{person_id}'] a")
    assert await page.input_value("#email") == "aigerim@example.kz"
    assert await page.input_value("#region_code") == "KZ-71"
    await page.fill("#email", "a.seitova@example.kz")
    await page.check("#role-juror")
    await page.click(submit)
    await page.wait_for_url("**/kk/operator/staff?done=kept")
    changed = (await _notifications(site, f"/staff/{person_id}")).json()
    assert (changed["email"], changed["roles"]) == ("a.seitova@example.kz", ["juror", "secretary"])
    for lang in ("kk", "ru", "en"):
        await page.goto(f"{site.portal}/{lang}/operator/staff")
        await scan(page, lang, screenshots / f"operator-staff-{lang}-360.png")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360

    await page.goto(f"{site.portal}/ru/operator/staff")
    await page.click(f"[data-person='{person_id}'] button[type=submit]")
    await page.wait_for_url("**/ru/operator/staff?done=removed")
    assert await page.locator(f"[data-person='{person_id}']").count() == 0
    assert (await _notifications(site, f"/staff/{person_id}")).status_code == 404
    await context.close()


async def test_anonymous_is_sent_to_sign_in_and_a_secretary_is_refused_the_pages(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    async with httpx.AsyncClient(base_url=signin_site.portal, timeout=10) as http:
        for path in PAGES:
            answer = await http.get(f"/ru{path}")
            assert answer.status_code == 303, path
            assert unquote(answer.headers["location"]).startswith(f"/ru/sign-in?next={path}")
        for path in POSTS:
            forged = await http.post(f"/ru{path}", data={})
            assert forged.status_code == 303, path  # not signed in: nothing reaches notifications
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await sign_in(page, signin_site, "ru", SECRETARY)
    for path in PAGES:
        answer = await page.goto(f"{signin_site.portal}/ru{path}")
        assert answer is not None and answer.status == 403, path
    await context.close()
