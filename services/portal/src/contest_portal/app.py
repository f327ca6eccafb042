"""Composition root of the portal: settings, catalogs, the services' readers, the pages.

The portal keeps no data and connects to no broker or store: its lifespan owns one pooled
HTTP client per service it reads, and `/readyz` answers ready once intake, whose contests
every page shows, answers.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import PathLike
from starlette.staticfiles import StaticFiles as StaticRoute
from starlette.types import Scope

from contest_portal.headers import HeadAsGet, SecurityHeaders
from contest_portal.languages import Catalogs
from contest_portal.pages import (
    applicant,
    attachments,
    contests,
    exhibition,
    exports,
    language,
    operator,
    receipts,
    results,
    signin,
    staff,
    tallies,
    vote,
)
from contest_portal.pages.errors import install_error_pages
from contest_portal.pages.rendering import STATIC_MAX_AGE_S, Renderer, StaticFiles
from contest_portal.pages.site import Site
from contest_portal.services import Services, open_services
from contest_portal.services.identity import IdentityProvider
from contest_portal.sessions import Sessions
from contest_portal.settings import PortalSettings
from contest_portal.signins import SignIns
from contest_portal.tally_feeds import TallyFeeds
from contest_runtime.auth_settings import AuthSettings
from contest_runtime.correlation import CorrelationIdMiddleware
from contest_runtime.logs import configure_logging
from contest_runtime.provider_keys import ProviderKeys

NAME = "portal"

log = logging.getLogger(__name__)


def create_app(settings: PortalSettings | None = None) -> FastAPI:
    """The portal's app; talks to no service until its lifespan starts. The catalogs are
    compiled now, so that a broken one stops the start."""
    settings = settings or PortalSettings()  # from the environment
    renderer = Renderer(
        Catalogs.load(), StaticFiles(), settings.page_max_age_s, sign_in=bool(settings.oidc_issuer)
    )
    secret = settings.session_secret.get_secret_value()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(NAME, settings.log_level)
        async with open_services(settings) as services, _identity_provider(settings) as identity:
            tallies = TallyFeeds(services.voting.tally_changes)
            app.state.site = Site(
                services,
                renderer,
                clock=lambda: datetime.now(UTC),
                sessions=Sessions(secret),
                tallies=tallies,
                signins=SignIns(secret),
                exhibition_page_size=settings.exhibition_page_size,
                identity=identity,
                public_url=str(settings.public_url) if settings.public_url else None,
                document_fonts=settings.document_fonts,
            )
            log.info("portal started", extra={"port": settings.http_port})
            yield
            await tallies.close()
        log.info("portal stopped")

    app = FastAPI(
        title="Contest portal",
        description="The public site: contests, the exhibition, the vote, in kk/ru/en.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    install_error_pages(app)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(CorrelationIdMiddleware)
    app.add_middleware(HeadAsGet)
    app.include_router(health_router(settings))
    app.mount("/static", ImmutableStatic(packages=[("contest_portal", "static")]), name="static")
    app.include_router(language.router)
    app.include_router(contests.router)
    app.include_router(exhibition.router)
    app.include_router(vote.router)
    app.include_router(receipts.router)
    app.include_router(tallies.router)
    app.include_router(results.router)
    app.include_router(signin.router)
    app.include_router(applicant.router)
    app.include_router(attachments.router)
    app.include_router(operator.router)
    app.include_router(staff.router)
    app.include_router(exports.router)
    return app


@asynccontextmanager
async def _identity_provider(settings: PortalSettings) -> AsyncIterator[IdentityProvider | None]:
    """The provider people sign in at, when they sign in here, open while the portal runs:
    its published keys, and one client for its token endpoint. Its tokens are verified as
    every service verifies them (the `AUTH_*` settings: claims, audience), the issuer being
    the one people sign in at."""
    if not settings.oidc_issuer:
        yield None
        return
    auth = AuthSettings(issuer=settings.oidc_issuer)
    http = httpx.AsyncClient(
        timeout=settings.service_timeout_s,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "contest-portal"},
    )
    async with http, ProviderKeys(auth.key_source()) as keys:
        yield IdentityProvider(settings, auth, keys, http)


class ImmutableStatic(StaticRoute):
    """Static files, kept by caches for a year: pages address them by their content's hash."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE_S}, immutable"
        return response


def health_router(settings: PortalSettings) -> APIRouter:
    """``/healthz`` (the process runs) and ``/readyz`` (intake answers, so pages can be made;
    judging and voting are reported, a page is made without them)."""
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        services: Services = request.app.state.site.services
        names = ("intake", "judging", "voting")
        answers = await asyncio.gather(
            *(_answers(getattr(services, name).client) for name in names)
        )
        checks = dict(zip(names, answers, strict=True))
        ready = checks["intake"] == "ok"
        return JSONResponse(
            {
                "service": NAME,
                "instance": settings.instance_id or None,
                "status": "ready" if ready else "not_ready",
                "checks": checks,
            },
            status_code=200 if ready else 503,
        )

    return router


async def _answers(client: httpx.AsyncClient) -> str:
    try:
        response = await client.get("/healthz", timeout=2.0)
    except httpx.HTTPError as error:
        return f"unreachable: {type(error).__name__}"
    return "ok" if response.status_code == 200 else f"HTTP {response.status_code}"
