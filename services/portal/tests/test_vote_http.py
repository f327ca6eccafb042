"""The vote over plain HTTP, on the real voting and notifications services and the inbox:
the session cookie and the CSRF token of every form, each step's redirect, every refusal
voting gives as a sentence (never its code), the token kept for a second nomination."""

from __future__ import annotations

import re
import secrets
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.infra

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
RAW_CODES = ("wrong_code", "code_expired", "rate_limited", "already_voted", "not_a_choice")


def a_phone() -> str:
    """A Kazakhstan mobile number of this test alone (Beeline's 705 code)."""
    return "705" + "".join(secrets.choice("0123456789") for _ in range(7))


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, page.text[:400]
    return found.group(1)


def vote_paths(site: Any, nomination: str, index: int = 0) -> tuple[str, str]:
    application = site.finalists[nomination][index]["application_id"]
    vote = f"/en/contests/{site.vote_contest_id}/vote/{nomination}"
    return vote, f"{vote}/{application}"


def assert_plain_words(page: httpx.Response) -> None:
    """A refusal says what happened in words: no problem code of voting's shows."""
    main = page.text.split('<main id="main"', 1)[1]
    for code in RAW_CODES:
        assert code not in main, code


def verified(portal: httpx.Client, site: Any, choice: str, phone: str) -> None:
    """Give a number and the code it received: the session holds the voter token."""
    page = portal.get(f"{choice}/phone")
    before = site.sms_count("+7" + phone)
    sent = portal.post(f"{choice}/phone", data={"csrf": csrf_of(page), "phone": phone})
    assert sent.status_code == 303 and sent.headers["location"] == f"{choice}/code"
    code_page = portal.get(f"{choice}/code")
    code = site.sms_code("+7" + phone, before)
    answered = portal.post(f"{choice}/code", data={"csrf": csrf_of(code_page), "code": code})
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"{choice}/confirm"


def test_a_post_without_the_csrf_token_or_with_a_wrong_one_is_a_403_page(
    public_site: Any,
) -> None:
    _, choice = vote_paths(public_site, "social-project")
    with httpx.Client(base_url=public_site.url) as portal:
        nothing = portal.post(f"{choice}/phone", data={"phone": "7011234567"})
        assert nothing.status_code == 403
        assert "This form has expired" in nothing.text
        page = portal.get(f"{choice}/phone")
        assert page.headers["cache-control"] == "private, no-store"
        cookie = page.headers["set-cookie"]
        assert "session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # on loopback only
        wrong = portal.post(f"{choice}/phone", data={"csrf": "x" * 32, "phone": "7011234567"})
        assert wrong.status_code == 403
        # In the reader's language, and never a code sent for it.
        ru = portal.post(choice.replace("/en/", "/ru/") + "/phone", data={"phone": "7011234567"})
        assert ru.status_code == 403 and "Форма устарела" in ru.text
        # Another session's token is as wrong as a made-up one.
        with httpx.Client(base_url=public_site.url) as other:
            theirs = csrf_of(other.get(f"{choice}/phone"))
        stolen = portal.post(f"{choice}/phone", data={"csrf": theirs, "phone": "7011234567"})
        assert stolen.status_code == 403
    assert public_site.sms_count("+77011234567") == 0


def test_a_voter_votes_in_two_nominations_verifying_once(public_site: Any) -> None:
    phone = a_phone()
    vote, choice = vote_paths(public_site, "social-project")
    other_vote, other_choice = vote_paths(public_site, "ngo-inclusion-project", 1)
    with httpx.Client(base_url=public_site.url) as portal:
        listed = portal.get(vote)
        assert listed.status_code == 200 and listed.headers["cache-control"].startswith("public")
        for finalist in public_site.finalists["social-project"]:
            assert f"{finalist['application_id']}/confirm" in listed.text
        # Not verified yet: the choice leads to the phone number.
        first = portal.get(f"{choice}/confirm")
        assert first.status_code == 303 and first.headers["location"] == f"{choice}/phone"

        page = portal.get(f"{choice}/phone")
        wrong_number = portal.post(f"{choice}/phone", data={"csrf": csrf_of(page), "phone": "12"})
        assert wrong_number.status_code == 422
        assert 'class="error-summary"' in wrong_number.text
        assert 'href="#phone"' in wrong_number.text and 'aria-invalid="true"' in wrong_number.text
        assert "Enter a Kazakhstan mobile number" in wrong_number.text

        before = public_site.sms_count("+7" + phone)
        sent = portal.post(f"{choice}/phone", data={"csrf": csrf_of(page), "phone": phone})
        assert sent.status_code == 303
        code_page = portal.get(f"{choice}/code")
        assert phone[-2:] in code_page.text and phone not in code_page.text
        code = public_site.sms_code("+7" + phone, before)
        wrong = "000000" if code != "000000" else "111111"
        refused = portal.post(f"{choice}/code", data={"csrf": csrf_of(code_page), "code": wrong})
        assert refused.status_code == 401
        assert "This code is not the one we sent" in refused.text and 'href="#code"' in refused.text
        assert_plain_words(refused)
        answered = portal.post(f"{choice}/code", data={"csrf": csrf_of(code_page), "code": code})
        assert answered.status_code == 303 and answered.headers["location"] == f"{choice}/confirm"

        confirm = portal.get(f"{choice}/confirm")
        assert confirm.status_code == 200
        title = public_site.finalists["social-project"][0]["form"]["details"]["project_title"]
        assert title in confirm.text
        cast = portal.post(f"{choice}/confirm", data={"csrf": csrf_of(confirm)})
        assert cast.status_code == 303 and cast.headers["location"] == f"{vote}/receipt"
        receipt = portal.get(f"{vote}/receipt")
        assert receipt.headers["cache-control"] == "private, no-store"
        receipt_id = re.search(r'id="receipt-id">([0-9a-f-]{36})<', receipt.text)
        assert receipt_id, receipt.text
        assert "Your vote is accepted" in receipt.text

        # Already voted: the nomination's page says so, privately; voting again is refused.
        again = portal.get(vote)
        assert "You have voted in this nomination" in again.text
        assert again.headers["cache-control"] == "private, no-store"
        repeat = portal.post(f"{choice}/confirm", data={"csrf": csrf_of(confirm)})
        assert repeat.status_code == 409
        assert "already voted in this nomination" in repeat.text
        assert_plain_words(repeat)

        # The second nomination: straight to the confirmation, no second SMS.
        sms = public_site.sms_count("+7" + phone)
        second = portal.get(f"{other_choice}/confirm")
        assert second.status_code == 200
        portal.post(f"{other_choice}/confirm", data={"csrf": csrf_of(second)})
        assert "Your vote is accepted" in portal.get(f"{other_vote}/receipt").text
        assert public_site.sms_count("+7" + phone) == sms

        # Not a finalist: voting refuses it, the page says so.
        odd = portal.post(f"{vote}/not-a-finalist/confirm", data={"csrf": csrf_of(second)})
        assert odd.status_code == 422 and "not among the finalists" in odd.text

        # The vote of another contest, not open yet, is refused in words.
        closed = f"/ru/contests/{public_site.contest_id}/vote/social-project/x/confirm"
        not_open = portal.post(closed, data={"csrf": csrf_of(second)})
        assert not_open.status_code == 409 and "Голосование ещё не открыто" in not_open.text

        # The receipt, checked on its public page: counted within seconds.
        checked = portal.get(f"/en/receipts?receipt={receipt_id.group(1)}")
        assert checked.status_code == 303
        for _ in range(100):
            state = portal.get(checked.headers["location"])
            if "Counted: the vote is in the tally." in state.text:
                break
        else:
            raise AssertionError(state.text)


def test_too_many_codes_for_a_number_is_a_wait_in_minutes(public_site: Any) -> None:
    phone = a_phone()
    _, choice = vote_paths(public_site, "social-project")
    with httpx.Client(base_url=public_site.url) as portal:
        csrf = csrf_of(portal.get(choice.replace("/en/", "/ru/") + "/phone"))
        answers = [
            portal.post(
                choice.replace("/en/", "/ru/") + "/phone", data={"csrf": csrf, "phone": phone}
            )
            for _ in range(6)  # voting allows 5 an hour per number
        ]
    assert [a.status_code for a in answers] == [303] * 5 + [429]
    assert re.search(
        r"Новый код можно запросить через \d+ (минуту|минуты|минут)\.", answers[-1].text
    )
    assert_plain_words(answers[-1])


def test_a_receipt_that_is_none_is_said_so(public_site: Any) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        typed = portal.get("/kk/receipts?receipt=abc")
        assert typed.status_code == 422 and 'href="#receipt"' in typed.text
        unknown = portal.get("/en/receipts/0190a1b2-c3d4-4e5f-8a9b-0c1d2e3f4a5b")  # UUIDv4
        assert unknown.status_code == 404 and "This is not a receipt number" in unknown.text
        never = portal.get("/en/receipts/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        assert never.status_code == 200 and "Not counted yet." in never.text


def test_the_contest_page_leads_to_each_nomination_s_vote(public_site: Any) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        page = portal.get(f"/kk/contests/{public_site.vote_contest_id}").text
        for nomination in public_site.finalists:
            assert f'href="/kk/contests/{public_site.vote_contest_id}/vote/{nomination}"' in page
        assert 'href="/kk/receipts"' in page
        # A vote not open yet: the contest's page offers none.
        assert "/vote/" not in portal.get(f"/kk/contests/{public_site.contest_id}").text


def test_a_vote_page_with_its_style_sheet_and_scripts_weighs_under_100_kb(
    public_site: Any,
) -> None:
    vote, _ = vote_paths(public_site, "social-project")
    with httpx.Client(base_url=public_site.url) as portal:  # asks for gzip, as browsers do
        page = portal.get(vote)
        assert page.status_code == 200
        assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
        assert any(a.startswith("/static/portal.css") for a in assets)
        assert any(a.startswith("/static/portal.js") for a in assets)
        fetched = [portal.get(address) for address in assets]
        assert all(asset.status_code == 200 for asset in fetched)
        weight = page.num_bytes_downloaded + sum(a.num_bytes_downloaded for a in fetched)
        assert weight < 100_000
