"""The workspaces of the people who run a contest's judging: the regional secretary's
(:mod:`.secretary`), the juror's (:mod:`.juror`) and the commission secretary's
(:mod:`.commission`), as one router."""

from __future__ import annotations

from fastapi import APIRouter

from contest_portal.pages import commission, juror, secretary

router = APIRouter()
router.include_router(secretary.router)
router.include_router(juror.router)
router.include_router(commission.router)
