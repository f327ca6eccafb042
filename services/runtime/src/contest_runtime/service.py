"""The composition root shared by every service: one lifespan that owns the store client and
the broker, health endpoints, correlation ids and problem responses.

A service calls :func:`create_service_app` from its own ``app`` module with its settings,
its routers and a ``wire`` coroutine that creates indexes and registers subscribers.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from contest_runtime.auth import verifying_tokens
from contest_runtime.bodies import JsonBodyBounds
from contest_runtime.consumers import DeadLetters

# Re-exported: services and tests import the middleware from here.
from contest_runtime.correlation import CORRELATION_HEADER as CORRELATION_HEADER
from contest_runtime.correlation import CorrelationIdMiddleware as CorrelationIdMiddleware
from contest_runtime.kafka import EventPublisher, make_broker, start_broker, stop_broker
from contest_runtime.logs import configure_logging
from contest_runtime.metrics import metrics_router
from contest_runtime.mongo import Document, connect, ping
from contest_runtime.openapi import document_problems
from contest_runtime.problems import ProblemError, install_problem_handlers, problem_response
from contest_runtime.records import RecordTooLarge, limit_records
from contest_runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class ServiceRuntime:
    """What a running service holds: its settings, store, broker and event outlets."""

    name: str
    settings: ServiceSettings
    mongo: AsyncMongoClient[Document]
    db: AsyncDatabase[Document]
    broker: KafkaBroker
    publisher: EventPublisher
    dead_letters: DeadLetters
    background: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    """Long-running jobs (schedulers, relays) started once the broker is up."""
    closing: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    """What to close when the service stops (clients of other services)."""


Wire = Callable[[ServiceRuntime], Awaitable[Any]]


def service_runtime(request: Request) -> ServiceRuntime:
    """FastAPI dependency: the runtime of the service handling the request."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def _wait_for(what: str, attempt: Callable[[], Awaitable[Any]], timeout_s: float) -> None:
    """Retry ``attempt`` until it succeeds: a service may start before its broker or store."""
    deadline = time.monotonic() + timeout_s
    delay = 0.25
    while True:
        try:
            await attempt()
            return
        except Exception as error:
            if time.monotonic() >= deadline:
                raise RuntimeError(f"{what} unreachable for {timeout_s:.0f}s") from error
            log.warning("waiting for %s", what, extra={"error": repr(error)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


def create_service_app(
    *,
    name: str,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    wire: Wire | None = None,
) -> FastAPI:
    """Build a service's FastAPI app; nothing connects until the lifespan starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(name, settings.log_level)
        infra = settings.infra
        limit_records(infra.kafka_max_record_bytes)
        mongo = connect(
            infra.mongodb_uri, app_name=name, timeout_s=min(5.0, infra.startup_timeout_s)
        )
        broker = make_broker(infra, client_id=name)
        runtime = ServiceRuntime(
            name=name,
            settings=settings,
            mongo=mongo,
            db=mongo[settings.mongodb_database],
            broker=broker,
            publisher=EventPublisher(broker, source=f"/contest/{name}"),
            dead_letters=DeadLetters(broker, consumer_group=settings.consumer_group),
        )
        app.state.runtime = runtime
        tasks: list[asyncio.Task[None]] = []
        resources = AsyncExitStack()
        try:
            # The provider's key set: fetched once now, then cached for the process.
            await resources.enter_async_context(verifying_tokens(app))
            await _wait_for("MongoDB", lambda: ping(mongo), infra.startup_timeout_s)
            app.state.context = await wire(runtime) if wire is not None else None
            await _wait_for(
                "Kafka",
                lambda: start_broker(broker, infra.kafka_join_timeout_s),
                infra.startup_timeout_s,
            )
            tasks = [asyncio.create_task(job()) for job in runtime.background]
            log.info("service started", extra={"port": settings.http_port})
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for close in runtime.closing:
                await close()
            await stop_broker(broker, infra.kafka_join_timeout_s)
            await mongo.close()
            await resources.aclose()
            log.info("service stopped")

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.auth_settings = settings.auth
    install_problem_handlers(app)
    app.add_exception_handler(RecordTooLarge, _on_record_too_large)
    app.add_middleware(JsonBodyBounds)  # inside the correlation id, so its problems carry it
    app.add_middleware(CorrelationIdMiddleware)
    app.include_router(health_router())
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)
    document_problems(app)
    return app


async def _on_record_too_large(request: Request, error: Exception) -> JSONResponse:
    """A change whose event the broker could not take was refused before it was stored."""
    assert isinstance(error, RecordTooLarge)
    return problem_response(
        request,
        ProblemError(413, "event_too_large", "Too large", f"{error}; nothing was stored"),
    )


def health_router() -> APIRouter:
    """``/healthz`` (the process runs) and ``/readyz`` (it can reach its broker and store)."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        summary="Liveness. Who may call: anyone (no data is exposed).",
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: broker and store reachable, and which process answers (the "
        "service's name and the instance id it was started with). Who may call: anyone.",
        responses={
            503: {
                "description": "A dependency is unreachable (the same body, `not_ready`).",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def readyz(request: Request) -> JSONResponse:
        runtime = service_runtime(request)
        checks = {
            "mongodb": await _check(ping(runtime.mongo)),
            "kafka": "ok" if await runtime.broker.ping(timeout=2.0) else "unreachable",
        }
        ready = all(state == "ok" for state in checks.values())
        return JSONResponse(
            {
                "service": runtime.name,
                "instance": runtime.settings.instance_id or None,
                "status": "ready" if ready else "not_ready",
                "checks": checks,
            },
            status_code=200 if ready else 503,
        )

    return router


async def _check(probe: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(probe, timeout=2.0)
    except Exception as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


def serve(app: FastAPI, settings: ServiceSettings, name: str) -> None:
    """Run a service's app with uvicorn, logging as JSON from the first line."""
    import uvicorn

    configure_logging(name, settings.log_level)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )
