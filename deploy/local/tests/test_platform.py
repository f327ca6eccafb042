"""Starting services: a run accepts only its own processes, and one that does not start fails
it. Intake alone, the quickest to start, stands for every service."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from contest_local import platform
from contest_local.embedded import LOOPBACK, port_answers
from contest_local.infra import Endpoints
from contest_local.platform import ServiceFailed, start_services

pytestmark = pytest.mark.infra


@contextmanager
def another_runs_intake() -> Iterator[ThreadingHTTPServer]:
    """A foreign process on a loopback port whose ``/readyz`` says it is a ready intake, as
    another run's intake says."""

    class Readiness(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(
                {"service": "intake", "instance": "another-run", "status": "ready", "checks": {}}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Readiness)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def readiness_of(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/readyz", timeout=5) as response:
        answer: dict[str, Any] = json.load(response)
        return answer


def own_database(unique: Callable[[str], str]) -> dict[str, str]:
    name = unique("intake-run").replace("-", "_")
    return {
        "AUTH_JWT_KEY": "a-key-of-this-test-only-32-bytes-long",
        "INTAKE_MONGODB_DATABASE": name,
        "INTAKE_CONSUMER_GROUP": name,
    }


def test_a_port_another_run_took_after_the_check_is_given_up_for_a_free_one(
    infrastructure: Endpoints,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    unique: Callable[[str], str],
) -> None:
    with another_runs_intake() as foreign, ExitStack() as stack:
        taken = foreign.server_address[1]
        foreign_url = f"http://{LOOPBACK}:{taken}"
        checked: list[int] = []

        def free_when_checked(port: int, host: str = LOOPBACK) -> bool:
            # The race: the port was free when this run looked, and the other run bound it
            # just after.
            if port == taken and not checked:
                checked.append(port)
                return False
            return port_answers(port, host)

        monkeypatch.setitem(platform.DEFAULT_PORTS, "intake", taken)
        monkeypatch.setattr(platform, "port_answers", free_when_checked)

        (intake,) = start_services(
            stack, infrastructure, tmp_path, own_database(unique), names=("intake",)
        )

        assert checked == [taken]  # the run did choose the port the other run took
        assert intake.url != foreign_url
        own = readiness_of(intake.url)
        assert own["service"] == "intake" and own["status"] == "ready"
        assert own["instance"] not in (None, "another-run")
        assert readiness_of(foreign_url)["instance"] == "another-run"  # left alone
        log = (tmp_path / "intake.log").read_text()
        assert "service started" in log


def test_a_service_that_exits_during_start_fails_the_run_with_the_end_of_its_log(
    infrastructure: Endpoints, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    broken = {**own_database(unique), "INTAKE_HANDLER_ATTEMPTS": "0"}  # must be 1 or more
    with ExitStack() as stack, pytest.raises(ServiceFailed) as failure:
        start_services(stack, infrastructure, tmp_path, broken, names=("intake",))
    message = str(failure.value)
    assert message.startswith("intake ended (exit code 1) before it was ready")
    assert "handler_attempts" in message  # the log's own words for what is wrong
