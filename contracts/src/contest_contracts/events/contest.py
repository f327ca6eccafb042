"""Contest definitions: what an edition is (nominations, regions, stages, prizes).

Intake owns definitions and publishes the whole current definition on every change to a
compacted topic keyed by contest id, so every other service holds a current copy.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, ClassVar

from pydantic import Field, field_validator

from contest_contracts.common import (
    Code,
    ContractModel,
    EntityId,
    Language,
    LocalizedText,
    NominationKind,
    StageKind,
    Tenge,
    UtcDateTime,
)
from contest_contracts.envelope import EventData


class Criterion(ContractModel):
    """One line of a nomination's scoring rubric."""

    code: Code = Field(description="Stable criterion code, e.g. `social_significance`.")
    title: LocalizedText = Field(description="Criterion name shown to jurors.")
    description: LocalizedText | None = Field(
        default=None, description="What a juror weighs under it, shown on the rubric sheet."
    )
    weight: float = Field(gt=0, description="Weight of the criterion in a sheet's total.")
    max_score: int = Field(ge=1, le=100, description="Highest score a juror may give.")


class Nomination(ContractModel):
    """A category in which applications compete and prizes are given."""

    code: Code = Field(description="Stable nomination code.")
    title: LocalizedText = Field(description="Nomination title.")
    kind: NominationKind = Field(description="Won by a worker (person) or by a project.")
    required_fields: list[str] = Field(
        default_factory=list,
        description="Names of the application fields an application in it must fill.",
    )
    finalists_per_region: int = Field(
        default=1, ge=1, description="Finalists each regional commission selects in it."
    )
    rubric: list[Criterion] = Field(
        default_factory=list, description="Scoring criteria (the same at every judging stage)."
    )
    illustrative: bool = Field(
        default=False, description="Made up for a demo, not taken from a real edition."
    )


class Region(ContractModel):
    """A region that runs its own regional stage (oblast or city of republican status)."""

    code: Code = Field(description="Stable region code, e.g. `KZ-71` for Astana.")
    title: LocalizedText = Field(description="Region name.")


class StageSchedule(ContractModel):
    """When a stage opens and closes (it may also be closed earlier by an operator)."""

    stage: StageKind = Field(description="Which stage.")
    opens_at: UtcDateTime = Field(description="Scheduled opening, UTC.")
    closes_at: UtcDateTime = Field(description="Scheduled closing (deadline), UTC.")


class PlacePrize(ContractModel):
    """A ranked place and how many winners share it (ties allowed)."""

    place: int = Field(ge=1, description="1 for first place, 2 for second...")
    winners: int = Field(ge=1, description="How many winners this place has per nomination.")
    grant_tenge: Tenge = Field(default=0, description="Grant per winner, tenge.")


class PrizeStructure(ContractModel):
    """Prizes per nomination: places, special prizes, people's choice."""

    places: list[PlacePrize] = Field(description="Ranked places, e.g. 1st x1, 2nd x2, 3rd x2.")
    special_prizes: int = Field(default=0, ge=0, description="Special prizes by commission.")
    special_prize_grant_tenge: Tenge = Field(default=0, description="Grant per special prize.")
    peoples_choice: int = Field(default=0, ge=0, description="People's choice prizes.")
    peoples_choice_grant_tenge: Tenge = Field(default=0, description="Grant per people's choice.")


class TallyVisibility(StrEnum):
    """What the public sees of a running vote."""

    LIVE = "live"
    """Vote counts are public while voting runs."""
    HIDDEN = "hidden"
    """Nothing of the counts (neither ranks nor participation) is public until the tally is
    certified."""
    RANKS_ONLY = "ranks_only"
    """The order of choices is public; counts and participation are not, until the tally is
    certified."""


class VoteChoices(StrEnum):
    """What voters choose from."""

    FINALISTS = "finalists"
    """The finalists of the regional stage, per nomination."""
    GALLERY = "gallery"
    """Every project shown in the public gallery, per nomination."""


class PublicVoteRules(ContractModel):
    """How the people's choice vote runs."""

    visibility: TallyVisibility = Field(default=TallyVisibility.LIVE, description="Tally exposure.")
    choices: VoteChoices = Field(default=VoteChoices.FINALISTS, description="What voters choose.")


class TieBreak(StrEnum):
    """What orders applications of equal score in a ranking, in the order a contest lists
    them; applications equal on every tie-break listed share a rank (1, 1, 3)."""

    CRITERIA = "criteria"
    """Higher mean on the rubric's first criterion, then on its second, and so on (a contest
    lists first the criterion it values most)."""
    FEWER_MISSING_SHEETS = "fewer_missing_sheets"
    """Fewer missing sheets (a score resting on more sheets is more certain)."""
    EARLIER_SUBMISSION = "earlier_submission"
    """Earlier submission of the application (kept to the millisecond: it leaves almost no
    tie to share)."""


class JudgingRules(ContractModel):
    """How commissions score."""

    tie_breaks: list[TieBreak] = Field(
        default_factory=lambda: [TieBreak.CRITERIA],
        description="What orders applications of equal score, in order, each at most once: "
        "`criteria` (higher mean on each criterion in the rubric's order), "
        "`fewer_missing_sheets`, `earlier_submission`. Applications equal on every tie-break "
        "listed share a rank (1, 1, 3), a finalist place and a prize place. The default is "
        "the criteria, then sharing; an empty list shares every equal score.",
        json_schema_extra={"uniqueItems": True},
    )

    @field_validator("tie_breaks")
    @classmethod
    def _each_tie_break_once(cls, tie_breaks: list[TieBreak]) -> list[TieBreak]:
        if len(set(tie_breaks)) != len(tie_breaks):
            raise ValueError("each tie-break may be listed at most once")
        return tie_breaks

    jurors_per_application: int = Field(default=3, ge=1, description="Jurors per application.")
    normalise_scores: bool = Field(
        default=False,
        description="Per-juror z-score normalisation within each nomination of a stage: a "
        "juror's z among their sheets of the nomination, rescaled to the nomination's mean "
        "and population standard deviation and clamped to 0..its highest total.",
    )
    scores_to_applicants: bool = Field(
        default=False,
        description="After a judging stage closes, each application's applicant sees its "
        "score, rank and each criterion's mean at that stage (no juror named).",
    )


class AttachmentRules(ContractModel):
    """Limits on files attached to applications."""

    max_bytes: int = Field(default=10 * 1024 * 1024, ge=1, description="Largest file, bytes.")
    media_types: list[str] = Field(
        default_factory=lambda: ["application/pdf", "image/jpeg", "image/png"],
        description="Accepted media types.",
    )
    required_per_application: int = Field(
        default=0, ge=0, description="Files an application needs to pass screening."
    )


class FormLimits(ContractModel):
    """How much an application may hold: every free-text field, its files, the whole form.

    An event carries the whole application, and a broker takes records up to a size (about
    1 MiB by default): a form past these limits is refused before anything is stored.
    Lengths are in characters, the whole form in bytes of its UTF-8 JSON.
    """

    short_text_chars: int = Field(
        default=300,
        ge=1,
        description="Longest short text: the applicant's name, a project title, a target "
        "group, a workplace, a position, a contact email.",
    )
    long_text_chars: int = Field(
        default=10_000,
        ge=1,
        description="Longest long text: a project's summary, a worker's achievements.",
    )
    field_chars: dict[str, Annotated[int, Field(ge=1)]] = Field(
        default_factory=dict,
        description="Longest text of particular fields, by dotted name (e.g. "
        "`details.summary`), instead of the short or long limit.",
    )
    form_bytes: int = Field(
        default=32 * 1024,
        ge=1,
        description="Largest whole form: the UTF-8 bytes of its JSON.",
    )
    attachments: int = Field(default=20, ge=0, description="Most files an application holds.")


class ContestDefinition(ContractModel):
    """Everything that defines one contest edition."""

    contest_id: EntityId = Field(description="Stable contest id, e.g. `social-protection-2025`.")
    title: LocalizedText = Field(description="Contest title.")
    organiser: LocalizedText = Field(description="Organising ministry or administration.")
    languages: list[Language] = Field(
        default_factory=lambda: [Language.KK, Language.RU, Language.EN],
        description="Languages the edition is run in.",
    )
    nominations: list[Nomination] = Field(min_length=1, description="Nominations.")
    regions: list[Region] = Field(min_length=1, description="Regions with a regional stage.")
    stages: list[StageSchedule] = Field(min_length=1, description="Stage schedule.")
    prizes: PrizeStructure = Field(description="Prizes per nomination.")
    judging: JudgingRules = Field(default_factory=JudgingRules, description="Judging rules.")
    public_vote: PublicVoteRules = Field(
        default_factory=PublicVoteRules, description="Public vote rules."
    )
    attachments: AttachmentRules = Field(
        default_factory=AttachmentRules, description="Attachment limits."
    )
    form_limits: FormLimits = Field(
        default_factory=FormLimits, description="Limits on what an application holds."
    )


class ContestDefined(EventData):
    """A contest edition was defined. Carries the whole definition."""

    event_type: ClassVar[str] = "kz.contest.contest.defined"

    definition: ContestDefinition = Field(description="The full definition.")
    revision: int = Field(ge=1, description="Definition revision; 1 when first defined.")


class ContestUpdated(EventData):
    """A contest definition changed. Carries the whole new definition, not a diff."""

    event_type: ClassVar[str] = "kz.contest.contest.updated"

    definition: ContestDefinition = Field(description="The full definition after the change.")
    revision: int = Field(ge=2, description="Revision after the change; higher is newer.")
