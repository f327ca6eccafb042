"""The local identity provider's endpoints against its real process: discovery, the code
flow with PKCE, refresh rotation, client credentials, logout, and every refusal of the
security bar (each would pass without its check)."""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
from identity_flows import (
    MINISTRY,
    PASSWORDS,
    PORTAL,
    PORTAL_CALLBACK,
    PORTAL_SIGNED_OUT,
    SignIn,
    code_of,
    csrf_of,
    exchange,
    post_password,
    refresh,
    signed_in,
    start_identity,
)

from contest_local.identity import LocalIdentity


def claims_of(token: str) -> dict[str, object]:
    """A JWT's payload, unverified (the verification is `test_identity_tokens.py`'s)."""
    payload = token.split(".")[1]
    decoded: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


def test_discovery_lists_every_endpoint_and_the_key_has_a_kid(identity: LocalIdentity) -> None:
    configuration = httpx.get(f"{identity.url}/.well-known/openid-configuration").json()
    assert configuration["issuer"] == identity.url
    for name, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("end_session_endpoint", "/logout"),
    ]:
        assert configuration[name] == identity.url + path
    assert configuration["code_challenge_methods_supported"] == ["S256"]
    keys = httpx.get(configuration["jwks_uri"]).json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"] and keys[0]["alg"] == "ES256"
    assert "d" not in keys[0], "the private part is never published"
    assert httpx.get(f"{identity.url}/healthz").json() == {"status": "ok"}
    assert identity.services_environment() == {"AUTH_ISSUER": identity.url}


def test_a_sign_in_gives_an_access_token_an_id_token_and_a_refresh_token(
    identity: LocalIdentity,
) -> None:
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(http, identity, sign_in, "applicant-1", PASSWORDS["applicant-1"])
        tokens = exchange(http, identity, code_of(answer, sign_in), sign_in.verifier).json()
        access = claims_of(tokens["access_token"])
        assert access["iss"] == identity.url and access["aud"] == "contest-platform"
        assert access["sub"] == "applicant-1" and access["roles"] == ["applicant"]
        assert access["region"] == "KZ-75" and access["iin_bin"] == "900101400123"
        assert isinstance(access["exp"], int) and isinstance(access["iat"], int)
        assert access["exp"] - access["iat"] == 300 and access["jti"]
        person = claims_of(tokens["id_token"])
        assert person["aud"] == PORTAL.client_id and person["iss"] == identity.url
        assert person["nonce"] == sign_in.parameters["nonce"]
        assert person["name"] == "Айгүл Серікқызы" and person["locale"] == "kk"
        assert person["preferred_username"] == "applicant-1"
        info = http.get(
            f"{identity.url}/userinfo",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
        assert info.status_code == 200 and info.json()["sub"] == "applicant-1"
        assert http.get(f"{identity.url}/userinfo").status_code == 401
        forged = tokens["access_token"][:-4] + (
            "AAAA" if not tokens["access_token"].endswith("AAAA") else "BBBB"
        )
        assert (
            http.get(
                f"{identity.url}/userinfo", headers={"Authorization": f"Bearer {forged}"}
            ).status_code
            == 401
        )


def test_a_secretarys_token_carries_roles_and_region_without_iin(
    identity: LocalIdentity,
) -> None:
    access = claims_of(signed_in(identity, "secretary-KZ-71")["access_token"])
    assert access["roles"] == ["secretary", "commission_secretary"]
    assert access["region"] == "KZ-71" and "iin_bin" not in access


def test_a_refresh_token_is_rotated_and_a_used_one_is_refused_with_its_family(
    identity: LocalIdentity,
) -> None:
    first = signed_in(identity, "applicant-1")["refresh_token"]
    with httpx.Client() as http:
        renewed = refresh(http, identity, first)
        assert renewed.status_code == 200, renewed.text
        second = renewed.json()["refresh_token"]
        assert second != first and claims_of(renewed.json()["access_token"])["sub"] == "applicant-1"
        again = refresh(http, identity, first)
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
        # The used one came back: one of them leaked, so the newer one stops too.
        assert refresh(http, identity, second).status_code == 400


def test_a_reused_code_is_refused_and_the_tokens_it_gave_stop_refreshing(
    identity: LocalIdentity,
) -> None:
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(http, identity, sign_in, "applicant-1", PASSWORDS["applicant-1"])
        code = code_of(answer, sign_in)
        tokens = exchange(http, identity, code, sign_in.verifier)
        assert tokens.status_code == 200
        reused = exchange(http, identity, code, sign_in.verifier)
        assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
        assert refresh(http, identity, tokens.json()["refresh_token"]).status_code == 400


def test_a_pkce_verifier_that_does_not_match_is_refused(identity: LocalIdentity) -> None:
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(http, identity, sign_in, "applicant-1", PASSWORDS["applicant-1"])
        code = code_of(answer, sign_in)
        wrong = exchange(http, identity, code, secrets.token_urlsafe(48))
        assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
        assert "access_token" not in wrong.json()
        # The code was spent by the attempt: the right verifier is too late.
        assert exchange(http, identity, code, sign_in.verifier).status_code == 400


def test_the_portal_must_send_an_s256_code_challenge(identity: LocalIdentity) -> None:
    for changes in (
        {"code_challenge": None, "code_challenge_method": None},
        {"code_challenge_method": "plain"},
        {"code_challenge_method": None},
    ):
        sign_in = SignIn.new(**changes)
        answer = httpx.get(f"{identity.url}/authorize?{sign_in.query}")
        # The client and its address are registered: it is told why, and gets no code.
        assert answer.status_code == 302, (changes, answer.text)
        query = parse_qs(urlsplit(answer.headers["location"]).query)
        assert query["error"] == ["invalid_request"] and "code" not in query, changes
        assert query["state"] == [sign_in.parameters["state"]]


def test_an_unregistered_redirect_uri_is_answered_here_never_redirected(
    identity: LocalIdentity,
) -> None:
    for changes in (
        {"redirect_uri": "https://attacker.example/callback"},
        {"redirect_uri": PORTAL_CALLBACK + "/../elsewhere"},
        {"redirect_uri": None},
        {"client_id": "nobody"},
    ):
        sign_in = SignIn.new(**changes)
        answer = httpx.get(
            f"{identity.url}/authorize?{sign_in.query}", headers={"Accept-Language": "en"}
        )
        assert answer.status_code == 400, changes
        assert "location" not in answer.headers
        assert "This link does not work" in answer.text
        with httpx.Client() as http:  # nor after a right password
            posted = http.post(
                f"{identity.url}/authorize?{sign_in.query}",
                data={"csrf": "x" * 43, "username": "applicant-1", "password": "x"},
            )
        assert posted.status_code == 400 and "location" not in posted.headers


def test_a_wrong_client_secret_gets_no_token(identity: LocalIdentity) -> None:
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(http, identity, sign_in, "applicant-1", PASSWORDS["applicant-1"])
        wrong = exchange(http, identity, code_of(answer, sign_in), sign_in.verifier, "guess")
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        ministry = http.post(
            f"{identity.url}/token",
            data={"grant_type": "client_credentials"},
            auth=(MINISTRY.client_id, PORTAL.secret),
        )
        assert ministry.status_code == 401


def test_a_form_without_its_csrf_token_is_refused(identity: LocalIdentity) -> None:
    sign_in = SignIn.new()
    with httpx.Client() as http:
        http.get(f"{identity.url}/authorize?{sign_in.query}")
        forged = http.post(
            f"{identity.url}/authorize?{sign_in.query}",
            data={
                "csrf": "y" * 43,
                "username": "applicant-1",
                "password": PASSWORDS["applicant-1"],
            },
        )
    assert forged.status_code == 403 and "location" not in forged.headers


def test_the_ministrys_client_credentials_token_carries_its_roles(
    identity: LocalIdentity,
) -> None:
    answer = httpx.post(
        f"{identity.url}/token",
        data={"grant_type": "client_credentials"},
        auth=(MINISTRY.client_id, MINISTRY.secret),
    )
    assert answer.status_code == 200, answer.text
    assert "refresh_token" not in answer.json()
    access = claims_of(answer.json()["access_token"])
    assert access["sub"] == "ministry" and access["roles"] == ["operator"]
    assert access["aud"] == "contest-platform"
    # A code-flow client may not use it, nor the ministry the code flow.
    portal = httpx.post(
        f"{identity.url}/token",
        data={"grant_type": "client_credentials"},
        auth=(PORTAL.client_id, PORTAL.secret),
    )
    assert portal.status_code == 400 and portal.json()["error"] == "unauthorized_client"


def test_logout_redirects_only_to_a_registered_address_with_the_state(
    identity: LocalIdentity,
) -> None:
    tokens = signed_in(identity, "applicant-1")
    with httpx.Client() as http:
        unregistered = http.get(
            f"{identity.url}/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": "https://attacker.example/",
                "state": "s1",
            },
        )
        assert unregistered.status_code == 400 and "location" not in unregistered.headers
        # Refused: nothing ended, the refresh token still works.
        renewed = refresh(http, identity, tokens["refresh_token"])
        assert renewed.status_code == 200
        out = http.get(
            f"{identity.url}/logout",
            params={
                "id_token_hint": tokens["id_token"],
                "post_logout_redirect_uri": PORTAL_SIGNED_OUT,
                "state": "s2",
            },
        )
        assert out.status_code == 302
        assert out.headers["location"] == f"{PORTAL_SIGNED_OUT}?state=s2"
        # Signed out: the person's refresh tokens at the portal end.
        assert refresh(http, identity, renewed.json()["refresh_token"]).status_code == 400
        plain = http.get(f"{identity.url}/logout", headers={"Accept-Language": "ru"})
        assert plain.status_code == 200 and "Вы вышли из системы" in plain.text
        forged = http.get(f"{identity.url}/logout", params={"id_token_hint": "a.b.c"})
        assert forged.status_code == 400


def test_failed_passwords_are_limited_per_account_even_for_the_right_one(
    identity: LocalIdentity,
) -> None:
    with httpx.Client(headers={"Accept-Language": "en"}) as http:
        unknown = post_password(http, identity, SignIn.new(), "nobody-at-all", "guess")
        wrong = post_password(http, identity, SignIn.new(), "limited-1", "guess-0")
        assert unknown.status_code == wrong.status_code == 400
        sentence = "The username or the password is not right."
        assert sentence in unknown.text and sentence in wrong.text
        for attempt in range(1, 5):
            assert (
                post_password(http, identity, SignIn.new(), "limited-1", f"g{attempt}").status_code
                == 400
            )
        limited = post_password(http, identity, SignIn.new(), "limited-1", PASSWORDS["limited-1"])
        assert limited.status_code == 429 and "location" not in limited.headers
        assert "Too many failed attempts. Wait 15 minutes, then try again." in limited.text
        # Another account from the same address is not limited by this one's failures.
        assert (
            post_password(
                http, identity, SignIn.new(), "secretary-KZ-71", PASSWORDS["secretary-KZ-71"]
            ).status_code
            == 302
        )


def test_failed_passwords_are_limited_per_address(tmp_path: Path) -> None:
    identity = start_identity(tmp_path)
    try:
        with httpx.Client(headers={"Accept-Language": "ru"}) as http:
            for attempt in range(20):
                # Five accounts, four failures each: no account reaches its own limit.
                username = f"someone-{attempt % 5}"
                answer = post_password(http, identity, SignIn.new(), username, "guess")
                assert answer.status_code == 400
            limited = post_password(
                http, identity, SignIn.new(), "applicant-1", PASSWORDS["applicant-1"]
            )
        assert limited.status_code == 429
        assert "Слишком много неудачных попыток. Подождите 15 минут" in limited.text
    finally:
        identity.process.stop()


def test_empty_fields_are_named_in_the_error_summary(identity: LocalIdentity) -> None:
    with httpx.Client(headers={"Accept-Language": "kk"}) as http:
        answer = post_password(http, identity, SignIn.new(), "", "")
    assert answer.status_code == 400
    assert 'href="#username"' in answer.text and 'href="#password"' in answer.text
    assert "Пайдаланушы атыңызды енгізіңіз." in answer.text


def test_the_page_has_a_strict_policy_and_the_csrf_cookie_is_strict(
    identity: LocalIdentity,
) -> None:
    answer = httpx.get(f"{identity.url}/authorize?{SignIn.new().query}")
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "form-action 'self' http://127.0.0.1:9" in policy
    assert "frame-ancestors 'none'" in policy
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert csrf_of(answer.text)
    assert 'style="' not in answer.text and "<script" not in answer.text


def test_the_registry_file_holds_hashes_only_and_is_private(identity: LocalIdentity) -> None:
    registry = identity.process.log_path.parent / "identity.json"
    assert os.stat(registry).st_mode & 0o777 == 0o600
    text = registry.read_text("utf-8")
    assert "$argon2id$" in text
    for secret in (*PASSWORDS.values(), PORTAL.secret, MINISTRY.secret):
        assert secret not in text
