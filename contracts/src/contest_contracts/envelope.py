"""The one event envelope every topic carries (CloudEvents 1.0 attributes plus tracing).

On Kafka the envelope travels in CloudEvents *binary* mode: every attribute is a
``ce_*`` header, the body is the JSON of ``data`` alone, and the record key is the
``subject``. See :mod:`contest_contracts.wire` for the exact mapping.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

from pydantic import Field

from contest_contracts.common import ContractModel, UtcDateTime


class EventData(ContractModel):
    """Base of every event payload.

    Subclasses set ``event_type`` (the CloudEvents ``type``) and ``schema_version``
    (the major version of the payload's schema; a breaking change needs a new topic).
    """

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


DataT = TypeVar("DataT", bound=EventData)


_last_id = 0
_id_lock = threading.Lock()


def new_event_id() -> str:
    """A unique, time-ordered id: a UUID version 7 (48-bit Unix milliseconds, then random bits).

    Sorting ids sorts events by creation time; ids made by one process are strictly
    increasing even within a millisecond (the random part then counts up, as RFC 9562
    allows), which keeps indexes on ids append-mostly and pages in creation order.
    """
    global _last_id
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = _with_version(value)
    with _id_lock:
        if value <= _last_id:
            value = _with_version(_last_id + 1)
        _last_id = value
    return str(uuid.UUID(int=value))


def _with_version(value: int) -> int:
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return value


class Envelope(ContractModel, Generic[DataT]):
    """An event: who said what about which entity, when, and in reply to what."""

    id: str = Field(
        default_factory=new_event_id,
        description="Unique, time-ordered event id (UUIDv7). With `source`, the dedup key.",
    )
    type: str = Field(description="Event type, e.g. `kz.contest.application.submitted`.")
    source: str = Field(description="Producing service as a URI reference, e.g. `/contest/intake`.")
    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    time: UtcDateTime = Field(
        default_factory=lambda: datetime.now(UTC), description="When it happened, UTC."
    )
    subject: str = Field(description="Key of the entity the event is about; also the Kafka key.")
    correlation_id: str = Field(
        description="Id shared by every event and request of one business flow."
    )
    causation_id: str | None = Field(
        default=None, description="Id of the event or request that directly caused this one."
    )
    schema_version: int = Field(ge=1, description="Major version of the `data` schema.")
    data: DataT = Field(description="The typed payload.")

    @classmethod
    def of(
        cls,
        data: DataT,
        *,
        source: str,
        subject: str,
        correlation_id: str | None = None,
        causation: Envelope[Any] | None = None,
    ) -> Envelope[DataT]:
        """Wrap a payload; a causing event passes on its correlation id and becomes the cause."""
        event_id = new_event_id()
        if correlation_id is None:
            correlation_id = causation.correlation_id if causation is not None else event_id
        # Parametrised with the payload's own class, so that the envelope serialises the
        # payload's fields and not only those of EventData.
        typed = cast("type[Envelope[DataT]]", Envelope.__class_getitem__(type(data)))
        return typed(
            id=event_id,
            type=data.event_type,
            source=source,
            subject=subject,
            correlation_id=correlation_id,
            causation_id=causation.id if causation is not None else None,
            schema_version=data.schema_version,
            data=data,
        )
