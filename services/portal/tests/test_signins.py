"""The sign-in cookies: what a browser sends back is taken only when this portal signed it
for that purpose, and a sign-in too large for a cookie still fits."""

from __future__ import annotations

import secrets
import time

from starlette.requests import Request
from starlette.responses import Response

from contest_portal.services.identity import PendingSignIn, SignedIn
from contest_portal.sessions import Sessions, VoterSession
from contest_portal.signins import MOST_COOKIE_BYTES, PENDING, SIGNED_IN, SignIns

SECRET = "s" * 40
PERSON = SignedIn(
    subject="secretary-kz-71",
    name="Айгерим",
    roles=("secretary",),
    region="KZ-71",
    access_token="a.b.c",
    expires_at=time.time() + 300,
    refresh_token="r",
    id_token="i.d.t",
)
PENDING_SIGN_IN = PendingSignIn("state", "nonce", "verifier", "kk", "/account")


def browser(cookies: dict[str, str]) -> Request:
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"cookie", header.encode()), (b"host", b"127.0.0.1")],
        "query_string": b"",
        "server": ("127.0.0.1", 8005),
        "scheme": "http",
    }
    return Request(scope)


def cookies_of(response: Response) -> dict[str, str]:
    found = {}
    for name, value in response.raw_headers:
        if name == b"set-cookie":
            key, _, rest = value.decode().partition("=")
            found[key] = rest.split(";")[0].strip('"')
    return found


def test_a_sign_in_comes_back_as_it_was_written() -> None:
    signins = SignIns(SECRET)
    response = Response()
    signins.write_pending(browser({}), response, PENDING_SIGN_IN)
    assert signins.read_pending(browser(cookies_of(response))) == PENDING_SIGN_IN
    response = Response()
    signins.write(browser({}), response, PERSON)
    written = cookies_of(response)
    assert written[PENDING] == ""  # the pending sign-in is done with
    assert signins.read(browser(written)) == PERSON


def test_a_forged_or_borrowed_cookie_signs_no_one_in() -> None:
    signins = SignIns(SECRET)
    response = Response()
    signins.write(browser({}), response, PERSON)
    value = cookies_of(response)[SIGNED_IN]
    assert signins.read(browser({SIGNED_IN: value[:-2] + "xx"})) is None
    assert SignIns("t" * 40).read(browser({SIGNED_IN: value})) is None
    # the pending sign-in and the voter's session are signed for other purposes
    pending = Response()
    signins.write_pending(browser({}), pending, PENDING_SIGN_IN)
    assert signins.read(browser({SIGNED_IN: cookies_of(pending)[PENDING]})) is None
    voter = Sessions(SECRET).signed(VoterSession())
    assert signins.read(browser({SIGNED_IN: voter})) is None
    assert signins.read_pending(browser({PENDING: value})) is None


def test_tokens_too_large_for_a_cookie_leave_out_the_id_token() -> None:
    signins = SignIns(SECRET)
    # tokens are random to a compressor: a signed cookie's zlib cannot shrink them
    token = secrets.token_urlsafe
    large = SignedIn(**{**PERSON.__dict__, "id_token": token(2000), "access_token": token(1000)})
    response = Response()
    signins.write(browser({}), response, large)
    value = cookies_of(response)[SIGNED_IN]
    assert len(value) <= MOST_COOKIE_BYTES
    kept = signins.read(browser({SIGNED_IN: value}))
    assert kept is not None and kept.access_token == large.access_token and kept.id_token == ""
