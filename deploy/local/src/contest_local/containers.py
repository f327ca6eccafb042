"""Kafka and MongoDB in containers (testcontainers), where a Docker engine answers.

Kafka is the official ``apache/kafka`` image in KRaft mode (one broker that is also its
controller); MongoDB is the official ``mongo`` image. Both bind a free loopback port.
"""

from __future__ import annotations

from typing import Any

from contest_local.embedded import LOOPBACK, free_port

KAFKA_IMAGE = "apache/kafka:4.1.1"
MONGO_IMAGE = "mongo:8.0"


def docker_engine_answers() -> bool:
    """Whether a Docker engine is reachable from here (a client alone is not enough)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def kafka_container() -> tuple[Any, str]:
    """Start ``apache/kafka`` in KRaft mode; returns the container and its bootstrap address.

    The advertised listener must name the address clients use, which is only known for a
    port chosen before start: so the host port is picked first and bound explicitly.
    """
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.wait_strategies import LogMessageWaitStrategy

    port = free_port()
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_bind_ports(9092, port)
        .with_envs(
            KAFKA_NODE_ID="1",
            KAFKA_PROCESS_ROLES="broker,controller",
            KAFKA_LISTENERS="PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
            KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://{LOOPBACK}:{port}",
            KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
            KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
            KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
            KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
            KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
            KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
        )
        .waiting_for(LogMessageWaitStrategy("Kafka Server started"))
    )
    container.start()
    return container, f"{LOOPBACK}:{port}"


def mongo_container() -> tuple[Any, str]:
    """Start the official ``mongo`` image; returns the container and its URI."""
    from testcontainers.community.mongodb import MongoDbContainer

    container = MongoDbContainer(MONGO_IMAGE)
    container.start()
    return container, container.get_connection_url()
