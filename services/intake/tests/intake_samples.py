"""Sample contests and application forms for the intake tests (importable by name)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from contest_contracts.common import ApplicantKind, StageKind
from contest_contracts.events.applications import (
    Applicant,
    Contact,
    ProjectDetails,
    WorkerDetails,
)
from contest_contracts.events.contest import ContestDefinition, StageSchedule
from contest_intake.domain.definitions import demo_definition
from contest_intake.domain.forms import ApplicationForm
from contest_intake.domain.identifiers import with_check_digit

PROJECT_NOMINATION = "social-project"
WORKER_NOMINATION = "special-services-centre-worker"
ASTANA = "KZ-71"
ALMATY = "KZ-75"


def _valid(prefix: str, seed: int, digits: int) -> str:
    # Ten serials per seed: at most one in 121 has no check digit, so seeds never collide.
    for serial in range(seed * 10, seed * 10 + 10):
        number = with_check_digit(f"{prefix}{serial % 10**digits:0{digits}d}")
        if number is not None:
            return number
    raise AssertionError(f"no valid number for seed {seed}")


def an_iin(seed: int) -> str:
    """A valid IIN of a man born on 1 January 1990; different seeds give different IINs."""
    return _valid("9001013", seed, 4)


def a_bin(seed: int) -> str:
    """A valid BIN of a resident head office registered in March 2018."""
    return _valid("180340", seed, 5)


def contest_definition(
    contest_id: str | None = None,
    *,
    opens: timedelta = timedelta(days=-1),
    closes: timedelta = timedelta(days=30),
    attachments_required: int = 0,
) -> ContestDefinition:
    """The demo contest under a fresh id, its schedule moved so that submission is open now
    (``opens`` and ``closes`` relative to now; later stages follow the submission stage)."""
    demo = demo_definition()
    now = datetime.now(UTC).replace(microsecond=0)
    opens_at, closes_at = now + opens, now + closes
    day = timedelta(days=1)

    def stage(kind: StageKind, start: datetime, end: datetime) -> StageSchedule:
        return StageSchedule(stage=kind, opens_at=start, closes_at=end)

    stages = [
        stage(StageKind.SUBMISSION, opens_at, closes_at),
        stage(StageKind.REGIONAL, closes_at + day, closes_at + 10 * day),
        stage(StageKind.REPUBLICAN, closes_at + 11 * day, closes_at + 20 * day),
        stage(StageKind.PUBLIC_VOTE, closes_at + 11 * day, closes_at + 20 * day),
        stage(StageKind.AWARDS, closes_at + 21 * day, closes_at + 22 * day),
    ]
    return demo.model_copy(
        update={
            "contest_id": contest_id or f"contest-{uuid.uuid4().hex[:10]}",
            "stages": stages,
            "attachments": demo.attachments.model_copy(
                update={
                    "required_per_application": attachments_required,
                    "max_bytes": 64 * 1024,
                }
            ),
        }
    )


def project_form(seed: int, region: str = ASTANA, **changes: Any) -> ApplicationForm:
    """A valid application of an organisation in the social project nomination."""
    form = ApplicationForm(
        nomination_code=PROJECT_NOMINATION,
        region_code=region,
        applicant=Applicant(
            kind=ApplicantKind.ORGANISATION,
            identifier=a_bin(seed),
            display_name=f'ОО "Жігер-{seed}"',
        ),
        contact=Contact(email=f"office{seed}@zhiger.kz", phone=f"+7701{seed % 10_000_000:07d}"),
        details=ProjectDetails(
            project_title=f"Спорт для всех {seed}",
            summary="Тренировки по доступным видам спорта для молодёжи с инвалидностью.",
            target_group="Молодёжь с инвалидностью",
            beneficiaries_reached=240,
            budget_tenge=4_800_000,
            period_start=date(2024, 3, 1),
        ),
    )
    return form.model_copy(update=changes)


def worker_form(seed: int, region: str = ASTANA, **changes: Any) -> ApplicationForm:
    """A valid application of a social worker."""
    form = ApplicationForm(
        nomination_code=WORKER_NOMINATION,
        region_code=region,
        applicant=Applicant(
            kind=ApplicantKind.INDIVIDUAL,
            identifier=an_iin(seed),
            display_name=f"Айгуль Серикова {seed}",
        ),
        contact=Contact(email=f"aigul{seed}@mail.kz", phone=f"+7702{seed % 10_000_000:07d}"),
        details=WorkerDetails(
            workplace="Центр оказания специальных социальных услуг №2, Астана",
            position="социальный работник",
            years_of_service=12,
            achievements="Наставник для молодых специалистов, автор программы реабилитации.",
        ),
    )
    return form.model_copy(update=changes)


def body(form: ApplicationForm, **extra: Any) -> dict[str, Any]:
    """The JSON body of a form, with extra top-level fields (e.g. ``submit``)."""
    return {**form.model_dump(mode="json"), **extra}
