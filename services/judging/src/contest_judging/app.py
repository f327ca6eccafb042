"""Composition root of the judging service: settings, store, broker and routes."""

from __future__ import annotations

from fastapi import FastAPI

from contest_judging.api import commissions
from contest_judging.context import JudgingContext
from contest_judging.settings import JudgingSettings
from contest_judging.store.audit import AuditLog
from contest_judging.store.commissions import CommissionStore
from contest_runtime.definitions import keep_contest_definitions
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "judging"


async def wire(runtime: ServiceRuntime) -> JudgingContext:
    """Create indexes and register subscribers before the broker starts."""
    context = JudgingContext(
        contests=keep_contest_definitions(runtime),
        commissions=CommissionStore(runtime.db),
        audit=AuditLog(runtime.db),
    )
    await context.commissions.create_indexes()
    await context.audit.create_indexes()
    return context


def create_app(settings: JudgingSettings | None = None) -> FastAPI:
    """The judging service's app; connects to nothing until its lifespan starts."""
    return create_service_app(
        name=NAME,
        settings=settings or JudgingSettings(),
        title="Contest judging service",
        description="Commissions, assignment, scoring, finalists and awards.",
        routers=[commissions.router],
        wire=wire,
    )
