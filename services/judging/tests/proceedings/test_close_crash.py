"""Judging killed with SIGKILL while closing the regional stage, and started again on the same
database and consumer group, loses nothing and counts nothing twice.

Judging runs as its own process against the session's broker and store; the test plays
intake (its events), the operator and the jurors (judging's API). Every application of two
regions is scored by every juror assigned to it; the operator closes the regional stage.

Where it is killed: as soon as the republican stage's assignments are in judging's store.
By then the close is stored with ``StageClosed`` and ``FinalistsSelected``, judging's own
consumer has taken that ``StageClosed`` and opened the republican stage, and the
assignments are being announced (``JurorAssigned`` and an audit entry each), here one by
one (``JUDGING_OUTBOX_BATCH=1``): the longest stretch of the work a close causes, so the
kill lands in it every time.
Killing once the close's first event is seen on the stages topic lands anywhere from
before the republican stage opened to after its last announcement, depending on when the
test's consumer and judging's fetch it; killing right after sending the request mostly
lands before the close is stored, where a retry simply does it all.

The process is then started again and the operator retries the close, as an operator
would. Duplicates on the wire are allowed only with the same event id (delivery is at
least once and consumers deduplicate by id); the finalists are recomputed here from the
sheets sent.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from judging_edition import ALMATY, ASTANA, NOMINATION, REGIONAL_SCHEDULE, Edition
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope, EventData
from contest_contracts.events.contest import ContestDefined, ContestDefinition, JudgingRules
from contest_contracts.events.judging import FinalistsSelected, JurorAssigned
from contest_contracts.events.stages import StageClosed, StageOpened, SubmissionSummary
from contest_contracts.samples import DEFINITION
from contest_contracts.topics import ASSIGNMENTS, CONTEST_DEFINITIONS, FINALISTS, STAGES
from contest_judging.context import SOURCE
from contest_judging.store.assignments import AssignmentStore
from contest_judging.store.stages import StageStore, stage_key
from contest_local.embedded import LocalProcess, free_port
from contest_local.infra import Endpoints
from contest_local.platform import service_process
from contest_runtime.auth import AuthSettings, Role
from contest_runtime.kafka import EventPublisher, make_broker, stop_broker
from contest_runtime.mongo import Document
from contest_runtime.outbox import OUTBOX, PENDING
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.infra

log = logging.getLogger(__name__)

Eventually = Callable[..., Awaitable[None]]

REGIONAL, REPUBLICAN = StageKind.REGIONAL, StageKind.REPUBLICAN
APPLICATIONS_PER_REGION = 24
FINALISTS_PER_REGION = 10
JURORS_PER_APPLICATION = 3
REGIONAL_JURORS = {region: [f"{region}-juror-{i}" for i in range(5)] for region in (ASTANA, ALMATY)}
REPUBLICAN_JURORS = [f"republican-juror-{i}" for i in range(6)]
REPUBLICAN_ASSIGNMENTS = JURORS_PER_APPLICATION * FINALISTS_PER_REGION * len(REGIONAL_JURORS)
"""Enough announcements that killing during them is a matter of course, not of luck."""
WAIT_S = 60.0
"""How long to wait for judging at most (it shares two cores with the broker, the store and
whatever else runs)."""


def sheet_total(index: int) -> int:
    """The weighted total every juror gives the ``index``-th application of a region: all
    different within a region (7 and 31 are coprime), in an order that is not the order of
    submission, so the ranking is the test's to know."""
    return index * 7 % 31


def marks(total: int) -> dict[str, int]:
    """Scores per criterion that make ``total`` (0 to 30) with the rubric's weights (2 and 1)."""
    significance = min(10, total // 2)
    return {"social_significance": significance, "innovation": total - 2 * significance}


@dataclass
class JudgingProcess:
    """Judging as its own OS process with an HTTP client to it, and intake played by the test:
    the shape of ``conftest.RunningJudging`` that ``Edition`` drives."""

    process: LocalProcess
    intake: EventPublisher
    http: httpx.AsyncClient = field(default_factory=httpx.AsyncClient)

    async def start(self) -> None:
        """Start the process (in a thread, so the test's consumers keep their heartbeats) and
        connect afresh. It answers once its consumers joined their group, which after a
        SIGKILL includes waiting out the dead members' session."""
        await asyncio.to_thread(self.process.start, 120)
        await self.http.aclose()
        self.http = httpx.AsyncClient(base_url=f"http://{self.process.address}", timeout=30)

    async def stop(self) -> None:
        """Stop it cleanly (once the test is over: the group is not joined again)."""
        await self.http.aclose()
        await asyncio.to_thread(self.process.stop, 45)


def judging_process(
    infrastructure: Endpoints, workdir: Path, name: str, auth: AuthSettings
) -> LocalProcess:
    """Judging on the session's broker and store, with a database and consumer group of
    its own (the same on every start: a restart after a crash resumes)."""
    return service_process(
        "judging",
        infrastructure,
        workdir,
        {
            "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
            "JUDGING_MONGODB_DATABASE": name,
            "JUDGING_CONSUMER_GROUP": name,
            "JUDGING_OUTBOX_INTERVAL_S": "0.2",
            # Assignments announced one at a time, the slowest way: the announcement of
            # the republican stage's assignments is the window the kill aims at.
            "JUDGING_OUTBOX_BATCH": "1",
            "KAFKA_JOIN_TIMEOUT_S": "15",
        },
        # Not the well-known port: another run on this machine may take that one while
        # this judging is dead, and the restart would find it taken.
        port=free_port(),
    )


@asynccontextmanager
async def intake_stand_in(infra: InfraSettings) -> AsyncIterator[EventPublisher]:
    """Publishes intake's events as intake would."""
    broker = make_broker(infra, client_id="intake-stand-in")
    await broker.start()
    try:
        yield EventPublisher(broker, source="/contest/intake")
    finally:
        await stop_broker(broker, timeout_s=10)


async def test_judging_killed_while_closing_a_stage_and_restarted_loses_and_doubles_nothing(
    infrastructure: Endpoints,
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    mongo: AsyncMongoClient[Document],
    recording: Callable[..., Awaitable[Any]],
    bearer: Callable[..., dict[str, str]],
    eventually: Eventually,
    unique: Callable[[str], str],
    tmp_path: Path,
) -> None:
    name = unique("judging-crash")
    async with intake_stand_in(infra_settings) as intake:
        judging = JudgingProcess(
            judging_process(infrastructure, tmp_path, name, auth_settings), intake
        )
        try:
            published, _ = await asyncio.gather(
                recording(STAGES, FINALISTS, ASSIGNMENTS), judging.start()
            )
            edition = await define_contest(judging, bearer, eventually)
            finalists = await score_the_regional_stage(edition)

            # The operator closes the stage; judging dies in the middle of what that causes.
            closing = asyncio.create_task(edition.close(REGIONAL))
            await kill_once_republican_assignments_are_stored(judging, mongo[name], edition)
            left = await left_behind(mongo[name], edition.contest_id)
            answer = await answer_of(closing)
            log.info("close answered %s before the kill; the store held %s", answer, left)
            assert left.regional == "closed", left
            assert left.unannounced > 0, f"the work the close causes was done: {left}"

            # Started again on the same database and group; the operator tries again.
            await judging.start()
            retried = await edition.close(REGIONAL)
            assert retried.status_code == 409, retried.text
            assert retried.json()["code"] == "stage_closed"
            await eventually(lambda: all_announced(published, edition.contest_id), timeout_s=WAIT_S)
            await assert_the_api_shows_each_once(edition, published, finalists)
        except BaseException:
            log.error("judging's log ends with:\n%s", judging.process.log_tail(60))
            raise
        finally:
            await judging.stop()
    republican = await StageStore(mongo[name]).get(edition.contest_id, REPUBLICAN)
    assert republican is not None and republican.opened_at is not None
    assert_each_event_once(published, edition.contest_id, finalists, republican.opened_at)


async def define_contest(
    judging: JudgingProcess, bearer: Callable[..., dict[str, str]], eventually: Eventually
) -> Edition:
    """A contest in two regions, defined as intake does, with its three commissions."""
    definition = two_region_contest()
    await judging.intake.publish(
        CONTEST_DEFINITIONS,
        ContestDefined(definition=definition, revision=1),
        subject=definition.contest_id,
    )
    edition = Edition(judging, definition, bearer(Role.OPERATOR), bearer, eventually)

    async def known() -> bool:
        answer = await judging.http.get(
            f"/contests/{edition.contest_id}/commissions", headers=edition.operator
        )
        return answer.status_code == 200

    await eventually(known, timeout_s=WAIT_S)
    for region, jurors in REGIONAL_JURORS.items():
        await edition.commission(region, jurors)
    await edition.commission(None, REPUBLICAN_JURORS)
    return edition


def two_region_contest() -> ContestDefinition:
    """The sample contest in Astana and Almaty, with this test's quotas."""
    nomination = DEFINITION.nominations[0].model_copy(
        update={"finalists_per_region": FINALISTS_PER_REGION}
    )
    return DEFINITION.model_copy(
        update={
            "contest_id": f"contest-{uuid.uuid4().hex[:10]}",
            "nominations": [nomination],
            "regions": [
                *DEFINITION.regions,
                DEFINITION.regions[0].model_copy(update={"code": ALMATY}),
            ],
            "judging": JudgingRules(jurors_per_application=JURORS_PER_APPLICATION),
            "stages": [*DEFINITION.stages, REGIONAL_SCHEDULE],
        }
    )


async def score_the_regional_stage(edition: Edition) -> dict[str, set[str]]:
    """Applications submitted and screened, the submission closed, and every sheet recorded
    through the API; returns the finalists those sheets make in each region."""
    totals: dict[str, int] = {}
    finalists: dict[str, set[str]] = {}
    for region in REGIONAL_JURORS:
        of_region = {
            await edition.submit(region): sheet_total(i) for i in range(APPLICATIONS_PER_REGION)
        }
        best = sorted(of_region, key=of_region.__getitem__, reverse=True)
        finalists[region] = set(best[:FINALISTS_PER_REGION])
        totals |= of_region
    await close_submission(edition)
    await edition.eventually(
        lambda: assignments_are(edition, REGIONAL, JURORS_PER_APPLICATION * len(totals)),
        timeout_s=WAIT_S,
    )
    jurors = [juror for of_region in REGIONAL_JURORS.values() for juror in of_region]
    await asyncio.gather(*(score_everything(edition, juror, totals) for juror in jurors))
    return finalists


async def score_everything(edition: Edition, juror: str, totals: dict[str, int]) -> None:
    """A juror scores every application assigned to them (jurors work side by side)."""
    for assignment in await assignments_of(edition, REGIONAL, juror):
        application = assignment["application_id"]
        answer = await edition.score(REGIONAL, application, juror, **marks(totals[application]))
        assert answer.status_code == 200, answer.text


async def close_submission(edition: Edition) -> None:
    """Intake closes the submission stage. Judging assigns an application whose screening
    reaches it after that on top, so nothing waits for the applications to arrive."""
    await edition.judging.intake.publish(
        STAGES,
        StageClosed(
            contest_id=edition.contest_id,
            stage=StageKind.SUBMISSION,
            closed_at=datetime.now(UTC),
            closed_by="schedule",
            summary=SubmissionSummary(
                stage=StageKind.SUBMISSION, total_submitted=len(edition.applications), counts=[]
            ),
        ),
        subject=edition.contest_id,
    )


async def assignments_are(edition: Edition, stage: StageKind, count: int) -> bool:
    """Whether the stage's progress shows ``count`` assignments in force."""
    answer = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/{stage.value}/progress", headers=edition.operator
    )
    return answer.status_code == 200 and sum(c["assignments"] for c in answer.json()) == count


async def assignments_of(edition: Edition, stage: StageKind, juror: str) -> list[dict[str, Any]]:
    """A juror's assignments at a stage, as the juror sees them."""
    answer = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/stages/{stage.value}/assignments/mine",
        headers=edition.juror(juror),
    )
    assert answer.status_code == 200, answer.text
    mine: list[dict[str, Any]] = answer.json()
    return mine


async def kill_once_republican_assignments_are_stored(
    judging: JudgingProcess, db: AsyncDatabase[Document], edition: Edition
) -> None:
    """SIGKILL judging as soon as its store holds an assignment of the republican stage
    (see the module's docstring for why there)."""
    assignments = AssignmentStore(db).collection
    query = {"contest_id": edition.contest_id, "stage": REPUBLICAN.value}

    async def stored() -> bool:
        return await assignments.count_documents(query) > 0

    await edition.eventually(stored, timeout_s=WAIT_S)
    judging.process.kill()


@dataclass(frozen=True)
class LeftBehind:
    """What the killed process left in its store: what the restarted one finds."""

    regional: str | None
    """The regional stage's status."""
    regional_records: int
    """Records (events, audit entries) still in the regional stage's outbox."""
    republican: str | None
    assignments: int
    """Republican assignments stored."""
    unannounced: int
    """Republican assignments with records still in their outbox."""


async def left_behind(db: AsyncDatabase[Document], contest_id: str) -> LeftBehind:
    """Read judging's store behind its back, once it is dead."""
    stages, assignments = StageStore(db).collection, AssignmentStore(db).collection
    regional = await stages.find_one({"_id": stage_key(contest_id, REGIONAL)}) or {}
    republican = await stages.find_one({"_id": stage_key(contest_id, REPUBLICAN)}) or {}
    query = {"contest_id": contest_id, "stage": REPUBLICAN.value}
    return LeftBehind(
        regional=regional.get("status"),
        regional_records=len(regional.get(OUTBOX, [])),
        republican=republican.get("status"),
        assignments=await assignments.count_documents(query),
        unannounced=await assignments.count_documents({**query, PENDING: True}),
    )


async def answer_of(closing: asyncio.Task[httpx.Response]) -> int | None:
    """The status the close was answered with, or None when the kill cut it off."""
    try:
        return (await closing).status_code
    except httpx.TransportError:
        return None


def every_finalist(finalists: dict[str, set[str]]) -> set[str]:
    """The finalists of every region."""
    return {application for of_region in finalists.values() for application in of_region}


def from_judging(published: Any, model: type[EventData], contest_id: str) -> list[Envelope[Any]]:
    """Every delivery of judging's events of one type about a contest, repeats included."""
    return [
        e
        for e in published.events
        if isinstance(e.data, model) and e.data.contest_id == contest_id and e.source == SOURCE
    ]


def of_stage(envelopes: list[Envelope[Any]], stage: StageKind) -> list[Envelope[Any]]:
    """The events about one stage."""
    return [e for e in envelopes if e.data.stage == stage]


def all_announced(published: Any, contest_id: str) -> bool:
    """Whether the finalists and every republican assignment are on the wire."""
    assignments = of_stage(from_judging(published, JurorAssigned, contest_id), REPUBLICAN)
    return bool(from_judging(published, FinalistsSelected, contest_id)) and (
        len({e.data.assignment_id for e in assignments}) >= REPUBLICAN_ASSIGNMENTS
    )


def assert_each_event_once(
    published: Any, contest_id: str, finalists: dict[str, set[str]], opened_at: datetime
) -> None:
    """One close, one selection (of the right finalists), one opening of the republican stage
    (the one stored at ``opened_at``), and each assignment announced under one event id:
    repeats on the wire carry the id of the first.

    Another judging on the same topics (the session's in-process one, when other judging
    tests ran) follows this contest too and announces its own openings, so an opening is
    told by its time; only this process has the commissions, closes and assigns."""
    closes = of_stage(from_judging(published, StageClosed, contest_id), REGIONAL)
    assert len({e.id for e in closes}) == 1, "the regional stage closed twice"
    selections = {e.id: e.data for e in from_judging(published, FinalistsSelected, contest_id)}
    assert len(selections) == 1, "finalists selected twice"
    (selected,) = selections.values()
    assert {f.application_id for f in selected.finalists} == every_finalist(finalists)
    for finalist in selected.finalists:
        assert finalist.application_id in finalists[finalist.region_code]
    openings = of_stage(from_judging(published, StageOpened, contest_id), REPUBLICAN)
    assert len({e.id for e in openings if e.data.opened_at == opened_at}) == 1
    announced: dict[str, set[str]] = defaultdict(set)
    for e in of_stage(from_judging(published, JurorAssigned, contest_id), REPUBLICAN):
        announced[e.data.assignment_id].add(e.id)
    assert len(announced) == REPUBLICAN_ASSIGNMENTS
    assert all(len(ids) == 1 for ids in announced.values()), "an assignment announced twice"


async def assert_the_api_shows_each_once(
    edition: Edition, published: Any, finalists: dict[str, set[str]]
) -> None:
    """The rankings give the finalists, each finalist has its jurors once, every assignment
    announced is a juror's, and the audit log has the close, the opening and each
    assignment once."""
    for region, expected in finalists.items():
        answer = await edition.judging.http.get(
            f"/contests/{edition.contest_id}/stages/regional/rankings",
            params={"nomination": NOMINATION, "region": region},
            headers=edition.operator,
        )
        assert answer.status_code == 200, answer.text
        entries = answer.json()["entries"]
        assert {
            e["application_id"] for e in entries if e["rank"] <= FINALISTS_PER_REGION
        } == expected

    held = [
        a for juror in REPUBLICAN_JURORS for a in await assignments_of(edition, REPUBLICAN, juror)
    ]
    announced = {
        e.data.assignment_id
        for e in of_stage(from_judging(published, JurorAssigned, edition.contest_id), REPUBLICAN)
    }
    assert sorted(a["assignment_id"] for a in held) == sorted(announced)
    per_finalist = Counter(a["application_id"] for a in held)
    assert per_finalist == dict.fromkeys(every_finalist(finalists), JURORS_PER_APPLICATION)

    answer = await edition.judging.http.get(
        f"/contests/{edition.contest_id}/audit", params={"limit": 1000}, headers=edition.operator
    )
    logged = answer.json()
    actions = Counter((e["action"], e["subject"]) for e in logged)
    assert actions[("stage.closed", REGIONAL.value)] == 1
    assert actions[("stage.opened", REPUBLICAN.value)] == 1
    audited = Counter(
        e["subject"]
        for e in logged
        if e["action"] == "juror.assigned" and e["detail"]["stage"] == REPUBLICAN.value
    )
    assert audited == dict.fromkeys(announced, 1)
