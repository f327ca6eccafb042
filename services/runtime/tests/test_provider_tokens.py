"""Tokens of an identity provider, verified with its published keys: what verifies, what is
refused (401 in the problem format), and how its claims become a principal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from identity_provider import (
    AUDIENCE,
    IdentityProvider,
    SigningKey,
    bearer,
    calling,
    claims_for,
    forged,
    identity_provider,
    tampered,
)
from pydantic import ValidationError

from contest_runtime.auth import AuthSettings, Role, mint
from contest_runtime.problems import PROBLEM_MEDIA_TYPE

KEYS = {
    algorithm: SigningKey.new(f"key-{algorithm}", algorithm)
    for algorithm in ("RS256", "ES256", "EdDSA")
}


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with identity_provider() as (published, _):
        published.publish(*KEYS.values())
        yield published


def settings_of(provider: IdentityProvider, **changes: Any) -> AuthSettings:
    return AuthSettings(
        jwks_url=provider.jwks_url, jwt_issuer=provider.issuer, jwt_audience=AUDIENCE, **changes
    )


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
async def test_tokens_signed_with_a_published_key_verify(
    provider: IdentityProvider, algorithm: str
) -> None:
    token = KEYS[algorithm].sign(claims_for(provider.issuer, "sec-71", roles=["secretary"]))
    async with calling(settings_of(provider)) as (http, _):
        response = await http.get("/secretary/applications", headers=bearer(token))
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "sec-71"


def _refused_tokens(issuer: str) -> dict[str, str]:
    rsa = KEYS["RS256"]
    valid = claims_for(issuer, roles=["secretary"])
    in_an_hour = datetime.now(UTC) + timedelta(hours=1)
    return {
        "expired": rsa.sign(claims_for(issuer, roles=["secretary"], ttl=timedelta(seconds=-5))),
        "not-yet-valid": rsa.sign({**valid, "nbf": in_an_hour}),
        "wrong-issuer": rsa.sign({**valid, "iss": "https://elsewhere.example/realms/contest"}),
        "wrong-audience": rsa.sign({**valid, "aud": "another-client"}),
        "no-audience": rsa.sign({k: v for k, v in valid.items() if k != "aud"}),
        "unknown-kid": SigningKey.new("never-published").sign(valid),
        "no-kid": forged({"alg": "RS256", "typ": "JWT"}, valid, None),
        "alg-none": forged({"alg": "none", "typ": "JWT", "kid": rsa.kid}, valid, None),
        # Algorithm confusion: the RSA key's public PEM used as an HMAC secret.
        "hs256-with-the-public-key": forged(
            {"alg": "HS256", "typ": "JWT", "kid": rsa.kid}, valid, rsa.public_pem
        ),
        "tampered-payload": tampered(rsa.sign(valid), roles=["operator"]),
        "signed-by-another-key-under-a-published-kid": SigningKey(
            "key-RS256", "RS256", SigningKey.new("x").private
        ).sign(valid),
        "garbage": "not-a-jwt",
    }


REASONS = {
    "expired": "Signature has expired",
    "not-yet-valid": "The token is not yet valid (nbf)",
    "wrong-issuer": "Invalid issuer",
    "wrong-audience": "Audience doesn't match",
    "no-audience": 'Token is missing the "aud" claim',
    "unknown-kid": "signed with an unknown key",
    "no-kid": "no key id (`kid`)",
    "alg-none": "its algorithm is not accepted",
    "hs256-with-the-public-key": "its algorithm is not accepted",
    "tampered-payload": "Signature verification failed",
    "signed-by-another-key-under-a-published-kid": "Signature verification failed",
    "garbage": "Not enough segments",
}
"""Why each is refused: the check that caught it, not merely some 401."""
REFUSED = list(REASONS)


@pytest.mark.parametrize("case", REFUSED)
async def test_the_security_bar_every_bad_token_is_a_401_problem(
    provider: IdentityProvider, case: str
) -> None:
    token = _refused_tokens(provider.issuer)[case]
    async with calling(settings_of(provider)) as (http, _):
        response = await http.get("/secretary/applications", headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert (problem["code"], problem["status"]) == ("unauthenticated", 401)
    assert problem["instance"] == "/secretary/applications"
    assert token not in response.text
    assert problem["detail"] == f"invalid token: {REASONS[case]}"


async def test_the_static_key_is_ignored_once_a_provider_is_configured(
    provider: IdentityProvider,
) -> None:
    static = AuthSettings(
        jwt_key="a-test-secret-of-sufficient-length",
        jwt_issuer=provider.issuer,
        jwt_audience=AUDIENCE,
    )
    both = settings_of(provider, jwt_key=static.jwt_key)
    token = mint(static, subject="op", roles=[Role.OPERATOR])
    async with calling(both) as (http, _):
        response = await http.get("/secretary/applications", headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


async def test_the_static_key_verifies_alongside_only_where_allowed_and_only_without_a_kid(
    provider: IdentityProvider,
) -> None:
    """A local run: people sign in at the provider while scripts mint tokens."""
    secret = "a-test-secret-of-sufficient-length"
    both = settings_of(provider, jwt_key=secret, static_key_alongside=True)
    static = AuthSettings(jwt_key=secret, jwt_issuer=provider.issuer, jwt_audience=AUDIENCE)
    minted = mint(static, subject="sec-72", roles=[Role.SECRETARY])
    signed_in = KEYS["ES256"].sign(claims_for(provider.issuer, "sec-71", roles=["secretary"]))
    static_with_a_kid = forged(
        {"alg": "HS256", "typ": "JWT", "kid": KEYS["RS256"].kid},
        claims_for(provider.issuer, roles=["secretary"]),
        secret.encode(),
    )
    async with calling(both) as (http, _):
        for token in (minted, signed_in):
            response = await http.get("/secretary/applications", headers=bearer(token))
            assert response.status_code == 200, response.text
        # a kid sends a token to the provider's keys, where HS256 is no algorithm at all
        response = await http.get("/secretary/applications", headers=bearer(static_with_a_kid))
        assert response.status_code == 401


KEYCLOAK = {
    "roles_claim": "realm_access.roles,resource_access.contest-portal.roles",
    "region_claim": "region",
    "iin_bin_claim": "iin",
}


def keycloak_token(issuer: str, **claims: Any) -> str:
    """An access token shaped as Keycloak issues it, its roles where Keycloak puts them."""
    return KEYS["RS256"].sign(
        claims_for(
            issuer,
            "f3b0c1de-9a5e-4d6a-8f1e-2b7c9d0e4a11",
            typ="Bearer",
            azp="contest-portal",
            scope="openid profile",
            preferred_username="aigerim",
            **claims,
        )
    )


async def test_a_keycloak_token_maps_to_roles_region_and_iin_bin(
    provider: IdentityProvider,
) -> None:
    token = keycloak_token(
        provider.issuer,
        realm_access={
            "roles": ["offline_access", "uma_authorization", "default-roles-contest", "secretary"]
        },
        resource_access={
            "contest-portal": {"roles": ["juror", "manage-own-things"]},
            "account": {"roles": ["manage-account", "operator"]},
        },
        region="KZ-71",
        iin="900101300123",
    )
    async with calling(settings_of(provider, **KEYCLOAK)) as (http, _):
        response = await http.get("/secretary/applications", headers=bearer(token))
    assert response.status_code == 200, response.text
    # `operator` under another client's roles is not read: only the configured paths count.
    assert response.json() == {
        "subject": "f3b0c1de-9a5e-4d6a-8f1e-2b7c9d0e4a11",
        "roles": ["juror", "secretary"],
        "region": "KZ-71",
        "iin_bin": "900101300123",
    }


async def test_a_token_with_none_of_the_platforms_roles_has_no_roles(
    provider: IdentityProvider,
) -> None:
    token = keycloak_token(
        provider.issuer, realm_access={"roles": ["offline_access", "uma_authorization"]}
    )
    async with calling(settings_of(provider, **KEYCLOAK)) as (http, _):
        me = await http.get("/me", headers=bearer(token))
        restricted = await http.get("/secretary/applications", headers=bearer(token))
    assert me.status_code == 200, me.text
    assert (me.json()["roles"], me.json()["iin_bin"], me.json()["region"]) == ([], None, None)
    assert (restricted.status_code, restricted.json()["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    "claims",
    [
        {"realm_access": {"roles": "secretary"}},
        {"realm_access": {"roles": ["secretary", 7]}},
        {"realm_access": ["secretary"]},
        {"iin": 900101300123},
        {"iin": "90010130012"},
        {"iin": "9001013001234"},
        {"region": 71},
    ],
)
async def test_a_mapped_claim_of_the_wrong_shape_is_401(
    provider: IdentityProvider, claims: dict[str, Any]
) -> None:
    async with calling(settings_of(provider, **KEYCLOAK)) as (http, _):
        response = await http.get("/me", headers=bearer(keycloak_token(provider.issuer, **claims)))
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated"), claims


def test_static_tokens_carry_an_iin_bin_too() -> None:
    from contest_runtime.auth import verify

    settings = AuthSettings(jwt_key="a-test-secret-of-sufficient-length")
    token = mint(settings, subject="a-1", roles=[Role.APPLICANT], iin_bin="041240001234")
    assert verify(token, settings).iin_bin == "041240001234"


@pytest.mark.parametrize(
    "settings",
    [
        {"jwks_url": "http://127.0.0.1:1/certs", "algorithms": "RS256,none"},
        {"jwks_url": "http://127.0.0.1:1/certs", "algorithms": "HS256"},
        {"jwks_url": "http://127.0.0.1:1/certs", "algorithms": ""},
        {"issuer": "http://keycloak.internal/realms/contest"},
        {"jwks_url": "ftp://127.0.0.1/certs"},
        {},
    ],
    ids=["none", "hs256", "no-algorithm", "plain-http-off-loopback", "not-http", "no-key-at-all"],
)
def test_settings_refuse_what_would_weaken_verification(
    settings: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTH_JWT_KEY", raising=False)
    with pytest.raises(ValidationError):
        AuthSettings(**settings)


def test_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AUTH_ISSUER": "https://idp.example.kz/realms/contest",
        "AUTH_ALGORITHMS": "RS256, ES256",
        "AUTH_ROLES_CLAIM": "realm_access.roles,resource_access.contest-portal.roles",
        "AUTH_IIN_BIN_CLAIM": "iin",
        "AUTH_JWKS_CACHE_S": "60",
    }.items():
        monkeypatch.setenv(name, value)
    settings = AuthSettings()
    assert (
        settings.uses_provider
        and settings.expected_issuer == "https://idp.example.kz/realms/contest"
    )
    assert settings.algorithms == ("RS256", "ES256")
    assert settings.roles_claim == ("realm_access.roles", "resource_access.contest-portal.roles")
    assert (settings.iin_bin_claim, settings.jwks_cache_s) == ("iin", 60)
    assert AuthSettings(
        issuer="http://keycloak:8080/realms/c", provider_plain_http=True
    ).uses_provider
