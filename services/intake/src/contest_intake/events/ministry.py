"""Applications filed by the ministry's systems, each answered on the answers topic."""

from __future__ import annotations

import hashlib
from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.ministry import (
    ApplicationFiled,
    ApplicationFilingAnswered,
    FilingOutcome,
    FilingReason,
)
from contest_intake.domain.applications import FILED
from contest_intake.domain.forms import ApplicationForm, Refused
from contest_intake.office import IntakeOffice
from contest_runtime.mongo import Document


async def answer_filing(office: IntakeOffice, envelope: Envelope[Any]) -> None:
    """Submit a filed application under the same rules as the API, and answer it once.

    The application id is derived from the filing, so a redelivered filing (after a crash
    between the application and the answer) finds its application and is answered
    ``accepted`` again instead of ``application_exists``.
    """
    filing: ApplicationFiled = envelope.data
    key = f"{envelope.source}\x1f{filing.request_id}"
    fingerprint = hashlib.sha256(filing.model_dump_json().encode()).hexdigest()

    def answer_again(stored: Document) -> Envelope[Any]:
        # The same request filed again under a new event: the first outcome, as a retry
        # with the same Idempotency-Key gets; other content under the same id is refused.
        if stored.get("fingerprint") == fingerprint:
            again = ApplicationFilingAnswered.model_validate(stored["answer"])
        else:
            again = ApplicationFilingAnswered(
                request_id=filing.request_id,
                outcome=FilingOutcome.REJECTED,
                reasons=[
                    FilingReason(
                        code="request_id_reused",
                        field="request_id",
                        message="this request_id was filed before with other content; "
                        "the first filing's answer stands",
                    )
                ],
                answered_at=office.clock(),
            )
        return office.envelope(again, filing.request_id, envelope)

    if await office.filings.answered_before(key, envelope.id, answer_again):
        await office.relay.flush(office.filings.collection, key)
        return
    form = ApplicationForm(
        nomination_code=filing.nomination_code,
        region_code=filing.region_code,
        applicant=filing.applicant,
        contact=filing.contact,
        details=filing.details,
    )
    try:
        application = await office.apply(
            filing.contest_id,
            filing.applicant.identifier,
            form,
            submit=True,
            application_id=office.filing_id(envelope.source, filing.request_id),
            source=FILED,
        )
        answer = ApplicationFilingAnswered(
            request_id=filing.request_id,
            outcome=FilingOutcome.ACCEPTED,
            application_id=application.application_id,
            answered_at=office.clock(),
        )
    except Refused as refused:
        answer = ApplicationFilingAnswered(
            request_id=filing.request_id,
            outcome=FilingOutcome.REJECTED,
            reasons=[
                FilingReason(code=r.code, field=r.field, message=r.message)
                for r in refused.refusals
            ],
            answered_at=office.clock(),
        )
    await office.filings.record(
        key, office.envelope(answer, filing.request_id, envelope), envelope.id, fingerprint
    )
    await office.relay.flush(office.filings.collection, key)
