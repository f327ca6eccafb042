"""What the judging service's routes and handlers work with (built in ``app``)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from contest_judging.store.audit import AuditLog
from contest_judging.store.commissions import CommissionStore
from contest_runtime.definitions import ContestDefinitionCopies


@dataclass
class JudgingContext:
    """Judging's stores."""

    contests: ContestDefinitionCopies
    commissions: CommissionStore
    audit: AuditLog


def judging(request: Request) -> JudgingContext:
    """FastAPI dependency: the context of the running judging service."""
    context: JudgingContext = request.app.state.context
    return context
