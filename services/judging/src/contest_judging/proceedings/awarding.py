"""Awards: special prizes by commission decision, and the published result table.

Places come from the republican ranking (see ``domain.awards``); people's choice from the
public vote's certified tally, which voting announces when it closes its stage.
"""

from __future__ import annotations

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import (
    Finalist,
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    ResultsPublished,
    SpecialPrize,
)
from contest_contracts.events.stages import AwardsSummary, PublicVoteSummary, StageClosed
from contest_contracts.topics import RESULTS, STAGES
from contest_judging.context import JudgingContext, outbox_event
from contest_judging.domain.awards import Place, peoples_choice, places
from contest_judging.domain.judgement import Judgement
from contest_judging.proceedings.closing import SCORE_DECIMALS, closed_judgement
from contest_judging.store.audit import audit_entry
from contest_judging.store.decisions import SpecialPrizeDecision
from contest_judging.store.stages import Stage, StageStatus, stage_key
from contest_runtime.problems import ProblemError

_CONFLICT = "Conflict with the current state"


async def finalists_of(context: JudgingContext, contest_id: str) -> dict[str, Finalist]:
    """The regional stage's finalists by application id (empty before it closes)."""
    regional = await context.stages.get(contest_id, StageKind.REGIONAL)
    finalists = regional.finalists if regional is not None else []
    return {f["application_id"]: Finalist.model_validate(f) for f in finalists}


async def _refuse_after_results(context: JudgingContext, contest_id: str) -> None:
    if await context.stages.get(contest_id, StageKind.AWARDS) is not None:
        raise ProblemError(409, "results_published", _CONFLICT, "the results are published")


async def give_special_prize(
    context: JudgingContext, contest_id: str, application_id: str, reason: str, by: str
) -> SpecialPrizeDecision:
    """Record a commission's special prize for a finalist, within the definition's number
    per nomination, before the results are published."""
    definition = await context.contests.require(contest_id)
    await _refuse_after_results(context, contest_id)
    finalist = (await finalists_of(context, contest_id)).get(application_id)
    if finalist is None:
        raise ProblemError(
            422, "not_a_finalist", "Invalid input", f"{application_id!r} is not a finalist"
        )
    given = [
        p
        for p in await context.decisions.special_prizes_of(contest_id)
        if p.nomination_code == finalist.nomination_code
    ]
    if len(given) >= definition.prizes.special_prizes:
        raise ProblemError(
            409,
            "special_prizes_exhausted",
            _CONFLICT,
            f"{finalist.nomination_code} has all {definition.prizes.special_prizes} special prizes",
        )
    prize = SpecialPrizeDecision(
        contest_id=contest_id,
        application_id=application_id,
        nomination_code=finalist.nomination_code,
        reason=reason,
        decided_by=by,
        decided_at=context.clock(),
    )
    if not await context.decisions.give_special_prize(prize):
        raise ProblemError(
            409, "special_prize_exists", _CONFLICT, f"{application_id!r} has a special prize"
        )
    await context.audit.record(
        contest_id, by, "special_prize.given", application_id, prize.decided_at, reason=reason
    )
    return prize


async def withdraw_special_prize(
    context: JudgingContext, contest_id: str, application_id: str, by: str
) -> None:
    """Take back a special prize before the results are published."""
    await context.contests.require(contest_id)
    await _refuse_after_results(context, contest_id)
    if not await context.decisions.withdraw_special_prize(contest_id, application_id):
        raise ProblemError(
            404, "special_prize_not_found", "Not found", f"{application_id!r} has no special prize"
        )
    await context.audit.record(
        contest_id, by, "special_prize.withdrawn", application_id, context.clock()
    )


async def record_public_vote(context: JudgingContext, contest_id: str, closed: StageClosed) -> None:
    """Keep the public vote's certified tally (the first one announced)."""
    await context.stages.insert(
        Stage(
            contest_id=contest_id,
            stage=StageKind.PUBLIC_VOTE,
            status=StageStatus.CLOSED,
            closed_at=closed.closed_at,
            closed_by=closed.closed_by,
            summary=closed.summary.model_dump(mode="json"),
        ),
        [],
    )


async def publish_results(context: JudgingContext, contest_id: str, by: str) -> ResultsPublished:
    """Publish the result table once: after the republican stage closed and, when the contest
    gives people's-choice prizes, after the public vote's tally was certified."""
    republican = await context.stages.get(contest_id, StageKind.REPUBLICAN)
    if republican is None or republican.status != StageStatus.CLOSED:
        raise ProblemError(
            409, "republican_not_closed", _CONFLICT, "the republican stage has not closed"
        )
    republican_stage = await closed_judgement(context, contest_id, StageKind.REPUBLICAN)
    definition, judgement = republican_stage.definition, republican_stage.judgement
    votes: dict[str, dict[str, int]] = {}
    if definition.prizes.peoples_choice:
        vote = await context.stages.get(contest_id, StageKind.PUBLIC_VOTE)
        if vote is None or vote.summary is None:
            raise ProblemError(
                409,
                "tally_not_certified",
                _CONFLICT,
                "people's choice needs the public vote's certified tally (voting closes it)",
            )
        tally = PublicVoteSummary.model_validate(vote.summary)
        votes = {
            t.nomination_code: {c.application_id: c.votes for c in t.choices} for t in tally.tallies
        }
    now = context.clock()
    results = ResultsPublished(
        contest_id=contest_id,
        nominations=await _result_table(context, definition, judgement, votes),
        published_at=now,
    )
    published = outbox_event(RESULTS, results, contest_id)
    closed = StageClosed(
        contest_id=contest_id,
        stage=StageKind.AWARDS,
        closed_at=now,
        closed_by=by,
        summary=AwardsSummary(stage=StageKind.AWARDS, results_event_id=published["id"]),
    )
    record = Stage(
        contest_id=contest_id,
        stage=StageKind.AWARDS,
        status=StageStatus.CLOSED,
        closed_at=now,
        closed_by=by,
        summary=results.model_dump(mode="json"),
    )
    entry = audit_entry(contest_id, by, "results.published", contest_id, now)
    if not await context.stages.insert(
        record, [entry, published, outbox_event(STAGES, closed, contest_id)]
    ):
        raise ProblemError(409, "results_published", _CONFLICT, "the results are published")
    await context.relay.flush(context.stages.collection, stage_key(contest_id, StageKind.AWARDS))
    return results


async def _result_table(
    context: JudgingContext,
    definition: ContestDefinition,
    judgement: Judgement,
    votes: dict[str, dict[str, int]],
) -> list[NominationResult]:
    finalists = await finalists_of(context, definition.contest_id)
    special = await context.decisions.special_prizes_of(definition.contest_id)
    prizes = definition.prizes
    table = []
    for nomination in definition.nominations:
        ranked = judgement.rankings.get((nomination.code, None), [])
        in_nomination = {a for a, f in finalists.items() if f.nomination_code == nomination.code}
        counted = {a: n for a, n in votes.get(nomination.code, {}).items() if a in in_nomination}
        table.append(
            NominationResult(
                nomination_code=nomination.code,
                places=[_place_award(won, finalists) for won in places(ranked, prizes.places)],
                special_prizes=[
                    SpecialPrize(
                        application_id=p.application_id,
                        title=finalists[p.application_id].title,
                        display_name=finalists[p.application_id].display_name,
                        reason=p.reason,
                        grant_tenge=prizes.special_prize_grant_tenge,
                    )
                    for p in special
                    if p.nomination_code == nomination.code
                ],
                peoples_choice=[
                    PeoplesChoiceAward(
                        rank=choice.rank,
                        application_id=choice.application_id,
                        title=finalists[choice.application_id].title,
                        display_name=finalists[choice.application_id].display_name,
                        votes=choice.votes,
                        grant_tenge=prizes.peoples_choice_grant_tenge,
                    )
                    for choice in peoples_choice(counted, prizes.peoples_choice)
                ],
            )
        )
    return table


def _place_award(won: Place, finalists: dict[str, Finalist]) -> PlaceAward:
    finalist = finalists[won.entry.standing.application_id]
    return PlaceAward(
        place=won.place,
        application_id=finalist.application_id,
        title=finalist.title,
        display_name=finalist.display_name,
        region_code=finalist.region_code,
        score=round(won.entry.standing.score, SCORE_DECIMALS),
        grant_tenge=won.grant_tenge,
    )
