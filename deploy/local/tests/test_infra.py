"""Where Kafka and MongoDB come from, and topics created from the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from contest_contracts.topics import CATALOGUE, VOTES, topics_to_create
from contest_local import containers, infra
from contest_local.embedded import LocalProcess, free_port, port_answers
from contest_local.infra import Endpoints, running_infrastructure
from contest_runtime.kafka import ensure_topics


def test_endpoints_named_in_the_environment_are_used_as_they_are(
    infrastructure: Endpoints, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafka_bootstrap_servers)
    monkeypatch.setenv("KAFKA_ENABLE_IDEMPOTENCE", "false")
    monkeypatch.setenv("KAFKA_SESSION_TIMEOUT_MS", "3000")  # Tansu's: a short first join
    monkeypatch.setenv("MONGODB_URI", infrastructure.mongodb_uri)
    monkeypatch.setattr(containers, "docker_engine_answers", lambda: pytest.fail("asked Docker"))

    with running_infrastructure(tmp_path) as endpoints:
        assert endpoints.kafka_bootstrap_servers == infrastructure.kafka_bootstrap_servers
        assert endpoints.mongodb_uri == infrastructure.mongodb_uri
        assert (endpoints.kafka_origin, endpoints.mongodb_origin) == ("environment", "environment")
        assert endpoints.kafka_enable_idempotence is False
        assert endpoints.kafka_session_timeout_ms == 3000
        assert endpoints.environment()["KAFKA_SESSION_TIMEOUT_MS"] == "3000"
    assert not list(tmp_path.iterdir())  # nothing was started


def test_without_environment_or_docker_the_embedded_processes_start_and_stop(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("MONGODB_URI", raising=False)
    monkeypatch.setattr(containers, "docker_engine_answers", lambda: False)
    processes = infra.EmbeddedProcesses()

    with running_infrastructure(tmp_path, processes=processes, topics=(VOTES,)) as endpoints:
        assert (endpoints.kafka_origin, endpoints.mongodb_origin) == ("embedded", "embedded")
        assert endpoints.kafka_enable_idempotence is False  # Tansu's memory engine refuses it
        assert processes.kafka is not None and processes.mongodb is not None
        kafka_port, mongo_port = processes.kafka.port, processes.mongodb.port
        assert port_answers(kafka_port) and port_answers(mongo_port)
        assert endpoints.environment()["KAFKA_BOOTSTRAP_SERVERS"] == f"127.0.0.1:{kafka_port}"

    assert not port_answers(kafka_port) and not port_answers(mongo_port)
    assert (tmp_path / "kafka.log").exists() and (tmp_path / "mongodb.log").exists()


def test_a_process_that_dies_at_start_reports_its_log(tmp_path: Path) -> None:
    broken = LocalProcess(
        name="broken",
        command=["python3", "-c", "import sys; print('bad flag --x'); sys.exit(3)"],
        port=free_port(),
        log_path=tmp_path / "broken.log",
    )
    with pytest.raises(RuntimeError, match="bad flag --x"):
        broken.start(timeout_s=5)


async def test_topics_are_created_from_the_catalogue_once(infrastructure: Endpoints) -> None:
    bootstrap = infrastructure.kafka_bootstrap_servers
    assert await ensure_topics(bootstrap, topics_to_create()) == []  # the session made them

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        described = await admin.describe_topics([topic.name for topic in CATALOGUE])
    finally:
        await admin.close()
    assert {t.name for t in topics_to_create()} <= existing
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    assert partitions == {topic.name: topic.partitions for topic in CATALOGUE}


def test_create_topics_command_is_idempotent(
    infrastructure: Endpoints, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from contest_runtime.__main__ import main

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infrastructure.kafka_bootstrap_servers)
    assert main(["create-topics"]) == 0
    assert capsys.readouterr().out.startswith("0 topics created")
