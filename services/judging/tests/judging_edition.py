"""A contest taken through judging by a test, with the services around judging played by
the test: intake's and voting's events, and an operator's commissions."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from contest_contracts.common import ApplicantKind, StageKind
from contest_contracts.events.applications import (
    Applicant,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    ScreeningDecision,
)
from contest_contracts.events.contest import ContestDefinition, StageSchedule
from contest_contracts.events.stages import StageClosed, SubmissionSummary
from contest_contracts.samples import DEFINITION, SNAPSHOT
from contest_contracts.topics import APPLICATIONS, STAGES
from contest_runtime.auth import Role

NOMINATION = DEFINITION.nominations[0].code
ASTANA, ALMATY = "KZ-71", "KZ-75"
OPENED = datetime(2025, 9, 1, 9, tzinfo=UTC)
REGIONAL_SCHEDULE = StageSchedule(
    stage=StageKind.REGIONAL,
    opens_at=datetime(2025, 9, 16, tzinfo=UTC),
    closes_at=datetime(2025, 10, 1, tzinfo=UTC),
)


@dataclass
class Edition:
    """One contest taken through judging by a test: intake's and voting's events are
    published as those services would, and an operator sets up the commissions."""

    judging: Any
    """The running judging service (``conftest.RunningJudging``)."""
    definition: ContestDefinition
    operator: dict[str, str]
    bearer: Callable[..., dict[str, str]]
    eventually: Callable[..., Awaitable[None]]
    applications: list[str] = field(default_factory=list)
    screened: set[str] = field(default_factory=set)

    @property
    def contest_id(self) -> str:
        """The contest's id."""
        return self.definition.contest_id

    def juror(self, juror_id: str) -> dict[str, str]:
        """A juror's Authorization header."""
        return self.bearer(Role.JUROR, subject=juror_id)

    async def commission(self, region_code: str | None, jurors: list[str], **bins: str) -> None:
        """Set up a commission: the first juror chairs, a secretary runs it; ``bins`` gives
        jurors an organisation."""
        members = [
            {
                "juror_id": juror_id,
                "name": f"Juror {juror_id}",
                "role": "chair" if i == 0 else "member",
                "organisation_bin": bins.get(juror_id.replace("-", "_")),
            }
            for i, juror_id in enumerate(jurors)
        ]
        members.append({"juror_id": f"secretary-{region_code}", "name": "S", "role": "secretary"})
        level = "regional" if region_code else "republican"
        response = await self.judging.http.put(
            f"/contests/{self.contest_id}/commissions",
            json={"level": level, "region_code": region_code, "members": members},
            headers=self.operator,
        )
        assert response.status_code in (200, 201), response.text

    async def submit(
        self,
        region_code: str,
        *,
        decision: ScreeningDecision | None = ScreeningDecision.ELIGIBLE,
        employer_bin: str | None = None,
        nomination_code: str = NOMINATION,
    ) -> str:
        """An application submitted (and screened) in intake; returns its id."""
        application_id = f"app-{uuid.uuid4().hex[:12]}"
        n = len(self.applications)
        snapshot = SNAPSHOT.model_copy(
            update={
                "application_id": application_id,
                "contest_id": self.contest_id,
                "nomination_code": nomination_code,
                "region_code": region_code,
                "title": f"Project {n}",
                "applicant": Applicant(
                    kind=ApplicantKind.INDIVIDUAL,
                    identifier=f"9001013{n:05d}",
                    display_name=f"Applicant {n}",
                    organisation_bin=employer_bin,
                ),
                "submitted_at": OPENED + timedelta(minutes=n),
            }
        )
        await self.judging.intake.publish(
            APPLICATIONS, ApplicationSubmitted(application=snapshot), subject=application_id
        )
        if decision is not None:
            await self.screen(application_id, region_code, decision)
        self.applications.append(application_id)
        return application_id

    async def screen(
        self, application_id: str, region_code: str, decision: ScreeningDecision
    ) -> None:
        """A secretary's screening decision in intake."""
        self.screened.add(application_id)
        await self.judging.intake.publish(
            APPLICATIONS,
            ApplicationScreened(
                application_id=application_id,
                contest_id=self.contest_id,
                nomination_code=NOMINATION,
                region_code=region_code,
                decision=decision,
                reason=None if decision == ScreeningDecision.ELIGIBLE else "incomplete",
                screened_by="secretary",
                screened_at=datetime.now(UTC),
            ),
            subject=application_id,
        )

    async def withdraw(self, application_id: str, region_code: str) -> None:
        """The applicant withdrew in intake."""
        await self.judging.intake.publish(
            APPLICATIONS,
            ApplicationWithdrawn(
                application_id=application_id,
                contest_id=self.contest_id,
                nomination_code=NOMINATION,
                region_code=region_code,
                withdrawn_at=datetime.now(UTC),
            ),
            subject=application_id,
        )

    async def held(self, application_id: str) -> bool:
        """Whether judging's copy of an application arrived (with its screening decision)."""
        copy = await self.judging.context.applications.get(application_id)
        if copy is None:
            return False
        return copy.decision is not None or application_id not in self.screened

    async def close_submission(self) -> None:
        """Intake closes the submission stage (once every application reached judging)."""
        for application_id in self.applications:
            await self.eventually(lambda a=application_id: self.held(a))
        await self.judging.intake.publish(
            STAGES,
            StageClosed(
                contest_id=self.contest_id,
                stage=StageKind.SUBMISSION,
                closed_at=datetime.now(UTC),
                closed_by="schedule",
                summary=SubmissionSummary(
                    stage=StageKind.SUBMISSION, total_submitted=len(self.applications), counts=[]
                ),
            ),
            subject=self.contest_id,
        )

    async def in_force(self, stage: StageKind) -> list[Any]:
        """The stage's assignments in force."""
        return await self.judging.context.assignments.in_force(self.contest_id, stage)

    async def assigned(self, stage: StageKind, count: int) -> list[Any]:
        """Wait until the stage has ``count`` assignments in force, and return them."""
        await self.eventually(lambda: _has(self.in_force(stage), count))
        return await self.in_force(stage)

    async def score(
        self, stage: StageKind, application_id: str, juror_id: str, **scores: int
    ) -> Any:
        """A juror records a sheet through the API; returns the response."""
        return await self.judging.http.put(
            f"/contests/{self.contest_id}/stages/{stage.value}/sheets/{application_id}",
            json={"scores": scores, "comment": "seen"},
            headers=self.juror(juror_id),
        )

    async def close(self, stage: StageKind, force: bool = False) -> Any:
        """An operator closes a stage; returns the response."""
        return await self.judging.http.post(
            f"/contests/{self.contest_id}/stages/{stage.value}/close",
            json={"force": force},
            headers=self.operator,
        )


async def _has(pending: Awaitable[list[Any]], count: int) -> bool:
    return len(await pending) >= count
