"""Commissions: one regional commission per region and one republican commission per contest.

A commission's members are jurors with a role: the chair and members score; the secretary
runs the commission (closing its stage, recording decisions) and does not score.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contest_contracts.common import Code, EntityId
from contest_contracts.events.contest import ContestDefinition


class Level(StrEnum):
    """Which stage a commission judges."""

    REGIONAL = "regional"
    REPUBLICAN = "republican"


class MemberRole(StrEnum):
    """A member's part in a commission."""

    CHAIR = "chair"
    MEMBER = "member"
    SECRETARY = "secretary"


SCORING_ROLES = frozenset({MemberRole.CHAIR, MemberRole.MEMBER})


class Member(BaseModel):
    """A commission member."""

    model_config = ConfigDict(extra="forbid")

    juror_id: EntityId = Field(description="The member's id (the `sub` of their token).")
    name: str = Field(min_length=1, max_length=200, description="Full name.")
    role: MemberRole = Field(description="Chair, member or secretary.")
    organisation_bin: str | None = Field(
        default=None, pattern=r"^\d{12}$", description="Employer's BIN (for conflicts)."
    )


class CommissionForm(BaseModel):
    """What an operator sends to set up a commission."""

    model_config = ConfigDict(extra="forbid")

    level: Level = Field(description="Regional or republican.")
    region_code: Code | None = Field(default=None, description="Region; only when regional.")
    members: list[Member] = Field(min_length=1, description="Members with their roles.")

    @model_validator(mode="after")
    def _one_chair_and_unique_members(self) -> CommissionForm:
        ids = [m.juror_id for m in self.members]
        if len(set(ids)) != len(ids):
            raise ValueError("a juror is listed twice")
        if sum(m.role == MemberRole.CHAIR for m in self.members) != 1:
            raise ValueError("a commission has exactly one chair")
        if (self.level == Level.REGIONAL) != (self.region_code is not None):
            raise ValueError("a regional commission names its region; a republican one none")
        return self


def commission_key(contest_id: str, level: Level, region_code: str | None) -> str:
    """The one commission of a contest at a level (and region)."""
    return f"{contest_id}/{level.value}/{region_code or 'republic'}"


def form_problems(form: CommissionForm, definition: ContestDefinition) -> list[str]:
    """What makes ``form`` wrong for the contest."""
    if form.region_code is not None and form.region_code not in {
        r.code for r in definition.regions
    }:
        return [f"no region {form.region_code!r} in {definition.contest_id}"]
    return []
