"""Judging: jurors assigned, scores recorded, finalists selected, results published."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contest_contracts.common import Code, ContractModel, EntityId, StageKind, Tenge, UtcDateTime
from contest_contracts.envelope import EventData


class JurorAssigned(EventData):
    """A juror was assigned to score an application at a judging stage."""

    event_type: ClassVar[str] = "kz.contest.juror.assigned"

    assignment_id: EntityId = Field(description="Assignment id.")
    contest_id: EntityId = Field(description="Contest id.")
    stage: Literal[StageKind.REGIONAL, StageKind.REPUBLICAN] = Field(description="Judging stage.")
    commission_id: EntityId = Field(description="Commission the juror sits on.")
    juror_id: EntityId = Field(description="The juror.")
    application_id: EntityId = Field(description="Application to score.")
    nomination_code: Code = Field(description="Nomination.")
    region_code: Code | None = Field(default=None, description="Region; absent when republican.")
    replaces_juror_id: EntityId | None = Field(
        default=None, description="Juror this one replaces after a declared conflict."
    )
    due_at: UtcDateTime | None = Field(default=None, description="When the sheet is due.")
    assigned_at: UtcDateTime = Field(description="When the assignment was made.")


class CriterionScore(ContractModel):
    """A juror's score on one criterion."""

    criterion_code: Code = Field(description="Criterion.")
    score: int = Field(ge=0, description="Score, from 0 to the criterion's maximum.")


class ScoreRecorded(EventData):
    """A juror submitted or changed a score sheet. Confidential until the stage closes."""

    event_type: ClassVar[str] = "kz.contest.score.recorded"

    sheet_id: EntityId = Field(description="Score sheet id (one per assignment).")
    contest_id: EntityId = Field(description="Contest id.")
    stage: Literal[StageKind.REGIONAL, StageKind.REPUBLICAN] = Field(description="Judging stage.")
    application_id: EntityId = Field(description="Application scored.")
    juror_id: EntityId = Field(description="Juror who scored.")
    scores: list[CriterionScore] = Field(min_length=1, description="Score per criterion.")
    weighted_total: float = Field(ge=0, description="Weighted total of the sheet.")
    revision: int = Field(ge=1, description="1 on first submission, +1 on each change.")
    recorded_at: UtcDateTime = Field(description="When it was recorded.")


class Finalist(ContractModel):
    """An application that goes on to the next stage (public fields only)."""

    application_id: EntityId = Field(description="Application id.")
    nomination_code: Code = Field(description="Nomination.")
    region_code: Code = Field(description="Region it was selected in.")
    title: str = Field(description="Public title (project title, or worker name and position).")
    display_name: str = Field(description="Public name of the applicant.")
    regional_rank: int = Field(ge=1, description="Rank in its region and nomination.")
    regional_score: float = Field(description="Aggregated regional score.")


class FinalistsSelected(EventData):
    """The regional stage selected the finalists of a contest (the whole list)."""

    event_type: ClassVar[str] = "kz.contest.finalists.selected"

    contest_id: EntityId = Field(description="Contest id.")
    finalists: list[Finalist] = Field(description="Every finalist, all nominations and regions.")
    selected_at: UtcDateTime = Field(description="When the list was fixed.")


class PlaceAward(ContractModel):
    """A place won in a nomination (ties share a place)."""

    place: int = Field(ge=1, description="Place won.")
    application_id: EntityId = Field(description="Winning application.")
    title: str = Field(description="Public title.")
    display_name: str = Field(description="Public name of the winner.")
    region_code: Code = Field(description="Region of the winner.")
    score: float = Field(description="Republican score.")
    grant_tenge: Tenge = Field(default=0, description="Grant awarded, tenge.")


class SpecialPrize(ContractModel):
    """A special prize given by commission decision."""

    application_id: EntityId = Field(description="Awarded application.")
    title: str = Field(description="Public title.")
    display_name: str = Field(description="Public name.")
    reason: str = Field(min_length=1, description="The commission's reason.")
    grant_tenge: Tenge = Field(default=0, description="Grant awarded, tenge.")


class PeoplesChoiceAward(ContractModel):
    """A people's choice prize, from the certified public vote tally."""

    rank: int = Field(ge=1, description="Rank by votes; equal votes share a rank.")
    application_id: EntityId = Field(description="Awarded application.")
    title: str = Field(description="Public title.")
    display_name: str = Field(description="Public name.")
    votes: int = Field(ge=0, description="Certified votes.")
    grant_tenge: Tenge = Field(default=0, description="Grant awarded, tenge.")


class NominationResult(ContractModel):
    """All awards of one nomination."""

    nomination_code: Code = Field(description="Nomination.")
    places: list[PlaceAward] = Field(description="Places, best first.")
    special_prizes: list[SpecialPrize] = Field(default_factory=list, description="Special prizes.")
    peoples_choice: list[PeoplesChoiceAward] = Field(
        default_factory=list, description="People's choice prizes, most votes first."
    )


class ResultsPublished(EventData):
    """The final, public result table of a contest (no personal data)."""

    event_type: ClassVar[str] = "kz.contest.results.published"

    contest_id: EntityId = Field(description="Contest id.")
    nominations: list[NominationResult] = Field(description="Results per nomination.")
    published_at: UtcDateTime = Field(description="When the results were published.")
