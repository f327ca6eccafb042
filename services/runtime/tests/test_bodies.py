"""JSON bodies out of bounds (too deep, half a surrogate pair) are 422 before any route runs."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import BaseModel

from contest_runtime.bodies import MAX_JSON_DEPTH, JsonBodyBounds, json_depth
from contest_runtime.problems import install_problem_handlers


class Note(BaseModel):
    text: object


def bounded_app() -> tuple[FastAPI, list[object]]:
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(JsonBodyBounds)
    seen: list[object] = []

    @app.post("/notes")
    async def note(body: Note) -> dict[str, str]:
        seen.append(body.text)
        return {"stored": "yes"}

    return app, seen


async def post(
    app: FastAPI, content: str | bytes, media_type: str = "application/json"
) -> Response:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as http:
        return await http.post("/notes", content=content, headers={"Content-Type": media_type})


@pytest.mark.parametrize(
    ("body", "depth"),
    [
        (b"7", 0),
        (b'{"a": [1, {"b": []}]}', 4),
        (b'{"a": "[[[[[[ {{{{ inside a string"}', 1),
        (b'{"a": "an escaped quote \\" then [[[["}', 1),
        (b'[{"k": "\\\\"}, [[]]]', 3),
    ],
)
def test_depth_counts_brackets_outside_strings(body: bytes, depth: int) -> None:
    assert json_depth(body) == depth


async def test_a_body_at_the_bound_passes_and_one_past_it_is_refused() -> None:
    app, seen = bounded_app()
    at_bound = '{"text": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    assert (await post(app, at_bound)).status_code == 200
    for depth in (MAX_JSON_DEPTH, 500, 100_000):
        answer = await post(app, '{"text": ' + "[" * depth + "]" * depth + "}")
        assert answer.status_code == 422
        assert answer.json()["code"] == "too_deeply_nested"
        assert answer.headers["content-type"] == "application/problem+json"
    assert len(seen) == 1


async def test_half_a_surrogate_pair_is_refused_and_a_whole_pair_is_text() -> None:
    app, seen = bounded_app()
    whole = await post(app, json.dumps({"text": "trophy \U0001f3c6"}))
    assert whole.status_code == 200
    for lone in ('{"text": "\\ud83c"}', '{"text": "\\udfc6 first"}', '{"\\uD83C": 1, "text": 1}'):
        answer = await post(app, lone, "application/json; charset=utf-8")
        assert answer.status_code == 422, lone
        assert answer.json()["code"] == "invalid_unicode"
    assert seen == ["trophy \U0001f3c6"]


async def test_bodies_that_are_not_json_are_left_to_the_route() -> None:
    app, _ = bounded_app()
    deep_text = "[" * 1000
    answer = await post(app, deep_text, "text/plain")
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_failed"
