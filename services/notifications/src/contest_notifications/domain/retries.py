"""When a failed delivery is tried again: exponential backoff with full jitter, so that
many messages failing at once (a provider outage) do not all come back at once."""

from __future__ import annotations

import random


def retry_delay_s(attempt: int, base_s: float, cap_s: float, draw: random.Random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1 for the first)."""
    return draw.uniform(0, min(cap_s, base_s * 2 ** (attempt - 1)))
