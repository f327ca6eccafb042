"""What the judging service's routes and handlers work with (built in ``app``)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope, EventData
from contest_contracts.topics import Topic
from contest_judging.store.applications import ApplicationCopies
from contest_judging.store.assignments import AssignmentStore
from contest_judging.store.audit import AuditingRelay, AuditLog
from contest_judging.store.commissions import CommissionStore
from contest_judging.store.decisions import Decisions
from contest_judging.store.stages import StageStore
from contest_runtime.definitions import ContestDefinitionCopies
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.mongo import Document, stored_now
from contest_runtime.outbox import outbox_entry

SOURCE = "/contest/judging"


@dataclass
class JudgingContext:
    """Judging's stores, its outbox relay (events and audit entries), and what keeps its
    changes in order."""

    contests: ContestDefinitionCopies
    commissions: CommissionStore
    audit: AuditLog
    applications: ApplicationCopies
    stages: StageStore
    assignments: AssignmentStore
    decisions: Decisions
    relay: AuditingRelay
    clock: Callable[[], datetime] = stored_now
    locks: defaultdict[tuple[str, StageKind], asyncio.Lock] = field(
        default_factory=lambda: defaultdict(asyncio.Lock)
    )
    """One lock per contest and stage: assignment, sheets, conflicts and the close of a stage
    happen one at a time, so a close sees every sheet written before it and none after."""

    def lock(self, contest_id: str, stage: StageKind) -> asyncio.Lock:
        """The lock of a contest's stage."""
        return self.locks[(contest_id, stage)]


def outbox_event(
    topic: Topic, data: EventData, subject: str, causation: Envelope[Any] | None = None
) -> Document:
    """An outbox entry for an event of judging, in the flow of its cause or current request."""
    envelope = envelope_in_flow(data, source=SOURCE, subject=subject, causation=causation)
    return outbox_entry(topic, envelope)


async def judging(request: Request) -> JudgingContext:
    """FastAPI dependency: the context of the running judging service (async: FastAPI runs
    a plain function in a worker thread, a thread hop per request)."""
    context: JudgingContext = request.app.state.context
    return context
