"""Composition root of the intake service: settings, store, broker and routes."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import FinalistsSelected, ResultsPublished
from contest_contracts.events.ministry import ApplicationFiled
from contest_contracts.events.stages import StageClosed
from contest_contracts.topics import FINALISTS, MINISTRY_FILINGS, RESULTS, STAGES
from contest_intake.api import applications, attachments, contests, gallery
from contest_intake.api.refusals import install_refusal_handler
from contest_intake.domain.definitions import parse_definition
from contest_intake.events.lifecycle import follow_finalists, follow_results, follow_stage_closed
from contest_intake.events.ministry import answer_filing, refuse_filing
from contest_intake.judging import JudgingAssignments
from contest_intake.office import IntakeOffice
from contest_intake.settings import IntakeSettings
from contest_intake.store.applications import ApplicationStore
from contest_intake.store.attachments import AttachmentFiles
from contest_intake.store.contests import ContestStore
from contest_intake.store.requests import FilingAnswers, IdempotencyKeys
from contest_intake.store.standings import StandingStore
from contest_runtime.consumers import ConsumerOptions, subscribe
from contest_runtime.outbox import OutboxRelay
from contest_runtime.service import ServiceRuntime, create_service_app

NAME = "intake"

log = logging.getLogger(__name__)


def create_app(
    settings: IntakeSettings | None = None, judging: JudgingAssignments | None = None
) -> FastAPI:
    """The intake service's app; connects to nothing until its lifespan starts. ``judging``
    answers whether a juror is assigned (by default judging at ``settings.judging_url``)."""
    settings = settings or IntakeSettings()
    # Definition files are read now, so that a broken file stops the start with its reasons.
    definitions = [
        parse_definition(path.read_bytes(), media_type=_media_type_of(path))
        for path in settings.definition_files
    ]

    async def wire(runtime: ServiceRuntime) -> IntakeOffice:
        office = await open_office(runtime)
        assignments = judging or JudgingAssignments.at(
            settings.judging_url, settings.judging_timeout_s
        )
        runtime.closing.append(assignments.aclose)
        app.state.judging = assignments
        subscribe_handlers(runtime, office)
        runtime.background += [
            lambda: load_definitions(office, definitions),
            lambda: office.relay.run(settings.outbox_interval_s),
            lambda: keep_the_schedule(office, settings.schedule_interval_s),
        ]
        return office

    app = create_service_app(
        name=NAME,
        settings=settings,
        title="Contest intake service",
        description="Contest definitions, applications, attachments, the submission window, "
        "screening, ministry filings and the public gallery.",
        routers=[contests.router, applications.router, attachments.router, gallery.router],
        wire=wire,
    )
    install_refusal_handler(app)
    return app


async def open_office(runtime: ServiceRuntime) -> IntakeOffice:
    """Intake's stores (with their indexes) and outbox relay."""
    db = runtime.db
    contests, applications, filings = ContestStore(db), ApplicationStore(db), FilingAnswers(db)
    office = IntakeOffice(
        contests=contests,
        applications=applications,
        files=AttachmentFiles(db),
        keys=IdempotencyKeys(db),
        filings=filings,
        relay=OutboxRelay(
            runtime.broker,
            [contests.collection, applications.collection, filings.collection],
        ),
        standings=StandingStore(db),
    )
    await office.contests.create_indexes()
    await office.applications.create_indexes()
    await office.standings.create_indexes()
    await office.keys.create_indexes()
    await office.relay.create_indexes()
    return office


def subscribe_handlers(runtime: ServiceRuntime, office: IntakeOffice) -> None:
    """Ministry filings, and the events applicants' timelines and standings follow (one
    consumer)."""
    subscribe(
        runtime.broker,
        (MINISTRY_FILINGS, FINALISTS, RESULTS, STAGES),
        {
            ApplicationFiled: partial(answer_filing, office),
            FinalistsSelected: partial(follow_finalists, office),
            ResultsPublished: partial(follow_results, office),
            StageClosed: partial(follow_stage_closed, office),
        },
        options=ConsumerOptions.of(runtime.settings),
        dead_letters=runtime.dead_letters,
        refusals={ApplicationFiled: partial(refuse_filing, office)},
    )


async def load_definitions(office: IntakeOffice, definitions: list[ContestDefinition]) -> None:
    """Define or update the contests of the definition files."""
    for definition in definitions:
        contest = await office.load(definition)
        log.info(
            "contest definition loaded",
            extra={"contest_id": definition.contest_id, "revision": contest.revision},
        )


async def keep_the_schedule(office: IntakeOffice, interval_s: float) -> None:
    """Announce submission stages whose opening has come and close those whose deadline
    passed, forever (a background job)."""
    while True:
        try:
            opened = await office.announce_opened_submissions()
            if opened:
                log.info("submission opened on schedule", extra={"contests": opened})
            closed = await office.close_due_submissions()
            if closed:
                log.info("submission closed at the deadline", extra={"contests": closed})
        except Exception:
            log.exception("deadline check failed")
        await asyncio.sleep(interval_s)


def _media_type_of(path: Path) -> str:
    """A definition file is JSON by its suffix, YAML otherwise."""
    return "application/json" if path.suffix.lower() == ".json" else "application/yaml"
