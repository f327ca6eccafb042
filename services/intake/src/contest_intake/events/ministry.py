"""Applications filed by the ministry's systems, each answered on the answers topic."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from contest_contracts.envelope import Envelope
from contest_contracts.events.ministry import (
    REQUEST_ID_CHARS,
    ApplicationFiled,
    ApplicationFilingAnswered,
    FilingOutcome,
    FilingReason,
)
from contest_contracts.wire import InvalidPayload
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
    answer_again = _answer_again(office, filing.request_id, fingerprint, envelope)
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
        answer = _rejected(
            office,
            filing.request_id,
            [FilingReason(code=r.code, field=r.field, message=r.message) for r in refused.refusals],
        )
    await office.filings.record(
        key, office.envelope(answer, filing.request_id, envelope), envelope.id, fingerprint
    )
    await office.relay.flush(office.filings.collection, key)


async def refuse_filing(office: IntakeOffice, invalid: InvalidPayload) -> bool:
    """Answer a filing its schema refuses (an email that is not one, a phone without +7, a
    wrong type) ``rejected``, one reason per field, as a rule broken is; once, and like any
    filing it binds its ``request_id``. Returns False (the record is dead-lettered) when
    there is no ``request_id`` to answer to."""
    payload = invalid.payload
    request_id = payload.get("request_id") if isinstance(payload, dict) else None
    if not isinstance(request_id, str) or not 1 <= len(request_id) <= REQUEST_ID_CHARS:
        return False
    cause = invalid.cause
    key = f"{cause.source}\x1f{request_id}"
    content = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    fingerprint = hashlib.sha256(content.encode()).hexdigest()
    answer_again = _answer_again(office, request_id, fingerprint, cause)
    if not await office.filings.answered_before(key, cause.id, answer_again):
        reasons = [
            FilingReason(
                code=str(error["type"]),
                field=field_path(error["loc"], payload),
                message=str(error["msg"]),
            )
            for error in invalid.errors
        ]
        answer = office.envelope(_rejected(office, request_id, reasons), request_id, cause)
        await office.filings.record(key, answer, cause.id, fingerprint)
    await office.relay.flush(office.filings.collection, key)
    return True


def field_path(location: tuple[str | int, ...], payload: Any) -> str | None:
    """The dotted path of an error's field in the filing as sent (``contact.email``,
    ``details.years_of_service``): pydantic's location without the union's tag it adds
    (``details.worker.…``), which is no field of the filing."""
    parts: list[str] = []
    node = payload
    for position, part in enumerate(location):
        last = position == len(location) - 1
        inside_dict = isinstance(node, dict) and part in node
        inside_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if inside_dict or inside_list:
            node = node[part]
        elif not last:
            continue  # a tag pydantic names the union's variant by
        parts.append(str(part))
    return ".".join(parts) or None


def _rejected(
    office: IntakeOffice, request_id: str, reasons: list[FilingReason]
) -> ApplicationFilingAnswered:
    return ApplicationFilingAnswered(
        request_id=request_id,
        outcome=FilingOutcome.REJECTED,
        reasons=reasons,
        answered_at=office.clock(),
    )


def _answer_again(
    office: IntakeOffice, request_id: str, fingerprint: str, cause: Envelope[Any]
) -> Callable[[Document], Envelope[Any]]:
    def answer_again(stored: Document) -> Envelope[Any]:
        # The same request filed again under a new event: the first outcome, as a retry
        # with the same Idempotency-Key gets; other content under the same id is refused.
        if stored.get("fingerprint") == fingerprint:
            again = ApplicationFilingAnswered.model_validate(stored["answer"])
        else:
            again = _rejected(
                office,
                request_id,
                [
                    FilingReason(
                        code="request_id_reused",
                        field="request_id",
                        message="this request_id was filed before with other content; "
                        "the first filing's answer stands",
                    )
                ],
            )
        return office.envelope(again, request_id, cause)

    return answer_again
