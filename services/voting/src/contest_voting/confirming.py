"""A vote the broker did not confirm in time: answered as uncertain, kept, sent again, and
settled once the tally decided it (see ``store.unconfirmed``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.voting import VoteCast
from contest_contracts.topics import VOTES
from contest_runtime.outbox import outbox_entry
from contest_voting.context import VotingContext

log = logging.getLogger(__name__)


async def keep_unconfirmed(
    context: VotingContext,
    vote: VoteCast,
    envelope: Envelope[Any],
    publishing: asyncio.Future[None],
) -> bool:
    """Keep a vote whose first publish (``publishing``, still under way) was not acknowledged
    in time, so that it is sent again until the broker takes it; returns whether it is kept.

    When the store cannot keep it either, the producer's queue is the only copy left: the
    vote may still be counted, and its seat stays taken all the same.
    """
    try:
        await context.unconfirmed.keep(vote, outbox_entry(VOTES, envelope))
    except Exception as error:
        log.warning(
            "an unconfirmed vote could not be kept; only the producer's queue holds it",
            extra={"receipt_id": vote.receipt_id, "error": repr(error)},
        )
        publishing.add_done_callback(_outcome_seen)
        return False
    # Started after the write, so that its note cannot come before the document it changes.
    noting = asyncio.create_task(_note_when_sent(context, vote.receipt_id, publishing))
    context.background_notes.add(noting)
    noting.add_done_callback(context.background_notes.discard)
    return True


async def _note_when_sent(
    context: VotingContext, receipt_id: str, publishing: asyncio.Future[None]
) -> None:
    try:
        await publishing
    except Exception:
        return  # the relay sends the kept record again
    try:
        await context.unconfirmed.sent(receipt_id)
    except Exception as error:
        # The relay then sends it once more; the tally counts a receipt once.
        log.warning("could not note a vote as sent", extra={"error": repr(error)})


def _outcome_seen(publishing: asyncio.Future[None]) -> None:
    """Take the outcome of a publish nobody awaits (else asyncio reports it as lost)."""
    if not publishing.cancelled() and publishing.exception() is not None:
        log.warning("an unconfirmed vote that could not be kept failed to publish")


async def run_settling(context: VotingContext, interval_s: float) -> None:
    """Forget kept votes once the tally counted or refused them, forever (a background
    job)."""
    while True:
        try:
            await context.unconfirmed.settle(context.ballots)
        except Exception:
            log.exception("settling unconfirmed votes failed")
        await asyncio.sleep(interval_s)
