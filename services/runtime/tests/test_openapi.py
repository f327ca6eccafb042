"""A service's OpenAPI document lists the problems each operation can answer, and only those."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from contest_runtime.auth import AuthSettings, Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import PROBLEM_MEDIA_TYPE
from contest_runtime.service import create_service_app
from contest_runtime.settings import ServiceSettings


class Note(BaseModel):
    text: str


def document() -> dict[str, Any]:
    router = APIRouter()

    @router.get("/notes/{note_id}", responses=problems(404))
    async def read(note_id: str) -> Note:
        return Note(text=note_id)

    @router.put("/notes/{note_id}", responses=problems(404, 409))
    async def write(note_id: str, note: Note, _: Operator) -> Note:
        return note

    settings = ServiceSettings(
        mongodb_database="d", consumer_group="g", auth=AuthSettings(jwt_key="k" * 32)
    )
    app = create_service_app(
        name="probe", settings=settings, title="t", description="d", routers=[router]
    )
    return app.openapi()


def statuses(doc: dict[str, Any], path: str, method: str) -> set[str]:
    return set(doc["paths"][path][method]["responses"])


def test_each_operation_lists_the_problems_it_can_answer_and_no_others() -> None:
    doc = document()
    # A plain string in the path cannot be invalid: no 422 where nothing can be refused.
    assert statuses(doc, "/notes/{note_id}", "get") == {"200", "404"}
    # A role and a JSON body: 401, 403, 400 (unreadable bytes) and 422, and its own 404/409.
    assert statuses(doc, "/notes/{note_id}", "put") == {
        "200", "400", "401", "403", "404", "409", "422"
    }  # fmt: skip
    assert statuses(doc, "/healthz", "get") == {"200"}


def test_problems_are_documented_as_problem_documents() -> None:
    doc = document()
    for status in ("400", "401", "403", "404", "409", "422"):
        content = doc["paths"]["/notes/{note_id}"]["put"]["responses"][status]["content"]
        assert content == {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    schemas = doc["components"]["schemas"]
    assert {"Problem", "FieldError"} <= set(schemas)
    assert "HTTPValidationError" not in schemas  # FastAPI's own error shape is never sent
    # Readiness answers its checks, not a problem, when a dependency is down.
    ready = doc["paths"]["/readyz"]["get"]["responses"]["503"]["content"]
    assert PROBLEM_MEDIA_TYPE not in ready


def test_operations_that_need_a_token_declare_bearer_security_and_public_ones_none() -> None:
    """So the interactive docs offer "Authorize" and a generated client sends the token."""
    doc = document()
    assert doc["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }
    assert doc["paths"]["/notes/{note_id}"]["put"]["security"] == [{"bearer": []}]
    assert "security" not in doc["paths"]["/notes/{note_id}"]["get"]
    assert "security" not in doc["paths"]["/healthz"]["get"]
