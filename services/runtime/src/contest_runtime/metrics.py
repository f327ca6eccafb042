"""What a service counts for its operators (Prometheus), and the route that shows it.

Counters live in the process's default registry, labelled by service, so that several
services in one process (the tests) keep apart. ``GET /metrics`` is for operators only:
the counts say nothing personal, but how a contest is going is not public.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, generate_latest

from contest_runtime.auth import Operator

OUTBOX_DEAD_LETTERS = Counter(
    "contest_outbox_dead_letters",
    "Outbox records the broker refused for good (too large, invalid...): kept in the "
    "service's store and announced on the topic's dead-letter topic instead of published.",
    ["service", "topic"],
)
"""Exposed as ``contest_outbox_dead_letters_total``; anything above zero needs an operator."""


def metrics_router() -> APIRouter:
    """``GET /metrics``: the service's counters in the Prometheus text format."""
    router = APIRouter(tags=["health"])

    @router.get(
        "/metrics",
        summary="Counters in the Prometheus text format. Who may call: operators.",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
    )
    async def metrics(operator: Operator) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router
