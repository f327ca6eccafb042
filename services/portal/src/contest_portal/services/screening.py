"""What a regional secretary reads from and writes to intake: the region's screening queue
and the decisions, each with the secretary's own token (intake keeps them to their region)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from contest_portal.services.calls import get_json, send_json

QUEUE_PAGE = 50
"""Applications shown, and decided at once, on one page of the queue."""


async def queue(
    client: httpx.AsyncClient,
    token: str,
    contest_id: str,
    *,
    status: str | None = None,
    nomination: str | None = None,
    after: str | None = None,
) -> dict[str, Any]:
    """One page of the contest's applications in the secretary's region (intake's listing:
    `items`, `next_after`, and each one's automatic `checks` as they stand now)."""
    params = {"status": status, "nomination": nomination, "after": after, "limit": QUEUE_PAGE}
    path = f"/contests/{quote(contest_id, safe='')}/applications"
    answer: dict[str, Any] = await get_json(
        client,
        "intake",
        path,
        {k: v for k, v in params.items() if v is not None},
        token=token,
    )
    return answer


async def screen(
    client: httpx.AsyncClient, token: str, application_id: str, decision: str, reason: str | None
) -> dict[str, Any]:
    """Record the secretary's decision on one application; :class:`Refused` as intake
    refuses it (e.g. `reason_required`, another region's application)."""
    path = f"/applications/{quote(application_id, safe='')}/screening"
    body = {"decision": decision, "reason": reason}
    answer: dict[str, Any] = await send_json(client, "intake", "POST", path, body, token=token)
    return answer
