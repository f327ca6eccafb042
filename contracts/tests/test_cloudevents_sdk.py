"""The official CloudEvents SDK (`cloudevents`) reads an event from the Kafka record the
platform produces (binary mode) and from the webhook body it sends (structured mode) as one
and the same event, with every attribute named as CloudEvents allows."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from cloudevents.core.bindings.kafka import KafkaMessage, from_binary
from cloudevents.core.formats.json import JSONFormat

from contest_contracts.envelope import Envelope, EventData
from contest_contracts.samples import SAMPLES, STAGE_CLOSED_VARIANTS
from contest_contracts.wire import to_record, to_structured

ATTRIBUTE_NAME = re.compile(r"^[a-z0-9]{1,20}$")
"""CloudEvents 1.0: attribute names are lowercase letters and digits (20 at most)."""


def _caused(data: EventData) -> Envelope[Any]:
    cause = Envelope.of(data, source="/ministry/mtszn", subject="request-1")
    return Envelope.of(data, source="/contest/test", subject="subject-1", causation=cause)


def _read(event: Any) -> tuple[dict[str, Any], Any]:
    data = event.get_data()
    return event.get_attributes(), json.loads(data) if isinstance(data, bytes | str) else data


@pytest.mark.parametrize(
    "data", [*SAMPLES.values(), *STAGE_CLOSED_VARIANTS], ids=lambda d: d.event_type
)
def test_the_sdk_reads_the_same_event_from_the_kafka_record_and_the_webhook_body(
    data: EventData,
) -> None:
    envelope = _caused(data)
    record = to_record(envelope)
    message = KafkaMessage(
        headers={name: value.encode() for name, value in record.headers.items()},
        key=record.key,
        value=record.value,
    )
    binary_attributes, binary_data = _read(from_binary(message, JSONFormat()))
    structured_attributes, structured_data = _read(JSONFormat().read(None, to_structured(envelope)))

    assert binary_attributes == structured_attributes
    assert binary_data == structured_data == data.model_dump(mode="json")
    assert all(ATTRIBUTE_NAME.match(name) for name in structured_attributes), structured_attributes
    assert structured_attributes["correlationid"] == envelope.correlation_id
    assert structured_attributes["causationid"] == envelope.causation_id
    assert structured_attributes["schemaversion"] == str(data.schema_version)
    assert structured_attributes["id"] == envelope.id
