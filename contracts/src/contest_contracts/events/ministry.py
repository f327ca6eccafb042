"""Applications filed by the ministry's systems, and intake's answer to each filing.

The ministry (or a regional social services system it runs) files applications collected
outside the platform. Intake applies the same rules as to applications made through its
API and answers every filing on the reply topic, correlated by the caller's ``request_id``
(also the envelope's correlation id).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contest_contracts.common import Code, ContractModel, EntityId, UtcDateTime
from contest_contracts.envelope import EventData
from contest_contracts.events.applications import Applicant, ApplicationDetails, Contact

REQUEST_ID_CHARS = 128
"""The longest ``request_id`` a filing may carry."""


class ApplicationFiled(EventData):
    """The ministry's systems file an application for submission (inbound to intake)."""

    event_type: ClassVar[str] = "kz.contest.ministry.application.filed"

    request_id: str = Field(
        min_length=1,
        max_length=REQUEST_ID_CHARS,
        description="The caller's id; the answer echoes it.",
    )
    contest_id: EntityId = Field(description="Contest applied to.")
    nomination_code: Code = Field(description="Nomination applied to.")
    region_code: Code = Field(description="Region whose commission judges it.")
    applicant: Applicant = Field(description="The applicant.")
    contact: Contact = Field(description="The applicant's contact.")
    details: ApplicationDetails = Field(description="Nomination-specific fields.")


class FilingOutcome(StrEnum):
    """Whether a filed application was accepted."""

    ACCEPTED = "accepted"
    REJECTED = "rejected"


class FilingReason(ContractModel):
    """Why a filing was rejected: one reason per problem."""

    code: Code = Field(description="Stable code, e.g. `invalid_identifier`, `application_exists`.")
    field: str | None = Field(default=None, description="Path of the offending field, if any.")
    message: str = Field(description="What is wrong, for people.")


class ApplicationFilingAnswered(EventData):
    """Intake's answer to one filed application (outbound to the ministry)."""

    event_type: ClassVar[str] = "kz.contest.ministry.application.answered"

    request_id: str = Field(description="The caller's id from the filing.")
    outcome: FilingOutcome = Field(description="Accepted (submitted) or rejected.")
    application_id: EntityId | None = Field(
        default=None, description="The submitted application, when accepted."
    )
    reasons: list[FilingReason] = Field(
        default_factory=list, description="Why it was rejected; empty when accepted."
    )
    answered_at: UtcDateTime = Field(description="When intake answered.")
