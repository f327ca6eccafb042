"""The README's first command: the whole platform starts on one machine, plays an edition
(here a small one) through its APIs, prints the results, and stops cleanly; a service that
does not start stops it, one that dies is started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from contest_local.infra import Endpoints

pytestmark = pytest.mark.infra


def test_run_starts_every_service_plays_an_edition_and_stops(
    infrastructure: Endpoints, tmp_path: Path
) -> None:
    # Pointed at the session's broker and store through the environment, which is also
    # how an operator points the platform at an existing Kafka and MongoDB.
    environment = {**os.environ, **infrastructure.environment()}
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "contest_local",
            "run",
            "--once",
            "--workdir",
            str(tmp_path),
            "--applications",
            "150",
            "--voters",
            "100",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    for service in ("intake", "judging", "voting", "notifications"):
        assert f"{service}" in finished.stdout
        log = (tmp_path / f"{service}.log").read_text()
        assert "service started" in log and "service stopped" in log
    portal_log = (tmp_path / "portal.log").read_text()
    assert "portal started" in portal_log and "portal stopped" in portal_log
    # The portal's address is the first one printed: it is what a newcomer opens.
    addresses = [line for line in finished.stdout.splitlines() if "http://127.0.0.1:" in line]
    assert addresses[0].split()[0] == "portal", addresses
    assert "the public site" in output_of(finished.stdout, "Every number above")
    assert "(environment)" in finished.stdout
    assert "asyncapi.yaml" in finished.stdout
    assert "operator token" in finished.stdout
    output = finished.stdout
    assert "150 applications, 129 finalists, 100 verified voters" in output
    assert output.count("1 место") == 7 and "приз зрительских симпатий #1" in output
    assert "GET http://127.0.0.1:" in output and "/results" in output
    assert "Events per topic during the edition:" in output and "contest.votes.v1" in output
    assert (tmp_path / "auth.key").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_run_with_a_service_that_exits_during_start_stops_saying_which_and_why(
    infrastructure: Endpoints, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        **infrastructure.environment(),
        # Must be 1 or more: judging cannot start. Judging is the first service started
        # (intake asks it about jurors), so the run stops before starting the others.
        "JUDGING_HANDLER_ATTEMPTS": "0",
    }
    finished = subprocess.run(
        [*RUN, "--once", "--no-demo", "--workdir", str(tmp_path)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 1, finished.stdout + finished.stderr
    assert "judging ended (exit code 1) before it was ready" in finished.stdout
    assert "handler_attempts" in finished.stdout  # the end of its log
    assert "stopping: a service did not start" in finished.stdout
    assert "Traceback" not in finished.stderr and "platform running" not in finished.stdout


def test_run_reports_a_service_killed_after_start_and_starts_it_again(
    infrastructure: Endpoints, tmp_path: Path, unique: Callable[[str], str]
) -> None:
    name = unique("run-intake").replace("-", "_")
    environment = {
        **os.environ,
        **infrastructure.environment(),
        "INTAKE_MONGODB_DATABASE": name,
        "INTAKE_CONSUMER_GROUP": name,
    }
    command = [*RUN, "--no-demo", "--services", "intake", "--workdir", str(tmp_path)]
    with Output(command, environment) as run:
        run.wait_for("platform running", timeout_s=60)
        killed = child_running(run.process.pid, "contest_intake")
        os.kill(killed, signal.SIGKILL)
        run.wait_for("intake died (killed by SIGKILL); starting it again", timeout_s=5)
        run.wait_for("intake is running again at http://127.0.0.1:", timeout_s=60)
        assert child_running(run.process.pid, "contest_intake") != killed
        run.process.send_signal(signal.SIGINT)
        assert run.process.wait(timeout=60) == 0, run.text()
    assert run.text().rstrip().endswith("stopped")


RUN = [sys.executable, "-m", "contest_local", "run"]


def output_of(text: str, heading: str) -> str:
    """The lines of ``text`` from the one starting ``heading`` to the next empty line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return "\n".join(lines[start:end])


class Output:
    """A ``./dev run`` in the background, its output read as it comes."""

    def __init__(self, command: list[str], environment: dict[str, str]) -> None:
        self.command, self.environment = command, environment
        self.lines: list[str] = []

    def __enter__(self) -> Output:
        self.process = subprocess.Popen(
            self.command,
            env=self.environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        reading = threading.Thread(target=self.lines.extend, args=(self.process.stdout,))
        reading.daemon = True
        reading.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, words: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while words not in self.text():
            assert self.process.poll() is None, f"the run ended:\n{self.text()}"
            assert time.monotonic() < deadline, f"no {words!r} in {timeout_s}s:\n{self.text()}"
            time.sleep(0.05)


def child_running(parent: int, module: str) -> int:
    """The pid of ``parent``'s child process running ``python -m module``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent_pid = int(stat.rsplit(")", 1)[1].split()[1])
        if parent_pid == parent and module.encode() in arguments:
            return int(entry.name)
    raise AssertionError(f"no child of {parent} runs {module}")
