"""The provider's access tokens verify as the services verify them today (discovery from
`AUTH_ISSUER`, the key by `kid`, roles and region mapped), and no secret of a whole
sign-in reaches the provider's log."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from identity_flows import (
    MINISTRY,
    PASSWORDS,
    PORTAL,
    SignIn,
    code_of,
    exchange,
    post_password,
    refresh,
    start_identity,
)

from contest_local.identity import LocalIdentity
from contest_runtime.auth import AuthSettings, Role, verify_with_provider
from contest_runtime.problems import ProblemError
from contest_runtime.provider_keys import ProviderKeys


def person_and_system_tokens(identity: LocalIdentity) -> tuple[dict[str, str], dict[str, str]]:
    """A secretary's tokens (the code flow) and the ministry's (client credentials)."""
    sign_in = SignIn.new()
    with httpx.Client() as http:
        answer = post_password(
            http, identity, sign_in, "secretary-KZ-71", PASSWORDS["secretary-KZ-71"]
        )
        person = exchange(http, identity, code_of(answer, sign_in), sign_in.verifier).json()
        system = http.post(
            f"{identity.url}/token",
            data={"grant_type": "client_credentials"},
            auth=(MINISTRY.client_id, MINISTRY.secret),
        ).json()
    return person, system


async def test_a_sign_ins_and_a_systems_tokens_verify_with_the_services_settings(
    identity: LocalIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in identity.services_environment().items():
        monkeypatch.setenv(name, value)
    settings = AuthSettings()
    person, system = person_and_system_tokens(identity)
    async with ProviderKeys(settings.key_source()) as keys:
        secretary = await verify_with_provider(person["access_token"], settings, keys)
        assert secretary.subject == "secretary-KZ-71"
        assert set(secretary.roles) == {Role.SECRETARY, Role.COMMISSION_SECRETARY}
        assert secretary.region_code == "KZ-71"
        ministry = await verify_with_provider(system["access_token"], settings, keys)
        assert ministry.subject == "ministry" and set(ministry.roles) == {Role.OPERATOR}
        # The ID token is for the portal (its `aud`), not a key to the services.
        with pytest.raises(ProblemError):
            await verify_with_provider(person["id_token"], settings, keys)


def test_no_password_code_secret_or_token_reaches_the_log(tmp_path: Path) -> None:
    identity = start_identity(tmp_path)
    secrets_seen: list[str] = [PASSWORDS["applicant-1"], PORTAL.secret, MINISTRY.secret]
    try:
        sign_in = SignIn.new()
        with httpx.Client() as http:
            wrong = post_password(http, identity, sign_in, "applicant-1", "typed-wrong-once")
            assert wrong.status_code == 400
            secrets_seen.append("typed-wrong-once")
            # A password typed into the username field is not logged either.
            typo = post_password(http, identity, SignIn.new(), "password-as-username", "x")
            assert typo.status_code == 400
            secrets_seen.append("password-as-username")
            answer = post_password(http, identity, sign_in, "applicant-1", PASSWORDS["applicant-1"])
            code = code_of(answer, sign_in)
            tokens = exchange(http, identity, code, sign_in.verifier).json()
            renewed = refresh(http, identity, tokens["refresh_token"]).json()
            system = http.post(
                f"{identity.url}/token",
                data={"grant_type": "client_credentials"},
                auth=(MINISTRY.client_id, MINISTRY.secret),
            ).json()
            http.get(
                f"{identity.url}/userinfo",
                headers={"Authorization": f"Bearer {renewed['access_token']}"},
            )
            http.get(f"{identity.url}/logout", params={"id_token_hint": tokens["id_token"]})
            exchange(http, identity, code, sign_in.verifier)  # a reused code, refused
        secrets_seen += [
            code,
            sign_in.verifier,
            sign_in.parameters["state"],
            sign_in.parameters["nonce"],
            tokens["access_token"],
            tokens["id_token"],
            tokens["refresh_token"],
            renewed["access_token"],
            renewed["refresh_token"],
            system["access_token"],
        ]
    finally:
        identity.process.stop()
    log = identity.process.log_path.read_text("utf-8")
    assert "local stand-in for the national identity provider" in log
    assert "POST /token 200" in log and "signed in: applicant-1" in log
    for secret in secrets_seen:
        assert secret not in log
        # Nor a piece of a token long enough to be one (a JWT's signature, say).
        for piece in secret.split("."):
            assert len(piece) < 16 or piece not in log
