"""Watching the services of a run once they have started.

A service that dies is reported at once, with the end of its log, and started again as it
was: same port, database, consumer group and instance id, so it resumes from its group's
committed offsets and its outbox. That is done at most :data:`RESTARTS` times per service; a
further death, or a restart that does not become ready, stops the run with a message saying
which service and why. A service that keeps dying has a cause that restarting will not cure.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from contest_local.platform import (
    START_TIMEOUT_S,
    STOP_TIMEOUT_S,
    RunningService,
    ServiceFailed,
    how_it_ended,
    wait_until_ready,
)

RESTARTS = 3
"""Restarts of one service in one run before the run stops."""


def _report(message: str) -> None:
    print(message, flush=True)


class Supervision:
    """One watcher thread per service; :meth:`stop` before the services are stopped, or it
    would take their stopping for deaths."""

    def __init__(
        self,
        services: list[RunningService],
        *,
        restarts: int = RESTARTS,
        report: Callable[[str], None] = _report,
        on_failure: Callable[[], None] = lambda: None,
        interval_s: float = 0.5,
    ) -> None:
        self.restarts = restarts
        self.report = report
        self.on_failure = on_failure
        self.interval_s = interval_s
        self.failure: str | None = None
        """Why the run must stop: a service that stayed dead. None while all run."""
        self.restarted: dict[str, int] = {service.name: 0 for service in services}
        self._stopping = threading.Event()
        self._spawning = threading.Lock()  # no process is started once stop() has returned
        self._threads = [
            threading.Thread(
                target=self._watch, args=(service,), name=f"watch-{service.name}", daemon=True
            )
            for service in services
        ]

    def start(self) -> None:
        """Start watching."""
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop watching; a restart under way is abandoned (its process is left to whoever
        stops the services)."""
        with self._spawning:
            self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=10)

    def _watch(self, service: RunningService) -> None:
        while not self._stopping.wait(self.interval_s):
            exit_code = service.process.exit_code
            if exit_code is not None and not self._bring_back(service, exit_code):
                if not self._stopping.is_set():
                    self.on_failure()
                return

    def _bring_back(self, service: RunningService, exit_code: int) -> bool:
        """Start a dead service again, if it has restarts left; whether it runs again."""
        process = service.process
        died = f"{service.name} died ({how_it_ended(exit_code)})"
        log = f"the end of its log ({process.log_path}):\n{process.log_tail(20)}"
        done = self.restarted[service.name]
        if done >= self.restarts:
            return self._fail(f"{died} with no restart left ({done} used); the run stops. {log}")
        self.restarted[service.name] = done + 1
        self.report(
            f"{died}; starting it again on its database and consumer group "
            f"(restart {done + 1} of {self.restarts}). {log}"
        )
        with self._spawning:
            if self._stopping.is_set():
                return True
            process.spawn()
        try:
            wait_until_ready(service, START_TIMEOUT_S, self._stopping)
        except ServiceFailed as failure:
            if self._stopping.is_set():
                return True
            process.stop(STOP_TIMEOUT_S)
            return self._fail(f"{service.name} did not start again; the run stops. {failure}")
        self.report(f"{service.name} is running again at {service.url}")
        return True

    def _fail(self, message: str) -> bool:
        self.failure = message
        self.report(message)
        return False
