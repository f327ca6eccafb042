"""The finalists selected by judging become the public vote's choices."""

from __future__ import annotations

from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.judging import FinalistsSelected
from contest_voting.store.public_votes import PublicVotes


async def keep_finalists(public_votes: PublicVotes, envelope: Envelope[Any]) -> None:
    """Take the whole list (the latest one wins)."""
    event: FinalistsSelected = envelope.data
    await public_votes.keep_finalists(event)
