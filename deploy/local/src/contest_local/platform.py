"""Start every service as its own process against the given broker and store."""

from __future__ import annotations

import http.client
import json
import os
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from contest_contracts.topics import PLATFORM_SERVICES
from contest_local.embedded import LocalProcess, free_port, port_answers
from contest_local.infra import Endpoints

DEFAULT_PORTS = {"intake": 8001, "judging": 8002, "voting": 8003, "notifications": 8004}


@dataclass(frozen=True)
class RunningService:
    """A service process and where its API answers."""

    name: str
    process: LocalProcess

    @property
    def url(self) -> str:
        """Base URL of the service's API."""
        return f"http://{self.process.address}"


def service_process(
    name: str, endpoints: Endpoints, workdir: Path, extra_environment: dict[str, str]
) -> LocalProcess:
    """The process of one service, on its default port when free, else on a free one."""
    port = DEFAULT_PORTS[name] if not port_answers(DEFAULT_PORTS[name]) else free_port()
    prefix = name.upper() + "_"
    environment = {
        **os.environ,
        **endpoints.environment(),
        **extra_environment,
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}HTTP_HOST": "127.0.0.1",
    }
    process = LocalProcess(
        name=name,
        command=[sys.executable, "-m", f"contest_{name}"],
        port=port,
        log_path=workdir / f"{name}.log",
        environment=environment,
    )
    return process


def wait_until_ready(service: RunningService, timeout_s: float = 60.0) -> None:
    """Poll ``/readyz`` until this service (by name: another process may hold the port)
    reports its broker and store reachable."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"{service.url}/readyz", timeout=3) as response:
                answer = json.load(response)
                if answer.get("status") == "ready" and answer.get("service") == service.name:
                    return
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
            pass
        if service.process.process is not None and service.process.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited:\n{service.process.log_tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{service.name} not ready:\n{service.process.log_tail()}")
        time.sleep(0.2)


def start_services(
    stack: ExitStack,
    endpoints: Endpoints,
    workdir: Path,
    extra_environment: dict[str, str],
    names: tuple[str, ...] = PLATFORM_SERVICES,
) -> list[RunningService]:
    """Start the services, stopped when ``stack`` closes; returns once all are ready."""
    services = []
    for name in names:
        process = service_process(name, endpoints, workdir, extra_environment)
        # A service answers once its consumers have joined their groups, which takes a
        # while on a busy broker.
        process.start(timeout_s=120)
        # Stopping leaves the consumer groups, which waits out a rebalance in progress;
        # a service bounds that by KAFKA_JOIN_TIMEOUT_S (30 s) before it is killed.
        stack.callback(process.stop, 45)
        services.append(RunningService(name, process))
    for service in services:
        wait_until_ready(service)
    return services
