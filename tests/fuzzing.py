"""Schemathesis against a running service: every operation of its OpenAPI document, as an
anonymous caller and as callers holding the roles it asks for (and one that lacks them), with
valid and invalid requests. Every answer must be no 5xx, of a documented status and content
type, and of the documented schema.

The service runs on the real broker and store (its tests' fixture); here it is served on a
loopback port while the generated requests are sent from a thread, so that the service keeps
its event loop. Examples are few per operation and caller: the suite stays quick, and each run
draws new ones.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
import uvicorn
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contest_runtime.auth import Role
from contest_runtime.openapi import Route, api_routes, required_roles

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STREAM = "text/event-stream"


@dataclass(frozen=True)
class Caller:
    """Who sends the requests: a name for the report and the headers that make them so."""

    name: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def bearer(cls, name: str, token: str) -> Caller:
        """A caller with a bearer token."""
        return cls(name, {"Authorization": f"Bearer {token}"})


ANONYMOUS = Caller("anonymous")


@dataclass
class Fuzzing:
    """What to send to one service."""

    app: FastAPI
    tokens: Mapping[Role, str]
    """A token of each role the service knows."""
    others: Sequence[Caller] = ()
    """Callers of the routes no role guards (e.g. a voter with a voter token)."""
    known: Mapping[str, str] = field(default_factory=dict)
    """Path parameter → a value that exists, put in every other request so that requests
    reach past "not found"."""
    examples: int = 4
    """Valid requests per operation and caller; half as many invalid ones."""

    def callers(self, route: Route) -> list[Caller]:
        """Anonymous, and the holders of the roles ``route`` asks for and one lacking them."""
        roles = required_roles(route)
        if roles is None:
            return [ANONYMOUS, *self.others]
        holders = [Caller.bearer(r.value, t) for r, t in self.tokens.items() if r in roles]
        lacking = [Caller.bearer(r.value, t) for r, t in self.tokens.items() if r not in roles]
        return [ANONYMOUS, *holders, *lacking[:1]]


async def fuzz(fuzzing: Fuzzing) -> list[str]:
    """Send the generated requests; what went wrong, one line (and a curl) per finding."""
    async with _served(fuzzing.app) as base_url:
        return await asyncio.to_thread(_fuzz_every_operation, fuzzing, base_url)


@asynccontextmanager
async def _served(app: FastAPI) -> AsyncIterator[str]:
    """``app`` (whose lifespan already runs) behind a real HTTP server on a loopback port."""
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.get_running_loop().create_task(server.serve(sockets=[listening]))
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
        listening.close()


def _fuzz_every_operation(fuzzing: Fuzzing, base_url: str) -> list[str]:
    schema = schemathesis.openapi.from_dict(fuzzing.app.openapi())
    findings: dict[str, str] = {}
    for route in api_routes(fuzzing.app):
        if not route.include_in_schema:
            continue
        for method in sorted(route.methods or ()):
            operation = schema[route.path_format][method]
            for caller in fuzzing.callers(route):
                _fuzz(operation, caller, fuzzing, base_url, findings)
    return list(findings.values())


def _fuzz(
    operation: Any, caller: Caller, fuzzing: Fuzzing, base_url: str, findings: dict[str, str]
) -> None:
    streams = STREAM in str(operation.definition.raw.get("responses", {}))
    sent = 0

    def send(case: schemathesis.Case) -> None:
        nonlocal sent
        sent += 1
        # Every other request names things that exist; a stream of an existing contest
        # never ends, so a stream is only read where it answers at once.
        if sent % 2 == 0 and not streams:
            for name, value in fuzzing.known.items():
                if case.path_parameters and name in case.path_parameters:
                    case.path_parameters[name] = value
        headers = dict(caller.headers)
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=10)
            # A server error is that, whether documented or not: one finding, not two.
            checks = CHECKS[:1] if response.status_code >= 500 else CHECKS
            case.validate_response(response, checks=checks, headers=headers)
        except FailureGroup as group:
            for failure in group.exceptions:
                _record(findings, operation, caller, failure, case, base_url, headers)
        except Failure as failure:
            _record(findings, operation, caller, failure, case, base_url, headers)

    for mode, examples in (
        (schemathesis.GenerationMode.POSITIVE, fuzzing.examples),
        (schemathesis.GenerationMode.NEGATIVE, max(1, fuzzing.examples // 2)),
    ):
        run = hypothesis.given(case=operation.as_strategy(generation_mode=mode))(send)
        try:
            hypothesis.settings(
                max_examples=examples,
                deadline=None,
                phases=[Phase.generate],  # findings are collected, not shrunk
                database=None,
                suppress_health_check=list(HealthCheck),
            )(run)()
        except hypothesis.errors.Unsatisfiable:
            # An operation that takes nothing has no invalid request.
            if mode is schemathesis.GenerationMode.POSITIVE:
                raise


def _record(
    findings: dict[str, str],
    operation: Any,
    caller: Caller,
    failure: Failure,
    case: schemathesis.Case,
    base_url: str,
    headers: dict[str, str],
) -> None:
    title = f"{operation.label} as {caller.name}: {failure.title}: {failure.message}"
    first_line = title.splitlines()[0][:300]
    if first_line not in findings:
        curl = case.as_curl_command(headers=headers, base_url=base_url)
        findings[first_line] = f"{first_line}\n    {curl[:400]}{'...' if len(curl) > 400 else ''}"
