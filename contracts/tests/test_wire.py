"""The envelope and its Kafka mapping (CloudEvents binary mode)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from contest_contracts.envelope import Envelope, EventData, new_event_id
from contest_contracts.events import ALL_EVENTS, StageOpened
from contest_contracts.samples import SAMPLES, STAGE_CLOSED_VARIANTS
from contest_contracts.schemas import HEADERS_SCHEMA
from contest_contracts.wire import (
    REQUIRED_HEADERS,
    InvalidPayload,
    MalformedEvent,
    UnknownEventType,
    from_record,
    to_record,
)

ALL_SAMPLES: list[EventData] = [*SAMPLES.values(), *STAGE_CLOSED_VARIANTS]


def test_every_event_type_has_a_sample() -> None:
    assert set(SAMPLES) == set(ALL_EVENTS)


@pytest.mark.parametrize("data", ALL_SAMPLES, ids=lambda d: d.event_type)
def test_every_event_round_trips_through_a_kafka_record(data: EventData) -> None:
    envelope = Envelope.of(data, source="/contest/test", subject="subject-1")
    record = to_record(envelope)

    decoded = from_record(record.value, list(record.headers.items()))

    assert decoded == envelope
    assert record.key == b"subject-1"
    assert json.loads(record.value) == data.model_dump(mode="json")
    assert record.headers["ce_type"] == data.event_type


def test_caused_event_keeps_correlation_and_names_its_cause() -> None:
    cause = Envelope.of(SAMPLES[StageOpened], source="/contest/intake", subject="c")
    effect = Envelope.of(
        SAMPLES[StageOpened], source="/contest/judging", subject="c", causation=cause
    )

    assert effect.correlation_id == cause.correlation_id == cause.id
    assert effect.causation_id == cause.id
    assert effect.id != cause.id


def test_ids_are_time_ordered_uuid7() -> None:
    ids = [new_event_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)
    # Strictly increasing within one process, also inside one millisecond.
    assert ids == sorted(ids)


def test_times_are_written_in_utc_whatever_offset_they_came_with() -> None:
    almaty = timezone(timedelta(hours=5))
    event = StageOpened(
        contest_id="c", stage="submission", opened_at=datetime(2025, 8, 1, 10, 0, tzinfo=almaty)
    )
    assert event.model_dump(mode="json")["opened_at"] == "2025-08-01T05:00:00Z"
    assert event.opened_at.tzinfo == UTC


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        StageOpened(contest_id="c", stage="submission", opened_at=datetime(2025, 8, 1))


def _valid_record() -> tuple[bytes, dict[str, str]]:
    record = to_record(Envelope.of(SAMPLES[StageOpened], source="/s", subject="c"))
    return record.value, dict(record.headers)


def test_missing_headers_are_malformed() -> None:
    value, headers = _valid_record()
    del headers["ce_id"]
    with pytest.raises(MalformedEvent) as caught:
        from_record(value, headers)
    assert caught.value.reason == "missing_headers"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe", "invalid_json"),
        (b'{"contest_id": "c"}', "invalid_event"),
        (
            b'{"contest_id": "c", "stage": "nope", "opened_at": "2025-08-01T00:00:00Z"}',
            "invalid_event",
        ),
        (
            b'{"contest_id": "c", "stage": "submission", "opened_at": "2025-08-01T00:00:00"}',
            "invalid_event",
        ),
    ],
)
def test_bad_bodies_are_malformed(body: bytes, reason: str) -> None:
    _, headers = _valid_record()
    with pytest.raises(MalformedEvent) as caught:
        from_record(body, headers)
    assert caught.value.reason == reason


def test_a_payload_its_schema_refuses_comes_with_the_envelope_and_the_field_errors() -> None:
    _, headers = _valid_record()
    body = b'{"contest_id": "c", "stage": "nope", "opened_at": "2025-08-01T00:00:00Z"}'
    with pytest.raises(InvalidPayload) as caught:
        from_record(body, headers)
    assert (caught.value.cause.id, caught.value.cause.correlation_id) == (
        headers["ce_id"],
        headers["ce_correlationid"],
    )
    assert caught.value.model is StageOpened
    assert caught.value.payload["stage"] == "nope"
    assert [(e["type"], e["loc"]) for e in caught.value.errors] == [("enum", ("stage",))]


def test_a_newer_major_schema_version_is_malformed_for_this_consumer() -> None:
    value, headers = _valid_record()
    headers["ce_schemaversion"] = "2"
    with pytest.raises(MalformedEvent) as caught:
        from_record(value, headers)
    assert caught.value.reason == "unsupported_schema_version"


def test_unknown_event_types_are_told_apart_from_malformed_ones() -> None:
    value, headers = _valid_record()
    headers["ce_type"] = "kz.contest.something.new"
    with pytest.raises(UnknownEventType):
        from_record(value, headers)


def test_unknown_payload_fields_are_ignored() -> None:
    value, headers = _valid_record()
    body = json.loads(value) | {"added_later": "by a newer producer"}
    decoded = from_record(json.dumps(body).encode(), headers)
    assert decoded.data == SAMPLES[StageOpened]


def test_the_asyncapi_headers_require_what_the_consumer_requires() -> None:
    """ce_schemaversion is written always but required by neither: a record without it is
    read as the type's current major version (the AsyncAPI document once required it)."""
    assert HEADERS_SCHEMA["required"] == list(REQUIRED_HEADERS)
    assert "ce_schemaversion" not in REQUIRED_HEADERS
    data = SAMPLES[StageOpened]
    record = to_record(Envelope.of(data, source="/ministry/mtszn", subject="s"))
    headers = {k: v for k, v in record.headers.items() if k != "ce_schemaversion"}
    assert from_record(record.value, headers).schema_version == data.schema_version
