"""The intake office: what intake does, shared by its HTTP API and its event handlers.

Each operation checks the rules (``domain``), writes the change with the events it causes
in one document (``store``), then publishes them at once; when the broker is unreachable
the outbox relay publishes them later. Who may call what is decided in ``api``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from contest_contracts.common import StageKind
from contest_contracts.envelope import Envelope, EventData, new_event_id
from contest_contracts.events.applications import ScreeningDecision
from contest_contracts.events.contest import ContestDefined, ContestDefinition, ContestUpdated
from contest_contracts.events.stages import StageClosed, StageOpened
from contest_intake.domain.applications import (
    EDITABLE,
    Application,
    ApplicationStatus,
    screening_checks,
)
from contest_intake.domain.attachments import HEAD_BYTES, content_matches
from contest_intake.domain.drafts import DraftForm, as_draft, completed, draft_refusals
from contest_intake.domain.forms import (
    ApplicationForm,
    Refused,
    attachment_refusals,
)
from contest_intake.domain.visibility import (
    VisibilityChange,
    VisibilityChanged,
    check_visibility_change,
    keeping_unwritten_visibility,
)
from contest_intake.domain.window import has_opened, is_due, require_open, submission_summary
from contest_intake.store.applications import (
    ApplicationExists,
    ApplicationIdTaken,
    ApplicationStore,
)
from contest_intake.store.attachments import AttachmentFiles, AttachmentTooLarge
from contest_intake.store.contests import Contest, ContestExists, ContestStore
from contest_intake.store.requests import FilingAnswers, IdempotencyKeys
from contest_intake.store.standings import StandingStore
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.mongo import Document, stored_now
from contest_runtime.outbox import OutboxRelay
from contest_runtime.records import RecordTooLarge

SOURCE = "/contest/intake"
_FILING_IDS = uuid.UUID("6f1d2c1e-8b7a-4f55-9a43-2f0e4c9d7a10")


@contextmanager
def publishable(what: str) -> Iterator[None]:
    """Refuse (``<what>_too_large``) a change whose event the broker could not take: the
    store raises before it writes, so nothing was stored."""
    try:
        yield
    except RecordTooLarge as error:
        raise Refused.of(
            f"{what}_too_large",
            f"the {what} would be {error.size} bytes as an event; the broker takes at "
            f"most {error.limit}: shorten its texts",
        ) from error


@dataclass
class IntakeOffice:
    """Intake's stores and outbox, and the operations on them."""

    contests: ContestStore
    applications: ApplicationStore
    files: AttachmentFiles
    keys: IdempotencyKeys
    filings: FilingAnswers
    relay: OutboxRelay
    standings: StandingStore
    clock: Callable[[], datetime] = stored_now

    # -- events -------------------------------------------------------------------------

    def envelope(
        self, data: EventData, subject: str, causation: Envelope[Any] | None = None
    ) -> Envelope[Any]:
        """An event of intake, in the flow of the current request or of its cause."""
        return envelope_in_flow(data, source=SOURCE, subject=subject, causation=causation)

    # -- contests -----------------------------------------------------------------------

    async def contest(self, contest_id: str) -> Contest:
        """A defined contest; refused as ``unknown_contest`` otherwise."""
        contest = await self.contests.get(contest_id)
        if contest is None:
            raise Refused.of("unknown_contest", f"no contest {contest_id!r}", "contest_id")
        return contest

    async def define(self, definition: ContestDefinition) -> Contest:
        """Define a new contest and announce it (revision 1)."""
        event = self.envelope(
            ContestDefined(definition=definition, revision=1), definition.contest_id
        )
        try:
            with publishable("definition"):
                await self.contests.define(definition, event)
        except ContestExists as error:
            raise Refused.of(
                "contest_exists", f"contest {definition.contest_id!r} is defined already"
            ) from error
        await self.relay.flush(self.contests.collection, definition.contest_id)
        return await self.contest(definition.contest_id)

    async def redefine(
        self,
        definition: ContestDefinition,
        by: str,
        allowed: VisibilityChange = VisibilityChange.NONE,
    ) -> Contest:
        """Replace a contest's definition and announce the new revision (no-op if unchanged).

        A definition written without a visibility keeps the contest's; a change of the
        visibility is checked against ``allowed`` and written in the contest's audit log
        (``domain.visibility``).
        """
        now = self.clock()

        def change(contest: Contest) -> tuple[Document, Envelope[Any]] | None:
            new = keeping_unwritten_visibility(contest.definition, definition)
            if contest.definition == new:
                return None
            revision = contest.revision + 1
            audit = list(contest.audit)
            before, after = contest.definition.public_vote.visibility, new.public_vote.visibility
            if before != after:
                forced = check_visibility_change(contest.definition, new, now, allowed)
                audit.append(
                    VisibilityChanged(
                        at=now,
                        by=by,
                        previous=before,
                        visibility=after,
                        revision=revision,
                        forced=forced,
                    )
                )
            event = self.envelope(
                ContestUpdated(definition=new, revision=revision), definition.contest_id
            )
            fields = {
                "definition": new.model_dump(mode="json"),
                "revision": revision,
                "audit": [entry.model_dump(mode="json") for entry in audit],
            }
            return fields, event

        with publishable("definition"):
            contest = await self.contests.change(definition.contest_id, change)
        if contest is None:
            raise Refused.of("unknown_contest", f"no contest {definition.contest_id!r}")
        await self.relay.flush(self.contests.collection, definition.contest_id)
        return contest

    async def load(self, definition: ContestDefinition) -> Contest:
        """Define the contest, or bring its definition up to date (loading files at start)."""
        if await self.contests.get(definition.contest_id) is None:
            try:
                return await self.define(definition)
            except Refused as refused:
                if refused.code != "contest_exists":
                    raise
                # Another replica defined it in the meantime: bring it up to date below.
        # A file's visibility is written on purpose; a vote that has opened still keeps its own.
        return await self.redefine(definition, "definition-file", VisibilityChange.CONFIRM)

    async def close_submission(self, contest_id: str, closed_by: str) -> Contest:
        """Close the submission stage and announce it with the counts; closing twice is a no-op."""
        counts = submission_summary(await self.applications.submitted_statuses(contest_id))
        now = self.clock()

        def change(contest: Contest) -> tuple[Document, Envelope[Any]] | None:
            if contest.submission_closed_at is not None:
                return None
            event = self.envelope(
                StageClosed(
                    contest_id=contest_id,
                    stage=StageKind.SUBMISSION,
                    closed_at=now,
                    closed_by=closed_by,
                    summary=counts,
                ),
                contest_id,
            )
            fields = {
                "submission_open": False,
                "submission_closed_at": now,
                "submission_closed_by": closed_by,
            }
            return fields, event

        contest = await self.contests.change(contest_id, change)
        if contest is None:
            raise Refused.of("unknown_contest", f"no contest {contest_id!r}")
        await self.relay.flush(self.contests.collection, contest_id)
        return contest

    async def announce_opened_submissions(self) -> list[str]:
        """Announce (`StageOpened`, once per contest) every submission stage whose scheduled
        opening has come and that is not closed; returns the contests announced."""
        now = self.clock()
        announced = []
        for contest in await self.contests.open_submissions():
            if contest.submission_opened_at is None and has_opened(contest.definition, now):
                await self._announce_opening(contest.definition, now)
                announced.append(contest.definition.contest_id)
        return announced

    async def _announce_opening(self, definition: ContestDefinition, now: datetime) -> None:
        stage = next(s for s in definition.stages if s.stage == StageKind.SUBMISSION)
        event = self.envelope(
            StageOpened(
                contest_id=definition.contest_id,
                stage=StageKind.SUBMISSION,
                opened_at=stage.opens_at,  # the schedule's moment, not this check's
                closes_at=stage.closes_at,
            ),
            definition.contest_id,
        )

        def change(current: Contest) -> tuple[Document, Envelope[Any]] | None:
            if current.submission_opened_at is not None:
                return None  # another replica announced it first
            return {"submission_opened_at": now}, event

        await self.contests.change(definition.contest_id, change)
        await self.relay.flush(self.contests.collection, definition.contest_id)

    async def close_due_submissions(self) -> list[str]:
        """Close every submission stage whose deadline passed; returns the contests closed."""
        now = self.clock()
        closed = []
        for contest in await self.contests.open_submissions():
            if is_due(contest.definition, now):
                await self.close_submission(contest.definition.contest_id, "schedule")
                closed.append(contest.definition.contest_id)
        return closed

    # -- applications -------------------------------------------------------------------

    async def apply(
        self,
        contest_id: str,
        owner: str,
        form: ApplicationForm | DraftForm,
        *,
        submit: bool,
        application_id: str | None = None,
        source: str = "api",
    ) -> Application:
        """Create an application: a draft (any part of the form, each field it holds valid),
        or submitted at once (the whole form).

        With a given ``application_id`` that exists already, returns that application:
        a retried creation has the same outcome as the first.
        """
        if application_id is not None:
            existing = await self.applications.get(application_id)
            if existing is not None:
                return existing
        contest = await self.contest(contest_id)
        form = as_draft(form)
        if submit:
            completed(form, contest.definition)
        refusals = draft_refusals(form, contest.definition)
        if refusals:
            raise Refused(refusals)
        now = self.clock()
        require_open(contest.definition, contest.submission_closed_at, now)
        application = Application.draft(
            application_id or new_event_id(), contest_id, owner, form, now, source
        )
        events = application.submit(now, contest.definition) if submit else []
        try:
            with publishable("application"):
                await self.applications.insert(application, self._envelopes(application, events))
        except ApplicationIdTaken:
            return await self.application(application.application_id)
        except ApplicationExists as error:
            raise Refused.of(
                "application_exists",
                "the applicant already has an application in this nomination of this contest",
            ) from error
        await self.relay.flush(self.applications.collection, application.application_id)
        return application

    async def apply_once(
        self,
        contest_id: str,
        owner: str,
        form: ApplicationForm | DraftForm,
        *,
        submit: bool,
        key: str,
    ) -> tuple[Application, bool]:
        """``apply`` under an idempotency key: returns the application and whether it is new.

        The key is claimed with a fresh id first; a retry finds the claim and repeats the
        creation with the same id, which returns the application made the first time.
        """
        body = {
            "contest_id": contest_id,
            "submit": submit,
            "form": as_draft(form).model_dump(mode="json", exclude_none=True),
        }
        fingerprint = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        claim = await self.keys.claim(owner, key, fingerprint, new_event_id(), self.clock())
        if claim.fingerprint != fingerprint:
            raise Refused.of(
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
                "Idempotency-Key",
            )
        existing = await self.applications.get(claim.application_id)
        if existing is not None:
            return existing, False
        application = await self.apply(
            contest_id, owner, form, submit=submit, application_id=claim.application_id
        )
        return application, True

    async def application(self, application_id: str) -> Application:
        """One application; refused as ``application_not_found`` otherwise."""
        application = await self.applications.get(application_id)
        if application is None:
            raise Refused.of("application_not_found", f"no application {application_id!r}")
        return application

    async def _change(
        self,
        application_id: str,
        change: Callable[[Application, ContestDefinition], list[EventData]],
        *,
        while_open: bool = True,
    ) -> Application:
        application = await self.application(application_id)
        contest = await self.contest(application.contest_id)
        now = self.clock()
        if while_open:
            require_open(contest.definition, contest.submission_closed_at, now)

        def apply_change(current: Application) -> list[Envelope[Any]]:
            return self._envelopes(current, change(current, contest.definition))

        with publishable("application"):
            changed = await self.applications.change(application_id, apply_change)
        if changed is None:
            raise Refused.of("application_not_found", f"no application {application_id!r}")
        await self.relay.flush(self.applications.collection, application_id)
        return changed

    def _envelopes(self, application: Application, events: list[EventData]) -> list[Envelope[Any]]:
        return [self.envelope(data, application.application_id) for data in events]

    async def edit(self, application_id: str, form: ApplicationForm | DraftForm) -> Application:
        """Replace the form of a draft (any part of it) or of a submitted application (the
        whole form) before the deadline."""
        draft = as_draft(form)

        def change(application: Application, definition: ContestDefinition) -> list[EventData]:
            if application.status != ApplicationStatus.DRAFT:
                completed(draft, definition)
            refusals = draft_refusals(draft, definition)
            if refusals:
                raise Refused(refusals)
            return application.edit(draft)

        return await self._change(application_id, change)

    async def submit(self, application_id: str) -> Application:
        """Submit a draft before the deadline (submitting again changes nothing)."""
        now = self.clock()
        return await self._change(application_id, lambda a, d: a.submit(now, d))

    async def withdraw(self, application_id: str, reason: str | None) -> Application:
        """Withdraw before the deadline."""
        now = self.clock()
        return await self._change(application_id, lambda a, _: a.withdraw(now, reason))

    async def screen(
        self, application_id: str, decision: ScreeningDecision, reason: str | None, by: str
    ) -> Application:
        """A secretary's decision, on the automatic checks made now."""
        now = self.clock()
        return await self._change(
            application_id,
            lambda a, d: a.screen(decision, reason, screening_checks(a, d), by, now),
            while_open=False,
        )

    async def attach(
        self,
        application: Application,
        filename: str,
        media_type: str,
        body: AsyncIterator[bytes],
        declared_size: int | None = None,
    ) -> Application:
        """Store a file within the contest's limits and add it to the application.

        A declared size over the limit is refused before anything is read; the limit is
        enforced again while reading, since a declaration can lie or be absent. An empty
        file, or one whose first bytes are not of its declared media type, is refused before
        anything is stored.
        """
        application_id = application.application_id
        contest = await self.contest(application.contest_id)
        rules = contest.definition.attachments
        require_open(contest.definition, contest.submission_closed_at, self.clock())
        if application.status not in EDITABLE:
            raise Refused.of("not_editable", f"the application is {application.status.value}")
        refusals = attachment_refusals(
            filename, len(application.attachments), contest.definition.form_limits
        )
        if refusals:
            raise Refused(refusals)
        if declared_size is not None and declared_size > rules.max_bytes:
            raise Refused.of("attachment_too_large", f"larger than {rules.max_bytes} bytes")
        if media_type not in rules.media_types:
            raise Refused.of(
                "unsupported_media_type",
                f"{media_type} is not accepted; accepted: {', '.join(rules.media_types)}",
                "Content-Type",
            )
        body = await _checked_content(media_type, body)
        try:
            ref = await self.files.upload(
                application_id, filename, media_type, body, rules.max_bytes
            )
        except AttachmentTooLarge as error:
            raise Refused.of("attachment_too_large", str(error)) from error
        try:
            return await self._change(application_id, lambda a, _: a.attach(ref))
        except BaseException:
            await self.files.delete(ref.attachment_id)
            raise

    async def detach(self, application_id: str, attachment_id: str) -> Application:
        """Remove a file from the application and from the store."""
        application = await self._change(application_id, lambda a, _: a.detach(attachment_id))
        await self.files.delete(attachment_id)
        return application

    async def follow(
        self,
        application_id: str,
        status: ApplicationStatus,
        at: datetime,
        event_id: str,
        detail: str | None,
    ) -> None:
        """Record a step another service decided; an event seen before changes nothing."""

        def change(application: Application) -> list[Envelope[Any]]:
            application.follow(status, at, event_id, detail)
            return []

        await self.applications.change(application_id, change)

    # -- the ministry -------------------------------------------------------------------

    def filing_id(self, source: str, request_id: str) -> str:
        """The application id a filing gets: the same on every redelivery."""
        return str(uuid.uuid5(_FILING_IDS, f"{source}\x1f{request_id}"))


async def _checked_content(media_type: str, body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """``body`` again, once its first bytes showed it is a non-empty file of ``media_type``."""
    head = b""
    async for chunk in body:
        head += chunk
        if len(head) >= HEAD_BYTES:
            break
    if not head:
        raise Refused.of("empty_attachment", "the file is empty", "body")
    if not content_matches(media_type, head):
        raise Refused.of(
            "content_mismatch",
            f"the file's content is not {media_type}, as its Content-Type says",
            "Content-Type",
        )

    async def whole() -> AsyncIterator[bytes]:
        yield head
        async for chunk in body:
            yield chunk

    return whole()
