"""How an envelope becomes a Kafka record and back (CloudEvents Kafka binding, binary mode),
and a webhook's body (CloudEvents JSON, structured mode).

- key: the envelope's ``subject`` (UTF-8), so all events about one entity share a partition;
- value: the JSON of ``data`` only;
- headers: ``ce_id``, ``ce_type``, ``ce_source``, ``ce_specversion``, ``ce_time``,
  ``ce_subject``, ``ce_correlationid``, ``ce_causationid`` (when set),
  ``ce_schemaversion``, and ``content-type: application/json``.

Binary mode keeps the body equal to the payload schema (plain JSON for any tool) and lets
consumers route and deduplicate by headers without parsing the body.

Both forms name the envelope's attributes as CloudEvents requires (lowercase letters and
digits): ``correlationid``, ``causationid``, ``schemaversion``, the header's name without
its ``ce_`` prefix; the structured form also carries ``partitionkey`` (the subject), which
the Kafka binding reads from the record's key. An SDK reads the same event from either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.events import EVENT_TYPES

CONTENT_TYPE = "application/json"

_ATTRIBUTE_HEADERS = {
    "id": "ce_id",
    "type": "ce_type",
    "source": "ce_source",
    "specversion": "ce_specversion",
    "time": "ce_time",
    "subject": "ce_subject",
    "correlation_id": "ce_correlationid",
    "causation_id": "ce_causationid",
    "schema_version": "ce_schemaversion",
}
_REQUIRED = ("id", "type", "source", "specversion", "time", "subject", "correlation_id")
REQUIRED_HEADERS = tuple(_ATTRIBUTE_HEADERS[name] for name in _REQUIRED)
"""The headers a record must carry to be read. ``ce_causationid`` is there when the event has
a cause; ``ce_schemaversion`` is always written by the platform, and a record without it is
read as the type's current major version (an outside producer may leave it out)."""
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"


class MalformedEvent(ValueError):
    """A record that is not a valid event of a known type: it goes to the dead-letter topic."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class InvalidPayload(MalformedEvent):
    """A record whose headers are those of a known event type and whose body is JSON, but
    whose payload the type's schema refuses: a record its producer can be told about.

    ``cause`` is the envelope as read, with an empty payload (its id, source, subject and
    correlation id answer it); ``payload`` the JSON as sent; ``errors`` pydantic's, one per
    field.
    """

    def __init__(
        self,
        detail: str,
        *,
        model: type[EventData],
        cause: Envelope[EventData],
        payload: Any,
        errors: list[dict[str, Any]],
    ) -> None:
        super().__init__("invalid_event", detail)
        self.model = model
        self.cause = cause
        self.payload = payload
        self.errors = errors


class UnknownEventType(LookupError):
    """A well-formed record of a type this version does not know (a newer producer): skip it."""


@dataclass(frozen=True)
class KafkaRecord:
    """What goes on the wire for one event."""

    key: bytes
    value: bytes
    headers: dict[str, str]


def to_record(envelope: Envelope[Any]) -> KafkaRecord:
    """Encode an envelope for Kafka."""
    attributes = envelope.model_dump(mode="json", exclude={"data"})
    headers = {
        header: str(attributes[name])
        for name, header in _ATTRIBUTE_HEADERS.items()
        if attributes.get(name) is not None
    }
    headers["content-type"] = CONTENT_TYPE
    return KafkaRecord(
        key=envelope.subject.encode(),
        value=envelope.data.model_dump_json().encode(),
        headers=headers,
    )


def to_structured(envelope: Envelope[Any]) -> bytes:
    """The event as one CloudEvents JSON document (a webhook's body): the attributes by
    their CloudEvents names, the headers' values, and ``data``."""
    headers = to_record(envelope).headers
    document: dict[str, Any] = {
        header.removeprefix("ce_"): headers[header]
        for header in _ATTRIBUTE_HEADERS.values()
        if header in headers
    }
    document["datacontenttype"] = CONTENT_TYPE
    # The Kafka binding reads a record's key as the partitioning extension: the same here.
    document["partitionkey"] = envelope.subject
    document["data"] = envelope.data.model_dump(mode="json")
    return json.dumps(document, ensure_ascii=False).encode()


def _header_map(headers: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    decoded: dict[str, str] = {}
    for name, raw in pairs:
        decoded[name] = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return decoded


def from_record(
    value: bytes | None,
    headers: Mapping[str, Any] | Iterable[tuple[str, Any]],
    registry: Mapping[str, type[EventData]] = EVENT_TYPES,
) -> Envelope[EventData]:
    """Decode a Kafka record into a typed envelope.

    Raises ``MalformedEvent`` for anything that cannot be an event of its declared type and
    ``UnknownEventType`` for a well-formed event of a type missing from ``registry``.
    """
    attributes = _attributes(_header_map(headers))
    missing = [_ATTRIBUTE_HEADERS[name] for name in _REQUIRED if name not in attributes]
    if missing:
        raise MalformedEvent("missing_headers", ", ".join(missing))
    model = registry.get(attributes["type"])
    if model is None:
        raise UnknownEventType(attributes["type"])
    try:
        schema_version = int(attributes.get("schema_version", str(model.schema_version)))
    except ValueError as error:
        raise MalformedEvent("invalid_header", f"ce_schemaversion: {error}") from error
    if schema_version != model.schema_version:
        raise MalformedEvent(
            "unsupported_schema_version",
            f"{attributes['type']} v{schema_version}, this consumer reads v{model.schema_version}",
        )
    if value is None:
        raise MalformedEvent("empty_body", "the record has no value")
    try:
        payload = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise MalformedEvent("invalid_json", str(error)) from error
    try:
        cause = Envelope[EventData](
            id=attributes["id"],
            type=attributes["type"],
            source=attributes["source"],
            specversion=attributes["specversion"],
            time=datetime.fromisoformat(attributes["time"]),
            subject=attributes["subject"],
            correlation_id=attributes["correlation_id"],
            causation_id=attributes.get("causation_id"),
            schema_version=schema_version,
            data=EventData(),
        )
    except (ValidationError, ValueError) as error:
        raise MalformedEvent("invalid_event", str(error)) from error
    try:
        data = model.model_validate(payload)
    except ValidationError as error:
        raise InvalidPayload(
            str(error),
            model=model,
            cause=cause,
            payload=payload,
            errors=[
                dict(item)
                for item in error.errors(
                    include_url=False, include_context=False, include_input=False
                )
            ],
        ) from error
    typed = Envelope[model]  # type: ignore[valid-type]
    return typed(**{**dict(cause), "data": data})


def _attributes(headers: dict[str, str]) -> dict[str, str]:
    return {name: headers[h] for name, h in _ATTRIBUTE_HEADERS.items() if h in headers}
