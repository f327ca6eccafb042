"""Failed sign-ins limited per account and per client address, in a sliding window.

A limited attempt is refused before its password is checked, so guessing on stops even
for a guess that would be right, until the window has passed.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW_S = 15 * 60
PER_ACCOUNT = 5
PER_ADDRESS = 20


@dataclass
class Attempts:
    """Recent failures by account and by address."""

    window_s: float = WINDOW_S
    per_account: int = PER_ACCOUNT
    per_address: int = PER_ADDRESS
    clock: Callable[[], float] = time.monotonic
    _by_account: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _by_address: defaultdict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def limited(self, username: str, address: str) -> bool:
        """Whether an attempt for ``username`` from ``address`` is refused unchecked."""
        return (
            self._recent(self._by_account, username.casefold()) >= self.per_account
            or self._recent(self._by_address, address) >= self.per_address
        )

    def failed(self, username: str, address: str) -> None:
        """Count a failed attempt (an unknown username counts as a wrong password)."""
        now = self.clock()
        self._by_account[username.casefold()].append(now)
        self._by_address[address].append(now)

    def _recent(self, failures: defaultdict[str, deque[float]], key: str) -> int:
        if key not in failures:
            return 0
        kept = failures[key]
        while kept and kept[0] <= self.clock() - self.window_s:
            kept.popleft()
        if not kept:
            del failures[key]
            return 0
        return len(kept)
