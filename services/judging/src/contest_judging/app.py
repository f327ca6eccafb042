"""Composition root of the judging service: settings, store, broker and routes."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI

from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
)
from contest_contracts.events.stages import StageClosed
from contest_contracts.topics import APPLICATIONS, STAGES
from contest_judging.api import assignments, awards, commissions, stages
from contest_judging.context import JudgingContext
from contest_judging.events.applications import (
    keep_screened,
    keep_submitted,
    keep_updated,
    keep_withdrawn,
)
from contest_judging.events.stages import follow_stage_closed
from contest_judging.settings import JudgingSettings
from contest_judging.store.applications import ApplicationCopies
from contest_judging.store.assignments import AssignmentStore
from contest_judging.store.audit import AuditingRelay, AuditLog
from contest_judging.store.commissions import CommissionStore
from contest_judging.store.decisions import Decisions
from contest_judging.store.stages import StageStore
from contest_runtime.consumers import ConsumerOptions, subscribe
from contest_runtime.definitions import keep_contest_definitions
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "judging"


def create_app(settings: JudgingSettings | None = None) -> FastAPI:
    """The judging service's app; connects to nothing until its lifespan starts."""
    settings = settings or JudgingSettings()

    async def wire(runtime: ServiceRuntime) -> JudgingContext:
        context = await open_context(runtime, settings)
        subscribe_handlers(runtime, context)
        runtime.background.append(lambda: context.relay.run(settings.outbox_interval_s))
        return context

    return create_service_app(
        name=NAME,
        settings=settings,
        title="Contest judging service",
        description="Commissions, assignment, scoring, finalists and awards.",
        routers=[commissions.router, assignments.router, stages.router, awards.router],
        wire=wire,
    )


async def open_context(runtime: ServiceRuntime, settings: JudgingSettings) -> JudgingContext:
    """Judging's stores (with their indexes) and outbox relay (events and audit entries)."""
    db = runtime.db
    stage_store, assignment_store, audit = StageStore(db), AssignmentStore(db), AuditLog(db)
    context = JudgingContext(
        contests=keep_contest_definitions(runtime),
        commissions=CommissionStore(db),
        audit=audit,
        applications=ApplicationCopies(db),
        stages=stage_store,
        assignments=assignment_store,
        decisions=Decisions(db),
        relay=AuditingRelay(
            runtime.broker,
            [stage_store.collection, assignment_store.collection],
            audit,
            batch=settings.outbox_batch,
        ),
    )
    for store in (
        context.commissions,
        context.audit,
        context.applications,
        context.assignments,
        context.decisions,
        context.relay,
    ):
        await store.create_indexes()
    return context


def subscribe_handlers(runtime: ServiceRuntime, context: JudgingContext) -> None:
    """Applications (judging's copy) and stage closes (what opens judging's stages)."""
    options = ConsumerOptions.of(runtime.settings)
    subscribe(
        runtime.broker,
        APPLICATIONS,
        {
            ApplicationSubmitted: partial(keep_submitted, context),
            ApplicationUpdated: partial(keep_updated, context),
            ApplicationWithdrawn: partial(keep_withdrawn, context),
            ApplicationScreened: partial(keep_screened, context),
        },
        options=options,
        dead_letters=runtime.dead_letters,
    )
    subscribe(
        runtime.broker,
        STAGES,
        {StageClosed: partial(follow_stage_closed, context)},
        options=options,
        dead_letters=runtime.dead_letters,
    )
