"""A whole edition played through the services' public APIs only, as its people would:
the ministry's operator defines the contest and sets up commissions, applicants apply,
regional secretaries screen, jurors score, voters verify their phones by SMS and vote, the
operator closes each stage, gives special prizes and publishes the results."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from contest_contracts.common import StageKind
from contest_local.calls import Service
from contest_local.demo import edition_schedule
from contest_local.edition.plan import Juror, Plan, PlannedApplication, finalists_expected
from contest_runtime.auth import AuthSettings, Role, mint

T = TypeVar("T")
Sheets = dict[str, dict[str, dict[str, int]]]
"""Application id → juror id → criterion → score."""
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass
class Platform:
    """Where the services answer, and the signing key of this platform's tokens (the
    identity provider's part, which the demo plays)."""

    intake: Service
    judging: Service
    voting: Service
    inbox: Service
    """The local inbox, where voters read their SMS."""
    auth: AuthSettings
    notifications: Service | None = None
    """Where notifications answers (an edition needs none of its API)."""

    def token(self, subject: str, role: Role, region_code: str | None = None) -> str:
        """A token as the identity provider would issue it."""
        return mint(self.auth, subject=subject, roles=[role], region_code=region_code)


@dataclass
class Played:
    """What playing an edition produced, for the results table and for checking it."""

    contest_id: str
    results: dict[str, Any]
    finalists: dict[str, list[str]]
    ballots_sent: list[list[tuple[str, str]]]
    votes_accepted: int
    filed: dict[str, PlannedApplication]
    """The applications filed, by the id intake gave them."""
    sheets: dict[StageKind, Sheets]
    """Every sheet sent, per stage."""
    submitted_at: dict[str, datetime]
    """When intake says each application was submitted (the ranking's last tie-break)."""


async def each(
    items: Iterable[T], action: Callable[[T], Awaitable[None]], concurrency: int, label: str
) -> None:
    """Run ``action`` on every item, ``concurrency`` at a time, printing progress."""
    pending = list(items)
    total, done = len(pending), 0
    step = max(1, -(-total // 5))  # five lines of progress at most
    queue = iter(pending)
    started = time.monotonic()

    async def worker() -> None:
        nonlocal done
        for item in queue:
            await action(item)
            done += 1
            if done % step == 0 or done == total:
                rate = done / max(time.monotonic() - started, 1e-6)
                print(f"    {label:<28} {done:>6}/{total}  ({rate:,.0f}/s)", flush=True)

    await asyncio.gather(*(worker() for _ in range(min(concurrency, total) or 1)))


async def until(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 300) -> None:
    """Wait until ``check`` holds: the services talk through the broker, so what one did
    shows in another a moment later."""
    deadline = time.monotonic() + timeout_s
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting: {what}")
        await asyncio.sleep(0.3)


class Edition:
    """One edition played step by step."""

    special_prize_reason = "За новые методы работы"
    """What the commission writes as the reason of each special prize it gives."""

    def __init__(self, plan: Plan, platform: Platform, contest_id: str | None = None) -> None:
        self.plan, self.platform = plan, platform
        self.contest_id = contest_id or f"social-protection-demo-{uuid.uuid4().hex[:6]}"
        self.operator = platform.token("ministry-operator", Role.OPERATOR)
        self.definition = plan.definition
        self.filed: dict[str, PlannedApplication] = {}
        self.sheets: dict[StageKind, Sheets] = {StageKind.REGIONAL: {}, StageKind.REPUBLICAN: {}}
        self.submitted_at: dict[str, datetime] = {}

    # -- the steps, in order -------------------------------------------------------------

    async def play(self) -> Played:
        """Every step of the edition; what it produced."""
        await self._step("contest defined", self.define)
        await self._step("commissions set up", self.set_up_commissions)
        await self._step("applications filed", self.apply)
        await self._step("applications screened", self.screen)
        await self._step("submission closed", self.close_submission)
        await self._step("regional commissions scored", self.score_regional)
        await self._step("regional stage closed", self.close_regional)
        finalists = await self._step("public vote opened", self.open_vote)
        _, (ballots, accepted) = await self._step(
            "republican scoring and public vote",
            lambda: asyncio.gather(self.score_republican(), self.vote(finalists)),
        )
        await self._step("public vote closed and certified", self.close_vote)
        await self._step("republican stage closed", self.close_republican)
        await self._step("special prizes given", self.give_special_prizes)
        results = await self._step("results published", self.publish_results)
        return Played(
            self.contest_id,
            results,
            finalists,
            ballots,
            accepted,
            self.filed,
            self.sheets,
            self.submitted_at,
        )

    async def _step(self, name: str, action: Callable[[], Awaitable[T]]) -> T:
        print(f"  - {name}...", flush=True)
        started = time.monotonic()
        outcome = await action()
        print(f"    done in {time.monotonic() - started:.1f} s", flush=True)
        return outcome

    async def define(self) -> None:
        """The operator defines the contest. Its schedule is the real one's shape from today;
        stages end early by the operator's hand as the demo moves faster than life."""
        now = datetime.now(UTC).replace(microsecond=0)
        day = timedelta(days=1)
        stages = edition_schedule(now - timedelta(hours=1), now + day, now + 2 * day)
        self.definition = self.plan.definition.model_copy(
            update={"contest_id": self.contest_id, "stages": stages}
        )
        await self._call(self.platform.intake, "POST", "/contests", self._definition_body(), 201)
        path = f"/contests/{self.contest_id}"
        await until(lambda: self._answers(self.platform.judging, f"{path}/commissions"), "judging")
        await until(lambda: self._answers(self.platform.voting, f"{path}/vote"), "voting")

    async def set_up_commissions(self) -> None:
        """A regional commission per region and the republican commission."""
        for region, jurors in self.plan.regional.items():
            await self._put_commission("regional", region, jurors)
        await self._put_commission("republican", None, self.plan.republican)

    async def apply(self) -> None:
        """Every applicant files and submits their application."""
        intake = self.platform.intake

        async def file(planned: Any) -> None:
            answer = await intake.call(
                "POST",
                f"/contests/{self.contest_id}/applications",
                {**planned.form, "submit": True},
                token=self.platform.token(planned.applicant_id, Role.APPLICANT),
                headers={"Idempotency-Key": f"{self.contest_id}-{planned.number}"},
            )
            application = answer.expect(200, 201)
            self.filed[application["application_id"]] = planned
            self.submitted_at[application["application_id"]] = datetime.fromisoformat(
                application["submitted_at"]
            )

        await each(self.plan.applications, file, 32, "applications submitted")

    async def screen(self) -> None:
        """Each region's secretary screens its applications; a few are ineligible."""

        async def decide(item: tuple[str, Any]) -> None:
            application_id, planned = item
            region = planned.form["region_code"]
            decision = {"decision": "eligible"}
            if not planned.eligible:
                decision = {
                    "decision": "ineligible",
                    "reason": "Стаж работы в системе социальной защиты не подтверждён.",
                }
            token = self.platform.token(f"secretary-{region}", Role.SECRETARY, region)
            await self._call(
                self.platform.intake,
                "POST",
                f"/applications/{application_id}/screening",
                decision,
                200,
                token,
            )

        await each(list(self.filed.items()), decide, 32, "applications screened")

    async def close_submission(self) -> None:
        """The operator closes submission; judging opens the regional stage and assigns."""
        await self._call(
            self.platform.intake, "POST", f"/contests/{self.contest_id}/submission/close", None, 200
        )
        await self.regional_assignments_made()

    async def regional_assignments_made(self) -> None:
        """Wait until judging has given every eligible application its regional jurors
        (it assigns once submission is closed, however it was closed)."""
        eligible = sum(a.eligible for a in self.filed.values())
        per = self.definition.judging.jurors_per_application
        await self._assigned(StageKind.REGIONAL, eligible * per)

    async def score_regional(self) -> None:
        """Every regional juror scores every application assigned to them."""
        jurors = [juror for jurors in self.plan.regional.values() for juror in jurors]
        await each(jurors, lambda j: self._score(StageKind.REGIONAL, j), 24, "jurors done")

    async def close_regional(self) -> None:
        """The operator closes the regional stage; judging selects the finalists."""
        await self._call(
            self.platform.judging,
            "POST",
            f"/contests/{self.contest_id}/stages/regional/close",
            {},
            200,
        )

    async def open_vote(self) -> dict[str, list[str]]:
        """The regional stage ended early, so the operator moves the rest of the schedule
        to now; voting opens the public vote on the new definition. The finalists, per
        nomination, as the public sees them."""
        contest = await self._call(
            self.platform.intake, "GET", f"/contests/{self.contest_id}", None, 200
        )
        submission_closed = datetime.fromisoformat(contest["submission_closed_at"])
        now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
        opened = self.definition.stages[0].opens_at
        self.definition = self.definition.model_copy(
            update={"stages": edition_schedule(opened, submission_closed, now)}
        )
        await self._call(
            self.platform.intake,
            "PUT",
            f"/contests/{self.contest_id}",
            self._definition_body(),
            200,
        )

        async def vote_open() -> bool:
            state = await self.platform.voting.call("GET", f"/contests/{self.contest_id}/vote")
            return state.status == 200 and state.body["status"] == "open"

        await until(vote_open, "the public vote to open")
        expected = finalists_expected(self.plan)
        finalists: dict[str, list[str]] = {}

        async def every_finalist_shown() -> bool:
            views = await self._call(
                self.platform.voting, "GET", f"/contests/{self.contest_id}/tallies", None, 200
            )
            finalists.clear()
            for view in views:
                finalists[view["nomination_code"]] = [e["application_id"] for e in view["entries"]]
            return sum(len(ids) for ids in finalists.values()) == expected

        await until(every_finalist_shown, f"{expected} finalists on the ballot")
        print(f"    {expected} finalists in {len(finalists)} nominations", flush=True)
        return finalists

    async def score_republican(self) -> None:
        """The republican commission scores every finalist."""
        per = self.definition.judging.jurors_per_application
        await self._assigned(StageKind.REPUBLICAN, finalists_expected(self.plan) * per)
        await each(
            self.plan.republican,
            lambda j: self._score(StageKind.REPUBLICAN, j),
            8,
            "republican jurors done",
        )

    async def vote(self, finalists: dict[str, list[str]]) -> tuple[list[Any], int]:
        """Every voter verifies their phone by SMS and votes; the ballots and how many votes
        were accepted."""
        ballots = self.plan.ballots(finalists)
        accepted = 0

        async def cast(item: tuple[int, list[tuple[str, str]]]) -> None:
            nonlocal accepted
            number, choices = item
            token = await self._verify(self.plan.voter_phone(number))
            for nomination, application_id in choices:
                answer = await self.platform.voting.call(
                    "POST",
                    f"/contests/{self.contest_id}/votes",
                    {"nomination_code": nomination, "application_id": application_id},
                    token=token,
                )
                answer.expect(202)
                accepted += 1

        await each(list(enumerate(ballots)), cast, 128, "voters verified and voted")
        return ballots, accepted

    async def close_vote(self) -> None:
        """The operator closes the vote; voting certifies the tally once all is counted."""
        await self._call(
            self.platform.voting, "POST", f"/contests/{self.contest_id}/vote/close", None, 202
        )

        async def certified() -> bool:
            state = await self.platform.voting.call("GET", f"/contests/{self.contest_id}/vote")
            return bool(state.body["certified"])

        await until(certified, "the certified tally")

    async def close_republican(self) -> None:
        """The operator closes the republican stage: the places."""
        await self._call(
            self.platform.judging,
            "POST",
            f"/contests/{self.contest_id}/stages/republican/close",
            {},
            200,
        )

    async def give_special_prizes(self) -> None:
        """The commission gives its special prizes to the best finalists without a place,
        one nomination after another."""
        places = sum(p.winners for p in self.definition.prizes.places)
        for nomination in self.definition.nominations[: self.definition.prizes.special_prizes]:
            ranking = await self._call(
                self.platform.judging,
                "GET",
                f"/contests/{self.contest_id}/stages/republican/rankings"
                f"?nomination={nomination.code}",
                None,
                200,
            )
            entries = ranking["entries"]
            if len(entries) > places:
                await self._call(
                    self.platform.judging,
                    "POST",
                    f"/contests/{self.contest_id}/special-prizes",
                    {
                        "application_id": entries[places]["application_id"],
                        "reason": self.special_prize_reason,
                    },
                    201,
                )

    async def publish_results(self) -> dict[str, Any]:
        """The operator publishes the results; the public table."""
        await self._call(
            self.platform.judging, "POST", f"/contests/{self.contest_id}/results", None, 201
        )
        results: dict[str, Any] = await self._call(
            self.platform.judging, "GET", f"/contests/{self.contest_id}/results", None, 200
        )
        return results

    # -- the people's moves ---------------------------------------------------------------

    async def _score(self, stage: StageKind, juror: Juror) -> None:
        judging = self.platform.judging
        token = self.platform.token(juror.juror_id, Role.JUROR)
        path = f"/contests/{self.contest_id}/stages/{stage.value}"
        mine = await self._call(judging, "GET", f"{path}/assignments/mine", None, 200, token)
        nominations = {n.code: n for n in self.definition.nominations}
        for assignment in mine:
            application_id = assignment["application_id"]
            scores = self.plan.sheet(
                juror,
                self.filed[application_id],
                application_id,
                nominations[assignment["nomination_code"]],
            )
            self.sheets[stage].setdefault(application_id, {})[juror.juror_id] = scores
            await self._call(
                judging,
                "PUT",
                f"{path}/sheets/{application_id}",
                {"scores": scores, "comment": ""},
                200,
                token,
            )

    async def _verify(self, phone: str) -> str:
        """A voter asks for a code, reads it from their SMS, and gets a voter token."""
        voting = self.platform.voting
        await self._call(voting, "POST", "/voters/codes", {"phone": phone}, 202)
        code = await self._code_sent_to(phone)
        token = await self._call(
            voting, "POST", "/voters/tokens", {"phone": phone, "code": code}, 200
        )
        return str(token["token"])

    async def _code_sent_to(self, phone: str) -> str:
        path = f"/messages?to={quote(phone)}&channel=sms&wait_s=20"
        for _ in range(6):  # an SMS waits in notifications' retries when the inbox is slow
            for message in reversed(await self._call(self.platform.inbox, "GET", path, None, 200)):
                if found := _CODE.search(message["text"]):
                    return found.group(1)
        raise TimeoutError(f"no code reached {phone}")

    # -- plumbing -------------------------------------------------------------------------

    async def _put_commission(self, level: str, region: str | None, jurors: list[Juror]) -> None:
        members = [
            {"juror_id": j.juror_id, "name": j.name, "role": "chair" if i == 0 else "member"}
            for i, j in enumerate(jurors)
        ]
        members.append(
            {
                "juror_id": f"secretary-{region or 'republican'}",
                "name": "Секретарь",
                "role": "secretary",
            }
        )
        await self._call(
            self.platform.judging,
            "PUT",
            f"/contests/{self.contest_id}/commissions",
            {"level": level, "region_code": region, "members": members},
            201,
        )

    async def _assigned(self, stage: StageKind, expected: int) -> None:
        async def complete() -> bool:
            progress = await self.platform.judging.call(
                "GET",
                f"/contests/{self.contest_id}/stages/{stage.value}/progress",
                token=self.operator,
            )
            return (
                progress.status == 200 and sum(c["assignments"] for c in progress.body) >= expected
            )

        await until(complete, f"{expected} {stage.value} assignments")

    async def _answers(self, service: Service, path: str) -> bool:
        return (await service.call("GET", path, token=self.operator)).status == 200

    def _definition_body(self) -> dict[str, Any]:
        document: dict[str, Any] = self.definition.model_dump(mode="json")
        return document

    async def _call(
        self,
        service: Service,
        method: str,
        path: str,
        body: Any,
        status: int,
        token: str | None = None,
    ) -> Any:
        answer = await service.call(method, path, body, token=token or self.operator)
        return answer.expect(status)
