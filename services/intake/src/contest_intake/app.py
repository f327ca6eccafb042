"""Composition root of the intake service: settings, store, broker and routes."""

from __future__ import annotations

from fastapi import FastAPI

from contest_intake.settings import IntakeSettings
from contest_runtime.service import create_service_app

NAME = "intake"


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    """The intake service's app; connects to nothing until its lifespan starts."""
    return create_service_app(
        name=NAME,
        settings=settings or IntakeSettings(),
        title="Contest intake service",
        description="contest definitions, applications and the submission window.",
    )
