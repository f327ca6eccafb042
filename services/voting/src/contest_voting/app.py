"""Composition root of the voting service: settings, store, broker and routes."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from contest_runtime.definitions import ContestDefinitionCopies, keep_contest_definitions
from contest_runtime.service import ServiceRuntime, create_service_app
from contest_voting.settings import VotingSettings

NAME = "voting"


@dataclass
class VotingContext:
    """What the voting service's routes and handlers work with."""

    contests: ContestDefinitionCopies


async def wire(runtime: ServiceRuntime) -> VotingContext:
    """Create indexes and register subscribers before the broker starts."""
    return VotingContext(contests=keep_contest_definitions(runtime))


def create_app(settings: VotingSettings | None = None) -> FastAPI:
    """The voting service's app; connects to nothing until its lifespan starts."""
    return create_service_app(
        name=NAME,
        settings=settings or VotingSettings(),
        title="Contest voting service",
        description="verified public voting, ballots, tallies and live results.",
        wire=wire,
    )
