"""Composition root of the judging service: settings, store, broker and routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from contest_judging.settings import JudgingSettings
from contest_runtime.definitions import ContestDefinitionCopies, keep_contest_definitions
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "judging"


@dataclass
class JudgingContext:
    """What the judging service's routes and handlers work with."""

    contests: ContestDefinitionCopies


async def wire(runtime: ServiceRuntime) -> JudgingContext:
    """Create indexes and register subscribers before the broker starts."""
    return JudgingContext(contests=keep_contest_definitions(runtime))


def create_app(settings: JudgingSettings | None = None) -> FastAPI:
    """The judging service's app; connects to nothing until its lifespan starts."""
    return create_service_app(
        name=NAME,
        settings=settings or JudgingSettings(),
        title="Contest judging service",
        description="commissions, assignment, scoring, finalists and awards.",
        wire=wire,
    )
