"""One realistic sample payload for every event type, modelled on the 2025 republican contest.

Used by contract tests (every event round-trips the wire), by template tests (every
template renders with the sample of its event) and as documentation.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from contest_contracts.common import ApplicantKind, Language, LocalizedText, NominationKind
from contest_contracts.common import StageKind as Stage
from contest_contracts.envelope import EventData
from contest_contracts.events import (
    ApplicationFiled,
    ApplicationFilingAnswered,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ContestDefined,
    ContestUpdated,
    FinalistsSelected,
    JurorAssigned,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    ResultsPublished,
    ScoreRecorded,
    StageClosed,
    StageOpened,
    TallyUpdated,
    VoteCast,
)
from contest_contracts.events.applications import (
    Applicant,
    ApplicationSnapshot,
    Contact,
    ProjectDetails,
    ScreeningCheck,
    ScreeningDecision,
)
from contest_contracts.events.contest import (
    ContestDefinition,
    Criterion,
    Nomination,
    PlacePrize,
    PrizeStructure,
    Region,
    StageSchedule,
    TallyVisibility,
)
from contest_contracts.events.judging import (
    CriterionScore,
    Finalist,
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    SpecialPrize,
)
from contest_contracts.events.ministry import FilingOutcome, FilingReason
from contest_contracts.events.notifications import Channel, Recipient
from contest_contracts.events.stages import (
    ChoiceCount,
    JudgingSummary,
    NominationTally,
    PublicVoteSummary,
    RankedApplication,
    Ranking,
    SubmissionCount,
    SubmissionSummary,
)
from contest_contracts.events.voting import TallyEntry

CONTEST_ID = "social-protection-2025"
APPLICATION_ID = "app-0001"
AT = datetime(2025, 9, 15, 9, 30, tzinfo=UTC)

DEFINITION = ContestDefinition(
    contest_id=CONTEST_ID,
    title=LocalizedText(
        ru="Лучший работник системы социальной защиты и лучший социальный проект",
        kk="Әлеуметтік қорғау жүйесінің үздік қызметкері және үздік әлеуметтік жоба",
        en="Best worker of the social protection system and best social project",
    ),
    organiser=LocalizedText(
        ru="Министерство труда и социальной защиты населения РК",
        en="Ministry of Labour and Social Protection of the Population",
    ),
    nominations=[
        Nomination(
            code="best-social-project",
            title=LocalizedText(ru="Лучший социальный проект", en="Best social project"),
            kind=NominationKind.PROJECT,
            required_fields=["project_title", "summary", "target_group"],
            rubric=[
                Criterion(
                    code="social_significance",
                    title=LocalizedText(ru="Социальная значимость", en="Social significance"),
                    weight=2.0,
                    max_score=10,
                ),
                Criterion(
                    code="innovation",
                    title=LocalizedText(ru="Инновационность", en="Innovation"),
                    weight=1.0,
                    max_score=10,
                ),
            ],
        )
    ],
    regions=[Region(code="KZ-71", title=LocalizedText(ru="г. Астана", kk="Астана қ."))],
    stages=[
        StageSchedule(
            stage=Stage.SUBMISSION,
            opens_at=datetime(2025, 8, 1, tzinfo=UTC),
            closes_at=datetime(2025, 9, 15, 18, tzinfo=UTC),
        )
    ],
    prizes=PrizeStructure(
        places=[
            PlacePrize(place=1, winners=1, grant_tenge=3_000_000),
            PlacePrize(place=2, winners=2, grant_tenge=2_500_000),
            PlacePrize(place=3, winners=2, grant_tenge=2_000_000),
        ],
        special_prizes=5,
        peoples_choice=3,
    ),
)

SNAPSHOT = ApplicationSnapshot(
    application_id=APPLICATION_ID,
    contest_id=CONTEST_ID,
    nomination_code="best-social-project",
    region_code="KZ-71",
    applicant=Applicant(
        kind=ApplicantKind.ORGANISATION,
        identifier="180240012345",
        display_name='ОО "Жігер"',
    ),
    contact=Contact(email="office@zhiger.kz", phone="+77011234567", language=Language.KK),
    title="Спорт для молодёжи с инвалидностью",
    details=ProjectDetails(
        project_title="Спорт для молодёжи с инвалидностью",
        summary="Тренировки по доступным видам спорта для молодёжи с инвалидностью.",
        target_group="Молодёжь с ограниченными возможностями",
        beneficiaries_reached=240,
        budget_tenge=4_800_000,
        period_start=date(2024, 3, 1),
    ),
    submitted_at=AT,
)

SAMPLES: dict[type[EventData], EventData] = {
    ApplicationFiled: ApplicationFiled(
        request_id="mtszn-2025-000417",
        contest_id=CONTEST_ID,
        nomination_code=SNAPSHOT.nomination_code,
        region_code=SNAPSHOT.region_code,
        applicant=SNAPSHOT.applicant,
        contact=SNAPSHOT.contact,
        details=SNAPSHOT.details,
    ),
    ApplicationFilingAnswered: ApplicationFilingAnswered(
        request_id="mtszn-2025-000417",
        outcome=FilingOutcome.REJECTED,
        reasons=[
            FilingReason(
                code="invalid_identifier",
                field="applicant.identifier",
                message="BIN check digit does not match",
            )
        ],
        answered_at=AT,
    ),
    ContestDefined: ContestDefined(definition=DEFINITION, revision=1),
    ContestUpdated: ContestUpdated(definition=DEFINITION, revision=2),
    ApplicationSubmitted: ApplicationSubmitted(application=SNAPSHOT),
    ApplicationUpdated: ApplicationUpdated(application=SNAPSHOT, revision=2),
    ApplicationWithdrawn: ApplicationWithdrawn(
        application_id=APPLICATION_ID,
        contest_id=CONTEST_ID,
        nomination_code="best-social-project",
        region_code="KZ-71",
        withdrawn_at=AT,
    ),
    ApplicationScreened: ApplicationScreened(
        application_id=APPLICATION_ID,
        contest_id=CONTEST_ID,
        nomination_code="best-social-project",
        region_code="KZ-71",
        decision=ScreeningDecision.ELIGIBLE,
        checks=[ScreeningCheck(check="required_fields", passed=True)],
        screened_by="secretary-kz71",
        screened_at=AT,
    ),
    StageOpened: StageOpened(contest_id=CONTEST_ID, stage=Stage.SUBMISSION, opened_at=AT),
    StageClosed: StageClosed(
        contest_id=CONTEST_ID,
        stage=Stage.SUBMISSION,
        closed_at=AT,
        closed_by="schedule",
        summary=SubmissionSummary(
            stage=Stage.SUBMISSION,
            total_submitted=1041,
            counts=[
                SubmissionCount(
                    region_code="KZ-71", nomination_code="best-social-project", submitted=52
                )
            ],
        ),
    ),
    JurorAssigned: JurorAssigned(
        assignment_id="asg-1",
        contest_id=CONTEST_ID,
        stage=Stage.REGIONAL,
        commission_id="commission-kz71",
        juror_id="juror-7",
        application_id=APPLICATION_ID,
        nomination_code="best-social-project",
        region_code="KZ-71",
        assigned_at=AT,
    ),
    ScoreRecorded: ScoreRecorded(
        sheet_id="sheet-1",
        contest_id=CONTEST_ID,
        stage=Stage.REGIONAL,
        application_id=APPLICATION_ID,
        juror_id="juror-7",
        scores=[
            CriterionScore(criterion_code="social_significance", score=9),
            CriterionScore(criterion_code="innovation", score=7),
        ],
        weighted_total=25.0,
        revision=1,
        recorded_at=AT,
    ),
    FinalistsSelected: FinalistsSelected(
        contest_id=CONTEST_ID,
        finalists=[
            Finalist(
                application_id=APPLICATION_ID,
                nomination_code="best-social-project",
                region_code="KZ-71",
                title="Спорт для молодёжи с инвалидностью",
                display_name='ОО "Жігер"',
                regional_rank=1,
                regional_score=25.0,
            )
        ],
        selected_at=AT,
    ),
    ResultsPublished: ResultsPublished(
        contest_id=CONTEST_ID,
        nominations=[
            NominationResult(
                nomination_code="best-social-project",
                places=[
                    PlaceAward(
                        place=2,
                        application_id=APPLICATION_ID,
                        title="Спорт для молодёжи с инвалидностью",
                        display_name='ОО "Жігер"',
                        region_code="KZ-71",
                        score=27.5,
                        grant_tenge=2_500_000,
                    )
                ],
                special_prizes=[
                    SpecialPrize(
                        application_id="app-0002",
                        title="Социальное такси",
                        display_name="Айгерим Садыкова",
                        reason="Решение комиссии: охват сельских районов",
                    )
                ],
                peoples_choice=[
                    PeoplesChoiceAward(
                        rank=1,
                        application_id=APPLICATION_ID,
                        title="Спорт для молодёжи с инвалидностью",
                        display_name='ОО "Жігер"',
                        votes=12840,
                    )
                ],
            )
        ],
        published_at=datetime(2025, 10, 24, 6, tzinfo=UTC),
    ),
    VoteCast: VoteCast(
        receipt_id="rcpt-1",
        contest_id=CONTEST_ID,
        nomination_code="best-social-project",
        application_id=APPLICATION_ID,
        voter_key="0" * 64,
        voter_key_version=1,
        client_address="127.0.0.1",
        cast_at=AT,
    ),
    TallyUpdated: TallyUpdated(
        contest_id=CONTEST_ID,
        nomination_code="best-social-project",
        visibility=TallyVisibility.LIVE,
        participation=12840,
        entries=[TallyEntry(application_id=APPLICATION_ID, rank=1, votes=12840)],
        as_of=AT,
    ),
    NotificationRequested: NotificationRequested(
        notification_id="ntf-1",
        channel=Channel.EMAIL,
        recipient=Recipient(
            recipient_id="applicant-180240012345", address="office@zhiger.kz", language=Language.KK
        ),
        template="application_received",
        parameters={
            "application_id": APPLICATION_ID,
            "name": 'ОО "Жігер"',
            "title": "Спорт для молодёжи с инвалидностью",
            "contest": "Лучший работник системы социальной защиты и лучший социальный проект",
        },
        contest_id=CONTEST_ID,
    ),
    NotificationDelivered: NotificationDelivered(
        notification_id="ntf-1",
        channel=Channel.EMAIL,
        recipient_id="applicant-180240012345",
        attempts=1,
        delivered_at=AT,
    ),
    NotificationFailed: NotificationFailed(
        notification_id="ntf-2",
        channel=Channel.SMS,
        recipient_id="voter-1",
        attempts=5,
        error="provider returned 503",
        failed_at=AT,
    ),
}

STAGE_CLOSED_VARIANTS: list[StageClosed] = [
    StageClosed(
        contest_id=CONTEST_ID,
        stage=Stage.REGIONAL,
        closed_at=AT,
        closed_by="operator-1",
        summary=JudgingSummary(
            stage=Stage.REGIONAL,
            forced=True,
            missing_sheets=1,
            rankings=[
                Ranking(
                    nomination_code="best-social-project",
                    region_code="KZ-71",
                    entries=[
                        RankedApplication(
                            rank=1,
                            application_id=APPLICATION_ID,
                            score=25.0,
                            sheets=2,
                            missing_sheets=1,
                        )
                    ],
                )
            ],
        ),
    ),
    StageClosed(
        contest_id=CONTEST_ID,
        stage=Stage.PUBLIC_VOTE,
        closed_at=AT,
        closed_by="schedule",
        summary=PublicVoteSummary(
            stage=Stage.PUBLIC_VOTE,
            voters=20000,
            tallies=[
                NominationTally(
                    nomination_code="best-social-project",
                    choices=[ChoiceCount(application_id=APPLICATION_ID, votes=12840)],
                    ballots_counted=12840,
                )
            ],
        ),
    ),
]
"""Stage-closed samples for the other summary kinds (the one in SAMPLES is submission)."""


def finalists_selected(
    contest_id: str, application_ids: list[str], nomination_code: str, at: datetime
) -> FinalistsSelected:
    """Judging's selection of ``application_ids`` as finalists of one nomination, one region
    each: what opens a public vote, for tests and tools that play judging's part."""
    return FinalistsSelected(
        contest_id=contest_id,
        finalists=[
            Finalist(
                application_id=application_id,
                nomination_code=nomination_code,
                region_code=f"KZ-{71 + i}",
                title=f"Project {i}",
                display_name=f"Team {i}",
                regional_rank=1,
                regional_score=30.0 - i,
            )
            for i, application_id in enumerate(application_ids)
        ],
        selected_at=at,
    )
