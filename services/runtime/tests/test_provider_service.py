"""A service built by ``create_service_app`` verifies provider tokens: its lifespan opens the
key set, its routes refuse bad tokens in the problem format, and no token reaches its logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter
from identity_provider import AUDIENCE, SigningKey, bearer, claims_for, identity_provider, tampered

from contest_runtime.auth import AuthSettings, Operator
from contest_runtime.logs import JsonFormatter
from contest_runtime.service import create_service_app
from contest_runtime.settings import InfraSettings, ServiceSettings

pytestmark = pytest.mark.infra


def operators_router() -> APIRouter:
    router = APIRouter()

    @router.get("/operations", summary="Who may call: operators.")
    async def operations(operator: Operator) -> dict[str, str]:
        return {"operator": operator.subject}

    return router


async def test_a_service_verifies_provider_tokens_and_never_logs_one(
    infra_settings: InfraSettings,
    unique: Callable[[str], str],
    app_client: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = SigningKey.new("service-key", "ES256")
    with identity_provider() as (provider, _):
        provider.publish(key)
        settings = ServiceSettings(
            mongodb_database=unique("svc"),
            consumer_group=unique("svc"),
            infra=infra_settings,
            auth=AuthSettings(
                issuer=provider.issuer,
                jwt_audience=AUDIENCE,
                roles_claim="realm_access.roles",
                # Set as `./dev run` sets it: ignored (and said so) once a provider is set.
                jwt_key="a-static-key-that-must-not-verify",
            ),
        )
        app = create_service_app(
            name="probe",
            settings=settings,
            title="t",
            description="d",
            routers=[operators_router()],
        )
        valid = key.sign(claims_for(provider.issuer, "op-1", realm_access={"roles": ["operator"]}))
        refused = {
            "tampered": tampered(valid, sub="op-2"),
            "unknown key": SigningKey.new("other").sign(claims_for(provider.issuer)),
            "not a token": "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl",
        }
        with caplog.at_level(logging.INFO):
            async with app_client(app) as http:
                assert app.state.provider_keys.key_ids == {"service-key"}
                ok = await http.get("/operations", headers=bearer(valid))
                assert (ok.status_code, ok.json()) == (200, {"operator": "op-1"})
                for case, token in refused.items():
                    response = await http.get("/operations", headers=bearer(token))
                    assert response.status_code == 401, case
                    assert response.headers["content-type"] == "application/problem+json"
                    assert response.json()["code"] == "unauthenticated"
                    assert response.json()["correlation_id"]
            assert app.state.provider_keys is None  # closed with the lifespan

    lines = [JsonFormatter("probe").format(record) for record in caplog.records]
    refusals = [line for line in lines if "bearer token refused" in line]
    assert len(refusals) == len(refused), lines  # each refusal is logged, with its reason...
    assert any("unknown key" in line and "other" in line for line in refusals)
    assert any("AUTH_JWT_KEY is ignored" in line for line in lines)
    for token in [valid, *refused.values()]:
        # ...and no token, nor its signature, is in any line.
        signature = token.rsplit(".", 1)[-1]
        assert not [line for line in lines if token in line or signature in line]
