"""The identity provider's published signing keys (its JWKS), fetched and cached per process.

Keys are chosen by the token's ``kid`` (and its ``alg``). The set is fetched again after
the cache period, so a key the provider removed stops verifying then; a ``kid`` the cache
does not know makes one fetch, and at most one fetch starts per refresh interval whatever
asks for it, so a burst of tokens with made-up key ids costs the provider one request.
Concurrent callers that need a fetch share the one in flight. When the provider cannot be
reached, the keys already fetched keep verifying: a failed fetch never empties the cache.

Fetching is asynchronous (httpx); nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from jwt import PyJWK, PyJWTError

from contest_runtime.auth_settings import KeySource

log = logging.getLogger(__name__)

DISCOVERY_PATH = "/.well-known/openid-configuration"
_MOST_BYTES = 512 * 1024
"""Largest discovery or key-set document read: a key set is a few kilobytes."""


def discovery_url(issuer: str) -> str:
    """Where OpenID Connect Discovery publishes ``issuer``'s configuration."""
    return issuer.rstrip("/") + DISCOVERY_PATH


class ProviderUnavailable(Exception):
    """The provider's configuration or key set could not be fetched or read."""


class ProviderKeys:
    """The provider's signing keys by ``kid``; one per process, opened by the lifespan."""

    def __init__(
        self,
        source: KeySource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._transport = transport
        self._clock = clock
        self._http: httpx.AsyncClient | None = None
        self._jwks_url = source.jwks_url
        self._keys: dict[str, list[PyJWK]] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._in_flight: asyncio.Future[None] | None = None
        self.fetches = 0
        """Key-set requests made (discovery requests not counted)."""

    async def __aenter__(self) -> ProviderKeys:
        self._http = httpx.AsyncClient(
            timeout=self.source.timeout_s,
            follow_redirects=False,
            transport=self._transport,
            headers={"Accept": "application/json"},
        )
        # Fetched at start so the first callers do not wait; a provider that is down now is
        # retried when a token needs it (the service starts either way).
        await self.refresh()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._in_flight is not None:
            await asyncio.gather(self._in_flight, return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @property
    def key_ids(self) -> frozenset[str]:
        """The ``kid`` of every cached key."""
        return frozenset(self._keys)

    async def key_for(self, kid: str, algorithm: str) -> PyJWK | None:
        """The cached key ``kid`` for ``algorithm``, fetching the set again when it is older
        than the cache period or (rate-limited) when ``kid`` is unknown; ``None`` if no key."""
        if self._fetched_at is None or self._clock() - self._fetched_at >= self.source.cache_s:
            await self.refresh()
        key = self._find(kid, algorithm)
        if key is None and kid not in self._keys:
            await self.refresh()
            key = self._find(kid, algorithm)
        return key

    async def refresh(self) -> None:
        """Fetch the key set unless a fetch started less than the refresh interval ago; join
        the fetch in flight if there is one. Never raises: a failure is logged."""
        if self._in_flight is None:
            now = self._clock()
            if (
                self._last_attempt is not None
                and now - self._last_attempt < self.source.refresh_min_s
            ):
                return
            self._last_attempt = now
            self._in_flight = asyncio.ensure_future(self._fetch())
            self._in_flight.add_done_callback(self._fetched)
        # Shielded: a caller that goes away (a client hanging up) does not cancel the fetch
        # the others are waiting for.
        await asyncio.shield(self._in_flight)

    def _fetched(self, _: asyncio.Future[None]) -> None:
        self._in_flight = None

    def _find(self, kid: str, algorithm: str) -> PyJWK | None:
        for key in self._keys.get(kid, ()):
            if key.algorithm_name == algorithm:
                return key
        return None

    async def _fetch(self) -> None:
        try:
            if self._jwks_url is None:
                self._jwks_url = await self._discover()
            self.fetches += 1
            document = await self._document(self._jwks_url)
            keys = self._usable_keys(document)
        except ProviderUnavailable as error:
            if self.source.jwks_url is None:
                self._jwks_url = None  # discover again next time: the provider may have moved
            log.warning(
                "identity provider keys not refreshed; the cached ones stay in use",
                extra={"error": str(error), "cached_key_ids": sorted(self._keys)},
            )
            return
        added, removed = set(keys) - set(self._keys), set(self._keys) - set(keys)
        self._keys = keys
        self._fetched_at = self._clock()
        if added or removed:
            log.info(
                "identity provider keys refreshed",
                extra={"added_key_ids": sorted(added), "removed_key_ids": sorted(removed)},
            )

    async def _discover(self) -> str:
        issuer = self.source.issuer
        if issuer is None:
            raise ProviderUnavailable("no issuer to discover the key set from")
        configuration = await self._document(discovery_url(issuer))
        if configuration.get("issuer") != issuer:
            # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was
            # fetched for, or its keys could be anyone's.
            raise ProviderUnavailable("the discovery document names another issuer")
        jwks_uri = configuration.get("jwks_uri")
        if not isinstance(jwks_uri, str) or urlsplit(jwks_uri).scheme not in ("https", "http"):
            raise ProviderUnavailable("the discovery document has no usable jwks_uri")
        if urlsplit(jwks_uri).scheme == "http" and urlsplit(issuer).scheme == "https":
            raise ProviderUnavailable("the discovery document sends keys over plain HTTP")
        return jwks_uri

    async def _document(self, url: str) -> dict[str, Any]:
        """A JSON object fetched from ``url`` (bounded in size)."""
        if self._http is None:
            raise ProviderUnavailable("the key set is not open (no lifespan)")
        try:
            async with self._http.stream("GET", url) as response:
                if response.status_code != 200:
                    raise ProviderUnavailable(f"{url} answered {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > _MOST_BYTES:
                        raise ProviderUnavailable(f"{url} answered more than {_MOST_BYTES} bytes")
        except httpx.HTTPError as error:
            raise ProviderUnavailable(f"{url}: {type(error).__name__}: {error}") from error
        try:
            document = json.loads(body)
        except ValueError as error:
            raise ProviderUnavailable(f"{url} answered something other than JSON") from error
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"{url} answered JSON that is not an object")
        return document

    def _usable_keys(self, document: dict[str, Any]) -> dict[str, list[PyJWK]]:
        entries = document.get("keys")
        if not isinstance(entries, list):
            raise ProviderUnavailable("the key set has no `keys` list")
        keys: dict[str, list[PyJWK]] = {}
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("kid"), str):
                continue  # a key without an id can never be chosen
            # Symmetric keys have no place in a published set; an `enc` key signs nothing.
            if entry.get("kty") == "oct" or entry.get("use", "sig") != "sig":
                continue
            try:
                key = PyJWK(entry)
            except PyJWTError:
                continue  # an algorithm or curve we do not verify: others may still be usable
            if key.algorithm_name in self.source.algorithms:
                keys.setdefault(entry["kid"], []).append(key)
        return keys
