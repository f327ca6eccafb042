"""A service that dies after start is reported at once and started again as it was, a bounded
number of times; then the run is told to stop. Intake stands for every service."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import pytest

from contest_local.infra import Endpoints
from contest_local.platform import readiness, start_services
from contest_local.supervision import Supervision

pytestmark = pytest.mark.infra


def until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"not met in {timeout_s}s"
        time.sleep(0.05)


def test_a_service_killed_after_start_is_reported_started_again_then_the_run_stops(
    infrastructure: Endpoints, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("intake-watched").replace("-", "_")
    environment = {
        "AUTH_JWT_KEY": "a-key-of-this-test-only-32-bytes-long",
        "INTAKE_MONGODB_DATABASE": name,
        "INTAKE_CONSUMER_GROUP": name,
    }
    messages: list[str] = []
    failed = threading.Event()
    with ExitStack() as stack:
        (intake,) = start_services(stack, infrastructure, tmp_path, environment, ("intake",))
        started_as = dict(intake.process.environment or {})
        supervision = Supervision(
            [intake], restarts=1, report=messages.append, on_failure=failed.set, interval_s=0.1
        )
        supervision.start()
        stack.callback(supervision.stop)
        first = intake.process.process
        assert first is not None

        intake.process.kill()
        until(lambda: len(messages) >= 1, timeout_s=2)  # at once
        assert messages[0].startswith(
            "intake died (killed by SIGKILL); starting it again on its database and consumer "
            "group (restart 1 of 1)"
        )
        until(lambda: len(messages) >= 2, timeout_s=60)
        assert messages[1] == f"intake is running again at {intake.url}"
        assert intake.process.process is not first and intake.process.exit_code is None
        assert intake.process.environment == started_as  # same port, database, group, instance
        answer = readiness(intake.url)
        assert answer is not None and answer["status"] == "ready"
        assert answer["instance"] == intake.instance
        assert not failed.is_set() and supervision.failure is None

        intake.process.kill()  # its one restart is spent: the run must stop
        assert failed.wait(timeout=2)
        assert supervision.failure is not None
        assert supervision.failure.startswith(
            "intake died (killed by SIGKILL) with no restart left (1 used); the run stops."
        )
        assert str(tmp_path / "intake.log") in supervision.failure
        assert messages[-1] == supervision.failure
        assert intake.process.exit_code is not None  # left dead


def test_stopping_the_services_is_not_taken_for_deaths(
    infrastructure: Endpoints, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("intake-stopped").replace("-", "_")
    environment = {
        "AUTH_JWT_KEY": "a-key-of-this-test-only-32-bytes-long",
        "INTAKE_MONGODB_DATABASE": name,
        "INTAKE_CONSUMER_GROUP": name,
    }
    messages: list[str] = []
    with ExitStack() as stack:
        (intake,) = start_services(stack, infrastructure, tmp_path, environment, ("intake",))
        supervision = Supervision([intake], report=messages.append, interval_s=0.05)
        supervision.start()
        stack.callback(supervision.stop)  # unwound first, as in a run
    assert intake.process.exit_code is not None
    time.sleep(0.2)
    assert messages == [] and supervision.failure is None
