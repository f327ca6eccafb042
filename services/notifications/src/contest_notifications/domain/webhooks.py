"""Webhooks for regional systems: which events a subscription receives, and how each
delivery is signed.

A delivery's body is the event itself (the CloudEvents JSON of the Kafka record). It is
signed with HMAC-SHA256 over ``"{timestamp}.{body}"`` under the subscription's secret; the
receiver recomputes it, compares in constant time, and refuses old timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

SIGNATURE_HEADER = "X-Contest-Signature"
TIMESTAMP_HEADER = "X-Contest-Timestamp"
EVENT_HEADER = "X-Contest-Event-Id"
DELIVERY_HEADER = "X-Contest-Delivery"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``v1=<hex>``: the signature of a body sent at ``timestamp`` (Unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"v1={digest.hexdigest()}"


def signature_valid(secret: str, timestamp: int, body: bytes, received: str) -> bool:
    """What a receiver checks (constant time)."""
    return hmac.compare_digest(signature(secret, timestamp, body), received)


def regions_of(data: Any) -> set[str]:
    """Every region an event's data names (empty for a national event)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "region_code" and isinstance(value, str):
                found.add(value)
            else:
                found |= regions_of(value)
    elif isinstance(data, list):
        for item in data:
            found |= regions_of(item)
    return found


def wanted(
    event_type: str,
    event_regions: set[str],
    subscribed_types: Iterable[str],
    subscribed_regions: Iterable[str] | None,
) -> bool:
    """Whether a subscription receives an event: its type is subscribed, and the event is
    national or names one of the subscribed regions (no regions: every event)."""
    if event_type not in set(subscribed_types):
        return False
    if subscribed_regions is None or not event_regions:
        return True
    return bool(event_regions & set(subscribed_regions))
