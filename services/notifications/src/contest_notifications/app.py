"""Composition root of the notifications service: settings, store, broker and routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from contest_notifications.settings import NotificationsSettings
from contest_runtime.definitions import ContestDefinitionCopies, keep_contest_definitions
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "notifications"


@dataclass
class NotificationsContext:
    """What the notifications service's routes and handlers work with."""

    contests: ContestDefinitionCopies


async def wire(runtime: ServiceRuntime) -> NotificationsContext:
    """Create indexes and register subscribers before the broker starts."""
    return NotificationsContext(contests=keep_contest_definitions(runtime))


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    """The notifications service's app; connects to nothing until its lifespan starts."""
    return create_service_app(
        name=NAME,
        settings=settings or NotificationsSettings(),
        title="Contest notifications service",
        description="email, SMS and signed webhooks in kk/ru/en.",
        wire=wire,
    )
