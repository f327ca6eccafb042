"""The provider's key set over real HTTP: rotation without restart, one refresh for a burst
of unknown key ids, discovery, and a provider that goes down."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from httpx import AsyncClient
from identity_provider import (
    AUDIENCE,
    IdentityProvider,
    SigningKey,
    bearer,
    calling,
    claims_for,
    identity_provider,
    stop,
)

from contest_runtime.auth import AuthSettings


def settings_of(provider: IdentityProvider, **changes: Any) -> AuthSettings:
    return AuthSettings(
        jwks_url=provider.jwks_url, jwt_issuer=provider.issuer, jwt_audience=AUDIENCE, **changes
    )


async def status_of(http: AsyncClient, token: str) -> int:
    return (await http.get("/me", headers=bearer(token))).status_code


async def test_keys_rotate_without_a_restart() -> None:
    first, second = SigningKey.new("2026-01"), SigningKey.new("2026-07", "ES256")
    with identity_provider() as (provider, _):
        provider.publish(first)
        signed_first = first.sign(claims_for(provider.issuer))
        signed_second = second.sign(claims_for(provider.issuer))
        settings = settings_of(provider, jwks_cache_s=0.6, jwks_refresh_min_s=0.1)
        async with calling(settings) as (http, keys):
            assert await status_of(http, signed_first) == 200
            assert await status_of(http, signed_second) == 401  # not published yet

            provider.publish(first, second)
            await asyncio.sleep(0.15)  # past the refresh interval: an unknown kid refreshes
            assert await status_of(http, signed_second) == 200
            assert await status_of(http, signed_first) == 200

            provider.publish(second)
            # Within the cache period the removed key still verifies (it is cached)...
            assert await status_of(http, signed_first) == 200
            await asyncio.sleep(0.65)
            # ...and after it, the set is fetched again and the removed key is gone.
            assert await status_of(http, signed_first) == 401
            assert await status_of(http, signed_second) == 200
            assert keys.key_ids == {"2026-07"}


async def test_a_burst_of_unknown_key_ids_makes_one_refresh() -> None:
    known, added = SigningKey.new("known"), SigningKey.new("added")
    with identity_provider() as (provider, _):
        provider.publish(known)
        provider.delay_s = 0.1  # every request of the burst arrives while the fetch is out
        settings = settings_of(provider, jwks_refresh_min_s=0.5)
        async with calling(settings) as (http, _):
            assert provider.key_set_requests == 1  # fetched when the lifespan opened it
            await asyncio.sleep(0.55)
            provider.publish(known, added)
            forger = SigningKey.new("forger")
            burst = [
                forger.sign(claims_for(provider.issuer), kid=f"made-up-{uuid.uuid4()}")
                for _ in range(30)
            ]
            burst.append(added.sign(claims_for(provider.issuer)))
            statuses = await asyncio.gather(*(status_of(http, token) for token in burst))
            assert statuses == [401] * 30 + [200]
            assert provider.key_set_requests == 2

            # Within the refresh interval, more unknown ids make no request at all.
            again = await asyncio.gather(*(status_of(http, token) for token in burst[:30]))
            assert again == [401] * 30
            assert provider.key_set_requests == 2

            await asyncio.sleep(0.55)
            assert await status_of(http, burst[0]) == 401
            assert provider.key_set_requests == 3


async def test_the_key_set_is_found_by_discovery_from_the_issuer() -> None:
    key = SigningKey.new("discovered", "EdDSA")
    with identity_provider() as (provider, _):
        provider.publish(key)
        settings = AuthSettings(issuer=provider.issuer, jwt_audience=AUDIENCE)
        async with calling(settings) as (http, _):
            assert await status_of(http, key.sign(claims_for(provider.issuer))) == 200
            # The issuer is the expected `iss`, whatever AUTH_JWT_ISSUER says.
            other = key.sign(claims_for("contest-platform"))
            assert await status_of(http, other) == 401
        assert (provider.discovery_requests, provider.key_set_requests) == (1, 1)


async def test_a_discovery_document_of_another_issuer_gives_no_keys() -> None:
    key = SigningKey.new("k")
    with identity_provider() as (provider, _):
        provider.publish(key)
        provider.discovery_issuer = "https://attacker.example/realms/contest"
        settings = AuthSettings(issuer=provider.issuer, jwt_audience=AUDIENCE)
        async with calling(settings) as (http, keys):
            assert await status_of(http, key.sign(claims_for(provider.issuer))) == 401
            assert keys.key_ids == frozenset()
        assert provider.key_set_requests == 0


async def test_cached_keys_keep_verifying_while_the_provider_is_down() -> None:
    key = SigningKey.new("cached")
    with identity_provider() as (provider, server):
        provider.publish(key)
        settings = settings_of(provider, jwks_cache_s=0.2, jwks_refresh_min_s=0.05)
        async with calling(settings) as (http, _):
            assert await status_of(http, key.sign(claims_for(provider.issuer))) == 200
            stop(server)
            await asyncio.sleep(0.25)  # past the cache period: every use tries a fetch
            assert await status_of(http, key.sign(claims_for(provider.issuer))) == 200
            unknown = SigningKey.new("unknown").sign(claims_for(provider.issuer))
            response = await http.get("/me", headers=bearer(unknown))
            assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")


async def test_a_provider_down_at_start_is_401_not_500_until_it_answers() -> None:
    key = SigningKey.new("late")
    with identity_provider() as (provider, server):
        port, issuer = provider.port, provider.issuer
        stop(server)
        settings = settings_of(provider, jwks_refresh_min_s=0.05)
        async with calling(settings) as (http, _):  # the service starts all the same
            token = key.sign(claims_for(issuer))
            response = await http.get("/me", headers=bearer(token))
            assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
            with identity_provider(port) as (back, _):
                back.publish(key)
                await asyncio.sleep(0.06)
                assert await status_of(http, token) == 200
