"""What the portal reads from judging: the published results."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from contest_contracts.events.judging import ResultsPublished
from contest_portal.services.calls import NotFound, ServiceUnavailable, get_json


class JudgingReader:
    """Judging's public routes."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def results(self, contest_id: str) -> ResultsPublished | None:
        """The published result table; None before it is published, or when judging does
        not answer (the contest's page says nothing of results then)."""
        try:
            return await self.published(contest_id)
        except (NotFound, ServiceUnavailable):
            return None

    async def published(self, contest_id: str) -> ResultsPublished:
        """The published result table; :class:`NotFound` before it is published,
        :class:`ServiceUnavailable` when judging does not answer."""
        path = f"/contests/{quote(contest_id, safe='')}/results"
        return ResultsPublished.model_validate(await get_json(self.client, "judging", path))
