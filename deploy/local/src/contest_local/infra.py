"""Where Kafka and MongoDB are: the one place that decides, for tests and local runs alike.

For each of the two, in this order:

1. the environment names it (``KAFKA_BOOTSTRAP_SERVERS`` / ``MONGODB_URI``): use it;
2. a Docker engine answers: start a container (``apache/kafka`` in KRaft mode, ``mongo``);
3. otherwise: start the embedded local process (Tansu broker, nx-27017 server).

Whatever was started is stopped on exit. Topics of the catalogue are created idempotently.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from contest_contracts.topics import CATALOGUE, Topic, topics_to_create
from contest_local import containers, embedded
from contest_runtime.kafka import ensure_topics

log = logging.getLogger(__name__)

TANSU_SESSION_TIMEOUT_MS = 3000
"""Tansu holds a group's first join for about half the session timeout: keep it short."""

ENVIRONMENT = "environment"
CONTAINER = "container"
EMBEDDED = "embedded"


@dataclass(frozen=True)
class Endpoints:
    """Where the broker and the store answer, and what kind of broker it is."""

    kafka_bootstrap_servers: str
    mongodb_uri: str
    kafka_enable_idempotence: bool
    kafka_session_timeout_ms: int
    kafka_origin: str
    mongodb_origin: str

    def environment(self) -> dict[str, str]:
        """The variables that point a service process at these endpoints."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap_servers,
            "KAFKA_ENABLE_IDEMPOTENCE": "true" if self.kafka_enable_idempotence else "false",
            "KAFKA_SESSION_TIMEOUT_MS": str(self.kafka_session_timeout_ms),
            "KAFKA_HEARTBEAT_INTERVAL_MS": str(self.kafka_session_timeout_ms // 6),
            "MONGODB_URI": self.mongodb_uri,
        }


@dataclass
class EmbeddedProcesses:
    """The local processes started for this run, for tests that stop or kill them."""

    kafka: embedded.LocalProcess | None = None
    mongodb: embedded.LocalProcess | None = None


@contextmanager
def running_infrastructure(
    workdir: Path,
    *,
    mongo_storage: str = "memory",
    topics: tuple[Topic, ...] = CATALOGUE,
    processes: EmbeddedProcesses | None = None,
) -> Iterator[Endpoints]:
    """Find or start Kafka and MongoDB, create ``topics`` and their dead-letter topics.

    ``mongo_storage`` applies to the embedded store: ``memory`` or a directory.
    """
    processes = processes if processes is not None else EmbeddedProcesses()
    with ExitStack() as stack:
        docker = None  # asked at most once, and only when something must be started

        def use_containers() -> bool:
            nonlocal docker
            if docker is None:
                docker = containers.docker_engine_answers()
            return docker

        session_timeout_ms = 10_000
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if kafka:
            kafka_origin = ENVIRONMENT
            idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() == "true"
            # Passed on to every service as it is given, like the broker's address.
            session_timeout_ms = int(os.environ.get("KAFKA_SESSION_TIMEOUT_MS", "10000"))
        elif use_containers():
            container, kafka = containers.kafka_container()
            stack.callback(container.stop)
            kafka_origin, idempotence = CONTAINER, True
        else:
            processes.kafka = embedded.tansu_broker(workdir)
            processes.kafka.start()
            stack.callback(processes.kafka.stop)
            kafka, kafka_origin, idempotence = processes.kafka.address, EMBEDDED, False
            session_timeout_ms = TANSU_SESSION_TIMEOUT_MS

        mongodb = os.environ.get("MONGODB_URI")
        if mongodb:
            mongodb_origin = ENVIRONMENT
        elif use_containers():
            container, mongodb = containers.mongo_container()
            stack.callback(container.stop)
            mongodb_origin = CONTAINER
        else:
            processes.mongodb = embedded.nx_mongodb(workdir, storage=mongo_storage)
            processes.mongodb.start()
            stack.callback(processes.mongodb.stop)
            mongodb, mongodb_origin = f"mongodb://{processes.mongodb.address}", EMBEDDED

        asyncio.run(ensure_topics(kafka, topics_to_create(topics)))
        endpoints = Endpoints(
            kafka, mongodb, idempotence, session_timeout_ms, kafka_origin, mongodb_origin
        )
        log.info("infrastructure ready", extra={"endpoints": endpoints})
        yield endpoints
