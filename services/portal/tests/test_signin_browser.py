"""Signing in through a real browser: headless Chromium, the portal, the local identity
provider, and the four services trusting that provider. The token a person gets works on
every service's API; a return the browser did not start is refused; signing out ends the
provider's session too; and no password, code or token is in any log line."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser
from signed_in_platform import (
    OPERATOR,
    SECRETARY,
    SignInSite,
    access_token,
    sign_in,
    with_cookie,
)

from contest_portal.signins import SIGNED_IN, SignIns

pytestmark = pytest.mark.asyncio(loop_scope="session")

OPERATOR_CALLS = {
    "intake": "/contests/{contest}/applications",
    "judging": "/contests/{contest}/commissions",
    "voting": "/contests/{contest}/invalidations",
    "notifications": "/deliveries",
}
"""A call on each service that only an operator may make."""


async def test_a_person_signs_in_in_a_browser_and_their_token_works_on_every_service(
    signin_site: SignInSite,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, OPERATOR)
            await scan(page, lang, screenshots / f"signin-account-{lang}-{width}.png")
            assert OPERATOR.name in await page.inner_text("main")
            if (lang, width) == ("ru", 1280):
                token = access_token(await context.cookies(), signin_site)
                await _works_on_every_service(signin_site, token)
                await page.click("form[action$='/sign-out'] button")
                # back on the site, in the browser's language (the post-logout address is one)
                await page.wait_for_url(re.compile(re.escape(signin_site.portal) + "/(kk|ru|en)/$"))
                assert SIGNED_IN not in {c["name"] for c in await context.cookies()}
                # the provider's session ended too: the account page asks for a password
                await page.goto(f"{signin_site.portal}/ru/account")
                assert page.url.startswith(signin_site.provider)
                assert await page.locator("#password").count() == 1
            await context.close()


async def _works_on_every_service(site: SignInSite, token: str) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        for name, path in OPERATOR_CALLS.items():
            url = site.services[name] + path.format(contest="no-such-contest")
            anonymous = await http.get(url)
            assert anonymous.status_code == 401, (name, anonymous.text)
            signed = await http.get(url, headers={"Authorization": f"Bearer {token}"})
            # past the token and the role: the list, or the contest this run does not have
            assert signed.status_code in (200, 404), (name, signed.text)
            if signed.status_code == 404:
                assert signed.json()["code"] != "unauthenticated"


async def test_a_secretary_signed_in_is_no_operator(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", SECRETARY)
    assert "Regional secretary" in await page.inner_text("main")
    token = access_token(await context.cookies(), signin_site)
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(
            signin_site.services["notifications"] + "/deliveries",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 403
    await context.close()


async def test_a_return_this_browser_did_not_start_signs_no_one_in(
    signin_site: SignInSite, browser: Browser, screens: Any, scan: Any, screenshots: Path
) -> None:
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    # Login CSRF: an attacker's own code and state, sent to a victim's browser.
    answer = await page.goto(f"{signin_site.portal}/auth/callback?code=stolen&state=forged")
    assert answer is not None and answer.status == 400
    await scan(page, "ru", screenshots / "signin-refused-ru-360.png")
    # A sign-in begun here, but coming back with another state.
    await page.goto(f"{signin_site.portal}/kk/sign-in")
    assert page.url.startswith(signin_site.provider)
    answer = await page.goto(f"{signin_site.portal}/auth/callback?code=stolen&state=other")
    assert answer is not None and answer.status == 400
    assert await page.get_attribute("html", "lang") == "kk"
    assert SIGNED_IN not in {c["name"] for c in await context.cookies()}
    await context.close()


async def test_the_ministrys_system_gets_a_token_by_client_credentials(
    signin_site: SignInSite,
) -> None:
    async with httpx.AsyncClient(timeout=10) as http:
        discovery = await http.get(f"{signin_site.provider}/.well-known/openid-configuration")
        token_endpoint = discovery.json()["token_endpoint"]
        refused = await http.post(
            token_endpoint,
            data={"grant_type": "client_credentials"},
            auth=("ministry", "not-its-secret"),
        )
        assert refused.status_code == 401
        granted = await http.post(
            token_endpoint,
            data={"grant_type": "client_credentials"},
            auth=("ministry", signin_site.ministry_secret),
        )
        assert granted.status_code == 200, granted.text
        token = granted.json()["access_token"]
        answer = await http.get(
            signin_site.services["notifications"] + "/deliveries",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 200, answer.text


async def test_no_password_code_or_token_is_in_a_log_line(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    codes: list[str] = []
    page.on(
        "request",
        lambda request: codes.extend(
            value
            for key, value in httpx.URL(request.url).params.multi_items()
            if key == "code" and request.url.startswith(signin_site.portal)
        ),
    )
    await sign_in(page, signin_site, "ru", SECRETARY)
    token = access_token(await context.cookies(), signin_site)
    cookie = next(c["value"] for c in await context.cookies() if c["name"] == SIGNED_IN)
    await context.close()
    assert codes
    secrets_seen = [SECRETARY.password, token, token.rsplit(".", 1)[-1], cookie, *codes]
    for log in signin_site.logs.glob("*.log"):
        text = log.read_text(encoding="utf-8", errors="replace")
        for secret in secrets_seen:
            assert secret not in text, f"{log.name} holds a secret"


async def test_a_token_about_to_expire_is_refreshed_and_a_spent_refresh_signs_out(
    signin_site: SignInSite, browser: Browser, screens: Any
) -> None:
    context = await browser.new_context(**screens(1280))
    page = await context.new_page()
    await sign_in(page, signin_site, "en", SECRETARY)
    cookie = next(c["value"] for c in await context.cookies() if c["name"] == SIGNED_IN)
    await context.close()
    signins = SignIns(signin_site.session_secret)
    person = signins.read(with_cookie(cookie))
    assert person is not None
    # The same sign-in, its access token a few seconds from expiring.
    expiring = signins.signed.dumps(asdict(replace(person, expires_at=time.time() + 5)))
    async with httpx.AsyncClient(base_url=signin_site.portal, timeout=10) as http:
        answer = await http.get("/en/account", headers={"Cookie": f"{SIGNED_IN}={expiring}"})
        assert answer.status_code == 200, answer.text
        refreshed = signins.read(with_cookie(answer.cookies[SIGNED_IN]))
        assert refreshed is not None and refreshed.subject == person.subject
        assert refreshed.access_token != person.access_token
        assert refreshed.refresh_token != person.refresh_token  # rotated by the provider
        # The old refresh token is spent: whoever still holds it is signed in no longer.
        again = await http.get("/en/account", headers={"Cookie": f"{SIGNED_IN}={expiring}"})
        assert again.status_code == 303
        assert again.headers["location"] == "/en/sign-in?next=/account"
        assert 'signin=""' in again.headers["set-cookie"]  # the ended sign-in is dropped
