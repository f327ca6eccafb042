"""What the judging service's routes and handlers work with (built in ``app``)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
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


class StageLock:
    """What keeps a stage's changes in order: sheets are recorded side by side (each is a
    write to its own assignment), while assignment, conflicts and the close take the stage
    alone, so a close sees every sheet recorded before it and none after.

    A change that waits for the stage holds back sheets that come after it, so a stream of
    sheets never keeps a close waiting.
    """

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._sheets = 0
        self._held_alone = False
        self._waiting_alone = 0

    @asynccontextmanager
    async def sheet(self) -> AsyncIterator[None]:
        """Hold the stage for one sheet, alongside other sheets."""
        async with self._changed:
            await self._changed.wait_for(lambda: not self._held_alone and not self._waiting_alone)
            self._sheets += 1
        try:
            yield
        finally:
            async with self._changed:
                self._sheets -= 1
                self._changed.notify_all()

    @asynccontextmanager
    async def alone(self) -> AsyncIterator[None]:
        """Hold the stage alone: no sheet and no other change meanwhile."""
        async with self._changed:
            self._waiting_alone += 1
            try:
                await self._changed.wait_for(lambda: not self._held_alone and not self._sheets)
            finally:
                self._waiting_alone -= 1
                self._changed.notify_all()  # sheets held back by a cancelled wait go on
            self._held_alone = True
        try:
            yield
        finally:
            async with self._changed:
                self._held_alone = False
                self._changed.notify_all()


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
    locks: defaultdict[tuple[str, StageKind], StageLock] = field(
        default_factory=lambda: defaultdict(StageLock)
    )
    """One lock per contest and stage (see ``StageLock``)."""

    def lock(self, contest_id: str, stage: StageKind) -> StageLock:
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
