"""What a service's OpenAPI document says each operation may answer besides its successes:
the problem documents of :mod:`contest_runtime.problems` (RFC 9457, ``application/problem+json``).

Two sources, so that every documented status is one the operation can give:

- derived from the route: 401 and 403 where the route requires a role
  (:func:`contest_runtime.auth.require_roles`), 401 where it needs any verified caller,
  422 where it takes input FastAPI validates (a body, a query, a header, a typed path
  parameter), and 400 where it reads a JSON body (FastAPI's answer to bytes that are not
  text);
- declared by the route, with ``responses=problems(404, 409)``, for what only the route's own
  rules give (an unknown contest, a conflict with the current state, a rate limit).

Every 4xx and 5xx response of the document then carries the ``Problem`` schema under
``application/problem+json``, which is how :mod:`contest_runtime.problems` answers. An
operation that needs a token declares the ``bearer`` security scheme (the docs page then
offers "Authorize"); a public one declares none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from contest_runtime.auth import Role, principal_of, require_roles
from contest_runtime.problems import PROBLEM_MEDIA_TYPE, STATUS_TITLES, Problem

_ROLE_CHECK = require_roles(Role.OPERATOR).__code__
"""Every dependency ``require_roles`` makes runs this code (its closure holds the roles)."""
_VALIDATION_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
"""How every service takes its callers' tokens: ``Authorization: Bearer <JWT>``."""


def problems(
    *statuses: int, described: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: the problem statuses its own rules can answer with, those in
    ``described`` with what they mean there (the document gives each the ``Problem``
    schema)."""
    descriptions = {status: STATUS_TITLES[status] for status in statuses} | (described or {})
    return {status: {"description": text} for status, text in descriptions.items()}


Route = APIRoute | RouteContext
"""A route as FastAPI includes it (a router's route seen through its include)."""


def api_routes(app: FastAPI) -> Iterator[Route]:
    """Every API route of ``app`` (health and service routes alike), as included."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def required_roles(route: Route) -> frozenset[Role] | None:
    """The roles one of which a caller of ``route`` must hold; ``None`` when it needs none,
    empty when any verified caller will do."""
    roles: set[Role] = set()
    required = False
    for dependant in _dependencies(route.dependant):
        call = dependant.call
        if getattr(call, "__code__", None) is _ROLE_CHECK:
            required = True
            roles.update(_closure_roles(call))
        elif call is principal_of:
            required = True
    return frozenset(roles) if required else None


def _closure_roles(call: Any) -> set[Role]:
    cells = dict(zip(call.__code__.co_freevars, call.__closure__ or (), strict=True))
    return set(cells["roles"].cell_contents)


def _dependencies(dependant: Dependant) -> Iterator[Dependant]:
    for child in dependant.dependencies:
        yield child
        yield from _dependencies(child)


def _reads_json_body(route: Route) -> bool:
    return any(d.body_params for d in [route.dependant, *_dependencies(route.dependant)])


def _validates_input(route: Route) -> bool:
    """Whether FastAPI can refuse a request to ``route`` as invalid (a plain string path
    parameter cannot be invalid)."""
    dependants = [route.dependant, *_dependencies(route.dependant)]
    for dependant in dependants:
        if dependant.body_params or dependant.query_params or dependant.header_params:
            return True
        if dependant.cookie_params:
            return True
        for parameter in dependant.path_params:
            info = parameter.field_info
            if info.annotation is not str or info.metadata:
                return True
    return False


def derived_problems(route: Route) -> set[int]:
    """The problem statuses ``route`` can answer with whatever its own rules are."""
    statuses = {422} if _validates_input(route) else set()
    if _reads_json_body(route):
        statuses.add(400)
    roles = required_roles(route)
    if roles is not None:
        statuses.add(401)
        if roles:
            statuses.add(403)
    return statuses


def document_problems(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document list every operation's problem responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(generate(), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_problems(document: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    """``document`` (FastAPI's) with the problem responses of every operation of ``app``."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    document["components"].setdefault("securitySchemes", {})["bearer"] = BEARER
    for route in api_routes(app):
        if not route.include_in_schema:
            continue
        operations = document["paths"].get(route.path_format, {})
        for method in route.methods or ():
            operation = operations.get(method.lower())
            if operation is not None:
                _describe(operation, route)
    for name in _VALIDATION_ERROR_SCHEMAS:
        schemas.pop(name, None)
    return document


def _describe(operation: dict[str, Any], route: Route) -> None:
    if required_roles(route) is not None:
        operation["security"] = [{"bearer": []}]
    responses: dict[str, Any] = operation.setdefault("responses", {})
    declared = {str(status) for status in route.responses}
    statuses = {str(status) for status in derived_problems(route)} | declared
    if "422" in responses and "422" not in statuses:
        del responses["422"]  # FastAPI's guess: this route takes nothing it could refuse
    for status in sorted(statuses):
        responses.setdefault(status, {})
    for status, response in responses.items():
        given = route.responses.get(int(status), {}) if status.isdigit() else {}
        if "content" in given or "model" in given:
            continue  # the route says what it answers (``/readyz`` answers its checks)
        if status.isdigit() and int(status) >= 400:
            response["description"] = response.get("description") or STATUS_TITLES.get(
                int(status), "Problem"
            )
            if response["description"] == "Validation Error":
                response["description"] = STATUS_TITLES[422]
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}
