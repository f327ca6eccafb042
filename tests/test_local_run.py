"""The README's first command: the whole platform starts on one machine, plays an edition
(here a small one) through its APIs, prints the results, and stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
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
    assert "(environment)" in finished.stdout
    assert "asyncapi.yaml" in finished.stdout
    assert "operator token" in finished.stdout
    output = finished.stdout
    assert "150 applications, 129 finalists, 100 verified voters" in output
    assert output.count("1 место") == 7 and "приз зрительских симпатий #1" in output
    assert "GET http://127.0.0.1:" in output and "/results" in output
    assert "Events per topic during the edition:" in output and "contest.votes.v1" in output
    assert (tmp_path / "auth.key").stat().st_mode & 0o077 == 0  # readable by its owner only
