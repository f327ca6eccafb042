"""Judging's word on whether a juror is assigned to an application, asked per request.

Intake keeps no copy of the assignments: a copy built from `JurorAssigned` events would not
learn that a declared conflict ended one (judging publishes no event for that), and a juror
would go on reading files they no longer judge. Judging's answer is current; when judging
does not answer in time, intake says so (503) and lets nobody through on a guess.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import httpx

from contest_runtime.problems import ProblemError

log = logging.getLogger(__name__)


def judging_unavailable(detail: str) -> ProblemError:
    """503: intake cannot tell whether the juror is assigned."""
    return ProblemError(
        503,
        "judging_unavailable",
        "Judging does not answer",
        f"cannot tell whether the caller is assigned to the application: {detail}",
        headers={"Retry-After": "5"},
    )


class JudgingAssignments:
    """Asks judging's `GET /contests/{c}/assignments/mine/{a}` with the juror's own token."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @classmethod
    def at(cls, url: str, timeout_s: float) -> JudgingAssignments:
        """A pooled client to judging at ``url``, each call bounded by ``timeout_s``."""
        return cls(httpx.AsyncClient(base_url=url, timeout=timeout_s))

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self.client.aclose()

    async def holds(self, authorization: str, contest_id: str, application_id: str) -> bool:
        """Whether the juror whose ``Authorization`` header this is holds an assignment to
        the application now (at any stage). Raises the 503 problem when judging cannot say."""
        path = f"/contests/{quote(contest_id, safe='')}/assignments/mine/" + quote(
            application_id, safe=""
        )
        try:
            answer = await self.client.get(path, headers={"Authorization": authorization})
        except httpx.TimeoutException as error:
            log.warning("judging timed out", extra={"application_id": application_id})
            raise judging_unavailable("it did not answer in time") from error
        except httpx.TransportError as error:
            log.warning("judging unreachable", extra={"application_id": application_id})
            raise judging_unavailable("it cannot be reached") from error
        if answer.status_code == 200:
            return True
        if answer.status_code in (401, 403, 404):
            return False  # not assigned, no longer assigned, or no juror of judging's
        log.warning(
            "judging answered unexpectedly",
            extra={"application_id": application_id, "status": answer.status_code},
        )
        raise judging_unavailable(f"it answered {answer.status_code}")
