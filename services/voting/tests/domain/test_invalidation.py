"""Which client addresses an invalidation's address range covers."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_network

import pytest

from contest_voting.domain.invalidation import ByWindow

WINDOW = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    ("network", "address", "covered"),
    [
        ("10.1.0.0/16", "10.1.255.254", True),
        ("10.1.0.0/16", "10.2.0.1", False),
        ("2001:db8::/32", "2001:db8:1::5", True),
        ("10.1.0.0/16", "2001:db8::1", False),
        ("10.1.0.0/16", "unknown", False),
    ],
)
def test_an_address_range_covers_its_own_addresses_only(
    network: str, address: str, covered: bool
) -> None:
    assert ByWindow(*WINDOW, ip_network(network)).covers(address) is covered
