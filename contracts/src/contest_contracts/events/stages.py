"""Stage opened and stage closed, with what each closing stage hands on.

Each service closes the stages it runs and announces it: intake the submission stage,
judging the regional and republican stages, voting the public vote.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from contest_contracts.common import Code, ContractModel, EntityId, StageKind, UtcDateTime
from contest_contracts.envelope import EventData


class StageOpened(EventData):
    """A stage of a contest opened."""

    event_type: ClassVar[str] = "kz.contest.stage.opened"

    contest_id: EntityId = Field(description="Contest id.")
    stage: StageKind = Field(description="The stage that opened.")
    opened_at: UtcDateTime = Field(description="When it opened.")
    closes_at: UtcDateTime | None = Field(default=None, description="Scheduled close, if any.")


class SubmissionCount(ContractModel):
    """Applications in one region and nomination when submission closed."""

    region_code: Code = Field(description="Region.")
    nomination_code: Code = Field(description="Nomination.")
    submitted: int = Field(ge=0, description="Submitted and not withdrawn.")
    withdrawn: int = Field(default=0, ge=0, description="Withdrawn before the deadline.")


class SubmissionSummary(ContractModel):
    """What the submission stage produced."""

    stage: Literal[StageKind.SUBMISSION] = Field(description="Discriminator.")
    total_submitted: int = Field(ge=0, description="Applications submitted, all regions.")
    counts: list[SubmissionCount] = Field(description="Counts per region and nomination.")


class RankedApplication(ContractModel):
    """One line of a stage ranking (no personal data)."""

    rank: int = Field(ge=1, description="Rank; equal scores after tie-breaks share a rank.")
    application_id: EntityId = Field(description="Application id.")
    score: float = Field(description="Aggregated score of the application.")
    sheets: int = Field(ge=0, description="Score sheets the score is based on.")
    missing_sheets: int = Field(default=0, ge=0, description="Assigned sheets never submitted.")
    criteria: dict[Code, float] = Field(
        default_factory=dict,
        description="Each rubric criterion's mean over the sheets counted, in the rubric's "
        "points (before any normalisation); no juror is named. Present only when the "
        "contest's `judging.scores_to_applicants` is set.",
    )


class Ranking(ContractModel):
    """The ranking of one nomination (in one region at the regional stage)."""

    nomination_code: Code = Field(description="Nomination.")
    region_code: Code | None = Field(default=None, description="Region; absent when republican.")
    entries: list[RankedApplication] = Field(description="Best first.")


class JudgingSummary(ContractModel):
    """What a judging stage (regional or republican) produced."""

    stage: Literal[StageKind.REGIONAL, StageKind.REPUBLICAN] = Field(description="Discriminator.")
    forced: bool = Field(default=False, description="Closed although sheets were missing.")
    missing_sheets: int = Field(default=0, ge=0, description="Sheets missing at close.")
    rankings: list[Ranking] = Field(description="Rankings per nomination (and region).")


class ChoiceCount(ContractModel):
    """Votes for one choice in a certified tally."""

    application_id: EntityId = Field(description="The finalist voted for.")
    votes: int = Field(ge=0, description="Valid ballots for it.")


class NominationTally(ContractModel):
    """The certified final tally of one nomination."""

    nomination_code: Code = Field(description="Nomination.")
    choices: list[ChoiceCount] = Field(description="Votes per choice, most votes first.")
    ballots_counted: int = Field(ge=0, description="Valid ballots.")
    ballots_invalidated: int = Field(default=0, ge=0, description="Ballots invalidated for fraud.")


class PublicVoteSummary(ContractModel):
    """The certified final tally of the public vote."""

    stage: Literal[StageKind.PUBLIC_VOTE] = Field(description="Discriminator.")
    voters: int = Field(ge=0, description="Distinct verified voters who cast a valid ballot.")
    tallies: list[NominationTally] = Field(description="Final tally per nomination.")


class AwardsSummary(ContractModel):
    """The awards stage closes when results are published."""

    stage: Literal[StageKind.AWARDS] = Field(description="Discriminator.")
    results_event_id: str = Field(description="Id of the results published event.")


StageSummary = Annotated[
    SubmissionSummary | JudgingSummary | PublicVoteSummary | AwardsSummary,
    Field(discriminator="stage"),
]


class StageClosed(EventData):
    """A stage of a contest closed, at its deadline or by operator command."""

    event_type: ClassVar[str] = "kz.contest.stage.closed"

    contest_id: EntityId = Field(description="Contest id.")
    stage: StageKind = Field(description="The stage that closed.")
    closed_at: UtcDateTime = Field(description="When it closed.")
    closed_by: str = Field(description="`schedule` at the deadline, else the operator's id.")
    summary: StageSummary = Field(description="What the stage produced.")
