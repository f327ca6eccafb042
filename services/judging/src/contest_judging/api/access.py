"""Who may call judging's routes: the roles, and the stages a path may name."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import Depends

from contest_contracts.common import StageKind
from contest_judging.context import JudgingContext, judging
from contest_runtime.auth import Principal, Role, require_roles

Judging = Annotated[JudgingContext, Depends(judging)]
Overseer = Annotated[Principal, Depends(require_roles(Role.OPERATOR, Role.COMMISSION_SECRETARY))]
JurorCaller = Annotated[Principal, Depends(require_roles(Role.JUROR))]
CommissionCaller = Annotated[
    Principal, Depends(require_roles(Role.OPERATOR, Role.COMMISSION_SECRETARY, Role.JUROR))
]


class JudgingStage(StrEnum):
    """The stages judging runs (a path segment)."""

    REGIONAL = "regional"
    REPUBLICAN = "republican"

    @property
    def kind(self) -> StageKind:
        """The contract's stage kind."""
        return StageKind(self.value)
