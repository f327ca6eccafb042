"""How large a Kafka record is, and the largest one a service writes.

Measured as aiokafka's producer measures it before it sends (key, value, headers and the
batch overhead), so a record found small enough here is not refused by the client for its
size. The largest size is the deployment's ``KAFKA_MAX_RECORD_BYTES``, set once per process
by the service's lifespan (every service of a process talks to the same broker).
"""

from __future__ import annotations

from aiokafka.record.default_records import DefaultRecordBatchBuilder

from contest_runtime.settings import MAX_RECORD_BYTES

_limit = {"bytes": MAX_RECORD_BYTES}


class RecordTooLarge(ValueError):
    """An event whose record would be larger than the broker takes: the change that causes
    it is refused before anything is stored."""

    def __init__(self, topic: str, event_type: str, size: int, limit: int) -> None:
        super().__init__(
            f"a {event_type} event on {topic} would be {size} bytes; the broker takes "
            f"at most {limit}"
        )
        self.topic = topic
        self.event_type = event_type
        self.size = size
        self.limit = limit


def record_bytes(key: bytes | None, value: bytes | None, headers: dict[str, str]) -> int:
    """Bytes of one record in a produce request, as the producer counts them."""
    size: int = DefaultRecordBatchBuilder.estimate_size_in_bytes(
        key, value, [(name, text.encode()) for name, text in headers.items()]
    )
    return size


def max_record_bytes() -> int:
    """The largest record this process writes."""
    return _limit["bytes"]


def limit_records(max_bytes: int) -> None:
    """Set the largest record this process writes (from ``KAFKA_MAX_RECORD_BYTES``)."""
    _limit["bytes"] = max_bytes
