"""How much of a running vote the public sees may change only on purpose.

A definition is replaced whole (``PUT /contests/{id}``), and ``public_vote.visibility``
has a default (``live``): a replacement that leaves the key out would otherwise turn a
hidden vote into a live one without anyone deciding it. So:

- a replacement that leaves the visibility out keeps the one the contest has;
- a change to a less secret value (``hidden`` → ``ranks_only`` → ``live``) must be confirmed;
- once the public vote has opened, no change is made unless forced: voters chose to vote
  under what they were told;
- every change is written in the contest's audit log, in the same write as the change.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from contest_contracts.common import StageKind, UtcDateTime
from contest_contracts.events.contest import ContestDefinition, TallyVisibility
from contest_intake.domain.forms import Refused

SECRECY = {TallyVisibility.LIVE: 0, TallyVisibility.RANKS_ONLY: 1, TallyVisibility.HIDDEN: 2}
"""How much each visibility keeps back: higher is more secret."""


class VisibilityChange(StrEnum):
    """What an operator allows a replacement of the definition to do to the visibility."""

    NONE = "none"
    """Only a change to a more secret value, before the vote opens."""
    CONFIRM = "confirm"
    """Also a change to a less secret value, before the vote opens."""
    FORCE = "force"
    """Any change, also once the vote has opened."""


class VisibilityChanged(BaseModel):
    """An entry of a contest's audit log: its vote's visibility changed."""

    action: str = Field(default="visibility_changed", description="What was done.")
    at: UtcDateTime = Field(description="When.")
    by: str = Field(description="The operator, or `definition-file`.")
    previous: TallyVisibility = Field(description="Visibility before.")
    visibility: TallyVisibility = Field(description="Visibility after.")
    revision: int = Field(description="The definition's revision that made the change.")
    forced: bool = Field(description="Made while the vote was open, by force.")


def keeping_unwritten_visibility(
    current: ContestDefinition, new: ContestDefinition
) -> ContestDefinition:
    """``new``, with ``current``'s visibility where ``new`` was written without one."""
    written = "public_vote" in new.model_fields_set and (
        "visibility" in new.public_vote.model_fields_set
    )
    if written or new.public_vote.visibility == current.public_vote.visibility:
        return new
    vote = new.public_vote.model_copy(update={"visibility": current.public_vote.visibility})
    return new.model_copy(update={"public_vote": vote})


def vote_has_opened(definition: ContestDefinition, now: datetime) -> bool:
    """Whether the definition's public vote opened at or before ``now``."""
    return any(s.stage == StageKind.PUBLIC_VOTE and s.opens_at <= now for s in definition.stages)


def check_visibility_change(
    current: ContestDefinition,
    new: ContestDefinition,
    now: datetime,
    allowed: VisibilityChange,
) -> bool:
    """Refuse a visibility change ``allowed`` does not cover; whether it is forced (made
    while the vote is open). ``new`` must already keep an unwritten visibility."""
    before, after = current.public_vote.visibility, new.public_vote.visibility
    opened = vote_has_opened(current, now) or vote_has_opened(new, now)
    if opened and allowed is not VisibilityChange.FORCE:
        raise Refused.of(
            "vote_visibility_fixed",
            f"the public vote has opened: its visibility stays {before.value} "
            "unless the change is forced (visibility_change=force)",
            "public_vote.visibility",
        )
    if SECRECY[after] < SECRECY[before] and allowed is VisibilityChange.NONE:
        raise Refused.of(
            "visibility_change_unconfirmed",
            f"{before.value} → {after.value} shows the public more: confirm it "
            "(visibility_change=confirm)",
            "public_vote.visibility",
        )
    return opened
