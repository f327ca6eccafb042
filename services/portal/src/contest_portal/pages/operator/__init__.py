"""The operator's console (`/{lang}/operator/...`, role `operator`): contests defined and
changed from files, judging's commissions, stages, special prizes and results controlled,
the contest's audit log, and notifications' delivery log, webhooks and staff directory."""

from __future__ import annotations

from fastapi import APIRouter

from contest_portal.pages.operator import (
    audit,
    commissions,
    contests,
    judgement,
    notifications,
    vote,
)

router = APIRouter()
router.include_router(contests.router)
router.include_router(judgement.router)
router.include_router(vote.router)
router.include_router(commissions.router)
router.include_router(audit.router)
router.include_router(notifications.router)
