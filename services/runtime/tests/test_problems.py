"""Every HTTP error is an RFC 9457 problem with a stable code; correlation ids travel."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI
from httpx import ASGITransport, AsyncClient
from pydantic import BaseModel

from contest_runtime.problems import PROBLEM_MEDIA_TYPE, ProblemError, install_problem_handlers
from contest_runtime.service import CorrelationIdMiddleware


class Ballot(BaseModel):
    nomination_code: str
    application_id: str


def problem_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(CorrelationIdMiddleware)

    @app.post("/ballots")
    async def cast(ballot: Ballot) -> dict[str, str]:
        if ballot.application_id == "taken":
            raise ProblemError(409, "already_voted", "Already voted", "One vote per nomination.")
        return {"ok": "yes"}

    @app.get("/ballots")
    async def ballots() -> list[str]:
        return []

    # A path with methods in two routers, as a service's routers often have.
    later = APIRouter()

    @later.put("/ballots")
    async def replace() -> None:
        return None

    app.include_router(later)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    return app


@pytest.fixture
async def http() -> AsyncClient:
    transport = ASGITransport(app=problem_app(), raise_app_exceptions=False)
    return AsyncClient(transport=transport, base_url="http://test")


async def test_a_raised_problem_is_rendered_with_its_code(http: AsyncClient) -> None:
    response = await http.post(
        "/ballots",
        json={"nomination_code": "n", "application_id": "taken"},
        headers={"X-Correlation-Id": "corr-42"},
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["x-correlation-id"] == "corr-42"
    body = response.json()
    assert body["code"] == "already_voted"
    assert body["type"].endswith("/already_voted")
    assert body["status"] == 409
    assert body["instance"] == "/ballots"
    assert body["correlation_id"] == "corr-42"


async def test_invalid_fields_are_listed(http: AsyncClient) -> None:
    response = await http.post("/ballots", json={"nomination_code": 5})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_failed"
    kinds = {tuple(e["location"]): e["kind"] for e in body["errors"]}
    assert kinds == {
        ("body", "nomination_code"): "string_type",
        ("body", "application_id"): "missing",
    }


async def test_malformed_json_has_its_own_code(http: AsyncClient) -> None:
    response = await http.post(
        "/ballots", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "malformed_json"


async def test_unknown_routes_and_methods_are_problems(http: AsyncClient) -> None:
    missing = await http.get("/nowhere")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    wrong = await http.delete("/ballots")
    assert (wrong.status_code, wrong.json()["code"]) == (405, "method_not_allowed")


async def test_a_wrong_method_is_told_every_method_of_the_path(http: AsyncClient) -> None:
    # Starlette names only the methods of the first route whose path matches.
    wrong = await http.patch("/ballots")
    assert wrong.status_code == 405
    allowed = {m.strip() for m in wrong.headers["allow"].split(",")}
    assert allowed == {"GET", "POST", "PUT"}


async def test_a_bug_is_a_problem_without_internals(http: AsyncClient) -> None:
    response = await http.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "a bug" not in response.text
    assert response.headers["x-correlation-id"]  # generated when the caller sent none
