"""Which ballots an operator's fraud invalidation takes out of the count.

Two kinds of selection, as investigations find fraud:

- every ballot of one voter (a phone number found to be part of a scheme);
- every ballot cast in a time window from an address range (a burst from one network).

Invalidation is final: a ballot once invalid never counts again, so the number of invalid
ballots per choice only grows (the store relies on that to keep its counters right).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Network, IPv6Network, ip_address


@dataclass(frozen=True)
class ByVoter:
    """Every ballot of one voter."""

    voter_key: str


@dataclass(frozen=True)
class ByWindow:
    """Every ballot cast in [``cast_from``, ``cast_until``) from an address in ``network``."""

    cast_from: datetime
    cast_until: datetime
    network: IPv4Network | IPv6Network

    def covers(self, client_address: str) -> bool:
        """Whether a ballot's client address lies in the range (an unparsable one does not)."""
        try:
            return ip_address(client_address) in self.network
        except ValueError:
            return False


Selection = ByVoter | ByWindow
