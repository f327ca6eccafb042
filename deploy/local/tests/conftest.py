"""The local identity provider as its own process on a free loopback port, one per test
module (``identity_flows`` has the helpers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from identity_flows import ACCOUNTS, MINISTRY, PORTAL

from contest_local.identity import LocalIdentity, identity_process


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalIdentity]:
    """A provider process with the portal, the ministry and a few accounts."""
    started = identity_process(tmp_path_factory.mktemp("identity"), (PORTAL, MINISTRY), ACCOUNTS)
    started.process.start()
    yield started
    started.process.stop()
