"""Start every service as its own process against the given broker and store.

A port found free can be taken by another run before the service binds it; that run's
service of the same name then answers on it. So each process is started with an instance id
of its run (``<PREFIX>INSTANCE_ID``), and only a ``/readyz`` that answers that id is this
run's service. A port found taken is given up for a free one, a few times.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contest_contracts.topics import PLATFORM_SERVICES
from contest_local.embedded import LocalProcess, free_port, port_answers
from contest_local.infra import Endpoints

DEFAULT_PORTS = {
    "intake": 8001,
    "judging": 8002,
    "voting": 8003,
    "notifications": 8004,
    "portal": 8005,
}

PORTAL = "portal"
"""The people's web pages: no party to any topic, it reads the other services' APIs."""

RUN_SERVICES = (*PLATFORM_SERVICES, PORTAL)
"""What a run starts unless told otherwise: the platform's services, then the portal."""

START_TIMEOUT_S = 120.0
"""A service answers once its consumers have joined their groups, which takes a while on a
busy broker, and after a crash includes waiting out the dead member's session."""

STOP_TIMEOUT_S = 45.0
"""Stopping leaves the consumer groups, which waits out a rebalance in progress; a service
bounds that by KAFKA_JOIN_TIMEOUT_S (30 s) before it is killed."""

PORT_ATTEMPTS = 3
"""Ports tried for one service before the run gives up: each is found free, then lost only
if another process binds it in the moment between."""


class ServiceFailed(RuntimeError):
    """A service of this run did not become ready, or died and was not brought back."""


class PortTaken(ServiceFailed):
    """Another process answers on the port a service of this run was started on."""


@dataclass(frozen=True)
class RunningService:
    """A service process and where its API answers."""

    name: str
    process: LocalProcess

    @property
    def url(self) -> str:
        """Base URL of the service's API."""
        return f"http://{self.process.address}"

    @property
    def instance(self) -> str | None:
        """The instance id the process was started with (None: it was given none)."""
        return (self.process.environment or {}).get(instance_variable(self.name))


def instance_variable(name: str) -> str:
    """The variable that gives service ``name`` its instance id."""
    return f"{name.upper()}_INSTANCE_ID"


def service_process(
    name: str,
    endpoints: Endpoints,
    workdir: Path,
    extra_environment: dict[str, str],
    *,
    instance: str | None = None,
    port: int | None = None,
) -> LocalProcess:
    """The process of one service, on ``port``, else on its default port when free, else on a
    free one; ``instance`` (a fresh one when not given) is what its ``/readyz`` answers."""
    if port is None:
        port = port_for(name)
    prefix = name.upper() + "_"
    environment = {
        **os.environ,
        **endpoints.environment(),
        **extra_environment,
        f"{prefix}HTTP_PORT": str(port),
        f"{prefix}HTTP_HOST": "127.0.0.1",
        instance_variable(name): instance or secrets.token_hex(8),
    }
    return LocalProcess(
        name=name,
        command=[sys.executable, "-m", f"contest_{name}"],
        port=port,
        log_path=workdir / f"{name}.log",
        environment=environment,
    )


def port_for(name: str) -> int:
    """A service's default port when it is free, else a free one."""
    return DEFAULT_PORTS[name] if not port_answers(DEFAULT_PORTS[name]) else free_port()


def how_it_ended(exit_code: int) -> str:
    """An exit code in words: ``exit code 1``, ``killed by SIGKILL``."""
    if exit_code < 0:
        try:
            return f"killed by {signal.Signals(-exit_code).name}"
        except ValueError:
            return f"killed by signal {-exit_code}"
    return f"exit code {exit_code}"


def readiness(url: str) -> dict[str, Any] | None:
    """What ``url``'s ``/readyz`` answers, a 503 included; ``{}`` for an HTTP answer that is
    not a readiness report; None when nothing answers (yet)."""
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=3) as response:
            body = response.read()
    except urllib.error.HTTPError as refusal:
        body = refusal.read()
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def wait_until_ready(
    service: RunningService,
    timeout_s: float = 60.0,
    stopping: threading.Event | None = None,
) -> None:
    """Poll ``/readyz`` until this very process (its name and instance id: another run's
    service may hold the port) reports its broker and store reachable.

    Raises :class:`PortTaken` when another process answers on the port, and
    :class:`ServiceFailed` when the process exits, is not ready in time, or ``stopping`` is set.
    """
    deadline = time.monotonic() + timeout_s
    process = service.process
    while True:
        answer = readiness(service.url)
        if answer is not None:
            ours = answer.get("service") == service.name and (
                service.instance is None or answer.get("instance") == service.instance
            )
            if not ours:
                # Nothing of ours answers before it is bound, and once bound only it does.
                raise PortTaken(
                    f"{service.name}: port {process.port} is another process's (its /readyz "
                    f"answers service {answer.get('service')!r}, instance "
                    f"{answer.get('instance')!r}; this run's is {service.instance!r})"
                )
            if answer.get("status") == "ready":
                return
        if process.exit_code is not None:
            if port_answers(process.port):
                raise PortTaken(
                    f"{service.name}: port {process.port} is another process's; this run's "
                    f"{service.name} ended ({how_it_ended(process.exit_code)}):\n"
                    f"{process.log_tail()}"
                )
            raise ServiceFailed(
                f"{service.name} ended ({how_it_ended(process.exit_code)}) before it was ready; "
                f"the end of its log ({process.log_path}):\n{process.log_tail()}"
            )
        if stopping is not None and stopping.is_set():
            raise ServiceFailed(f"{service.name}: the run is stopping")
        if time.monotonic() > deadline:
            raise ServiceFailed(
                f"{service.name} not ready in {timeout_s:.0f}s; the end of its log "
                f"({process.log_path}):\n{process.log_tail()}"
            )
        time.sleep(0.2)


def start_service(
    name: str,
    endpoints: Endpoints,
    workdir: Path,
    extra_environment: dict[str, str],
    instance: str,
    port: int | None = None,
) -> RunningService:
    """Start one service and return once it is ready; a port that turns out to be another
    process's is given up for a free one, up to :data:`PORT_ATTEMPTS` ports, unless ``port``
    was given (others were told it: the identity provider, of the portal's address)."""
    fixed = port is not None
    for _ in range(PORT_ATTEMPTS):
        process = service_process(
            name, endpoints, workdir, extra_environment, instance=instance, port=port
        )
        service = RunningService(name, process)
        process.spawn()
        try:
            wait_until_ready(service, START_TIMEOUT_S)
            return service
        except PortTaken as taken:
            process.stop(STOP_TIMEOUT_S)
            if fixed:
                raise ServiceFailed(f"{name}: {taken}") from taken
            print(f"  {taken}; trying a free port", flush=True)
            port = free_port()
        except BaseException:
            process.stop(STOP_TIMEOUT_S)
            raise
    raise ServiceFailed(f"{name}: {PORT_ATTEMPTS} ports in a row were taken by other processes")


def start_services(
    stack: ExitStack,
    endpoints: Endpoints,
    workdir: Path,
    extra_environment: dict[str, str],
    names: tuple[str, ...] = PLATFORM_SERVICES,
    ports: dict[str, int] | None = None,
) -> list[RunningService]:
    """Start the services, one after the other, stopped when ``stack`` closes; returns once
    all are ready (on the ``ports`` given, where given). Raises :class:`ServiceFailed` (with
    the end of its log) for one that does not start."""
    instance = secrets.token_hex(8)  # this run's: every service of it answers the same id
    ports = ports or {}
    # Intake asks judging about jurors: judging starts first, and intake is told where it
    # answers (a port fixed beforehand could be taken meanwhile).
    tell_intake = "INTAKE_JUDGING_URL" not in extra_environment
    order = sorted(names, key=lambda name: name != "judging") if tell_intake else list(names)
    started: dict[str, RunningService] = {}
    for name in order:
        environment = extra_environment
        if name == "intake" and tell_intake and "judging" in started:
            environment = {**extra_environment, "INTAKE_JUDGING_URL": started["judging"].url}
        port = ports.get(name)
        service = start_service(name, endpoints, workdir, environment, instance, port)
        stack.callback(service.process.stop, STOP_TIMEOUT_S)
        started[name] = service
    return [started[name] for name in names]


def portal_environment(services: list[RunningService], session_secret: str) -> dict[str, str]:
    """What the portal needs: where this run's services answer, and its session secret."""
    environment = {f"PORTAL_{s.name.upper()}_URL": s.url for s in services if s.name != PORTAL}
    environment["PORTAL_SESSION_SECRET"] = session_secret
    return environment
