"""A service's lifespan on the real broker and store: health, readiness, waiting at start."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter
from pymongo import AsyncMongoClient

from contest_contracts.envelope import Envelope
from contest_contracts.events import StageOpened
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import STAGES
from contest_local.embedded import LocalProcess, free_port, nx_mongodb, tansu_broker
from contest_runtime.auth import AuthSettings, Role, mint
from contest_runtime.mongo import Document
from contest_runtime.outbox import outbox_entry
from contest_runtime.service import ServiceRuntime, create_service_app
from contest_runtime.settings import InfraSettings, ServiceSettings

pytestmark = pytest.mark.infra


def settings(
    infra: InfraSettings, unique: Callable[[str], str], **infra_changes: Any
) -> ServiceSettings:
    return ServiceSettings(
        mongodb_database=unique("svc"),
        consumer_group=unique("svc"),
        infra=infra.model_copy(update=infra_changes),
        auth=AuthSettings(jwt_key="test-key"),
    )


async def test_a_service_is_live_and_ready_on_the_real_broker_and_store(
    infra_settings: InfraSettings,
    unique: Callable[[str], str],
    app_client: Any,
    mongo: AsyncMongoClient[Document],
) -> None:
    # Whoever started it names the instance; readiness says which instance answers.
    service_settings = settings(infra_settings, unique).model_copy(
        update={"instance_id": "run-7f3a"}
    )

    async def wire(runtime: ServiceRuntime) -> str:
        await runtime.db["things"].create_index("name", unique=True)
        return "context"

    app = create_service_app(
        name="probe", settings=service_settings, title="t", description="d", wire=wire
    )
    async with app_client(app) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json() == {
            "service": "probe",
            "instance": "run-7f3a",
            "status": "ready",
            "checks": {"mongodb": "ok", "kafka": "ok"},
        }
        assert app.state.context == "context"
    indexes = await mongo[service_settings.mongodb_database]["things"].index_information()
    # Matched by key, not name: nx-27017 names indexes its own way.
    assert [i.get("unique") for i in indexes.values() if i["key"] == [("name", 1)]] == [True]


async def test_readiness_fails_when_the_store_goes_away(
    infra_settings: InfraSettings, unique: Callable[[str], str], app_client: Any, tmp_path: Path
) -> None:
    store = nx_mongodb(tmp_path)
    store.start()
    try:
        app = create_service_app(
            name="probe",
            settings=settings(infra_settings, unique, mongodb_uri=f"mongodb://{store.address}"),
            title="t",
            description="d",
        )
        async with app_client(app) as http:
            assert (await http.get("/readyz")).status_code == 200
            store.kill()
            response = await http.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["mongodb"].startswith("unreachable")
            assert response.json()["checks"]["kafka"] == "ok"
            assert (await http.get("/healthz")).status_code == 200
    finally:
        store.stop()


@pytest.mark.parametrize(
    ("setting", "address", "dependency"),
    [
        ("mongodb_uri", "mongodb://127.0.0.1:{port}", nx_mongodb),
        ("kafka_bootstrap_servers", "127.0.0.1:{port}", tansu_broker),
    ],
    ids=["store", "broker"],
)
async def test_a_service_started_before_its_store_or_broker_waits_for_it(
    setting: str,
    address: str,
    dependency: Callable[..., LocalProcess],
    infra_settings: InfraSettings,
    unique: Callable[[str], str],
    app_client: Any,
    tmp_path: Path,
) -> None:
    port = free_port()
    app = create_service_app(
        name="probe",
        settings=settings(infra_settings, unique, **{setting: address.format(port=port)}),
        title="t",
        description="d",
    )
    late_process = dependency(tmp_path, port=port)

    async def start_later() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(late_process.start)

    late = asyncio.create_task(start_later())
    try:
        async with app_client(app) as http:
            assert late_process.process is not None  # the app could only start after it
            assert (await http.get("/readyz")).status_code == 200
    finally:
        await late
        late_process.stop()


async def test_a_service_gives_up_when_its_store_never_comes(
    infra_settings: InfraSettings, unique: Callable[[str], str], app_client: Any
) -> None:
    app = create_service_app(
        name="probe",
        settings=settings(
            infra_settings,
            unique,
            mongodb_uri=f"mongodb://127.0.0.1:{free_port()}",
            startup_timeout_s=1.0,
        ),
        title="t",
        description="d",
    )
    with pytest.raises(RuntimeError, match="MongoDB unreachable"):
        async with app_client(app):
            pass


async def test_metrics_are_shown_to_operators_only(
    infra_settings: InfraSettings, unique: Callable[[str], str], app_client: Any
) -> None:
    service_settings = settings(infra_settings, unique)
    app = create_service_app(name="probe", settings=service_settings, title="t", description="d")

    def bearer(role: Role) -> dict[str, str]:
        token = mint(service_settings.auth, subject="someone", roles=[role])
        return {"Authorization": f"Bearer {token}"}

    async with app_client(app) as http:
        assert (await http.get("/metrics")).status_code == 401
        assert (await http.get("/metrics", headers=bearer(Role.APPLICANT))).status_code == 403
        shown = await http.get("/metrics", headers=bearer(Role.OPERATOR))
    assert shown.status_code == 200
    assert shown.headers["content-type"].startswith("text/plain")
    assert "# TYPE contest_outbox_dead_letters_total counter" in shown.text


async def test_a_change_whose_event_is_too_large_is_a_413_on_every_service(
    infra_settings: InfraSettings, unique: Callable[[str], str], app_client: Any
) -> None:
    router = APIRouter()

    @router.post("/things")
    async def change() -> None:
        outbox_entry(STAGES, Envelope.of(SAMPLES[StageOpened], source="/t", subject="c" * 600_000))

    app = create_service_app(
        name="probe",
        settings=settings(infra_settings, unique),
        title="t",
        description="d",
        routers=[router],
    )
    async with app_client(app) as http:
        answer = await http.post("/things")
    assert answer.status_code == 413
    assert answer.json()["code"] == "event_too_large"
