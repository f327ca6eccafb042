"""Bounds on JSON request bodies, checked before any route parses them.

Python's parsers and validators recurse: a body nested a few hundred levels deep exhausts
the stack somewhere inside them, and a `\\ud83c` escape without its pair decodes to a lone
surrogate that the store cannot encode. Both are refused here, for every route of every
service, with a 422 problem, so no route sees them and nothing half-written follows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from contest_runtime.problems import ProblemError, problem_response

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects a JSON body may have (the deepest document the
platform takes, a contest definition, is about six levels deep)."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(ValueError):
    """A body outside the bounds; ``code`` names which one."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def json_depth(body: bytes) -> int:
    """How deeply ``body``'s arrays and objects nest (0 for a scalar), without parsing it."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b'""', body)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def check_json_body(body: bytes, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse a body nested deeper than ``max_depth`` or carrying a lone surrogate."""
    if json_depth(body) > max_depth:
        raise BodyRefused("too_deeply_nested", f"nested deeper than {max_depth} levels")
    # Most bodies have no surrogate escape at all; only those that do are parsed here.
    if _SURROGATE_ESCAPE.search(body) is None:
        return
    try:
        document = json.loads(body)
    except ValueError:
        return  # not JSON at all: the route's own parser says so
    if has_lone_surrogate(document):
        raise BodyRefused(
            "invalid_unicode", "a \\uD800-\\uDFFF escape without its pair is not text"
        )


def has_lone_surrogate(document: Any) -> bool:
    """Whether a parsed document holds a string with half a surrogate pair."""
    return any(_LONE_SURROGATE.search(text) for text in _strings_in(document))


def _strings_in(document: Any) -> Iterator[str]:
    """Every string of a parsed document, keys included (iteratively: no recursion)."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media_type: bytes = value.split(b";")[0].strip().lower()
            return media_type == b"application/json" or media_type.endswith(b"+json")
    return False


class JsonBodyBounds:
    """ASGI middleware: a JSON body out of bounds is answered 422 before the route runs.

    The body is read here and handed on unchanged, so routes read it as usual.
    """

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        more = True
        while more:
            message = await receive()
            messages.append(message)
            more = message["type"] == "http.request" and message.get("more_body", False)
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        try:
            check_json_body(body, self.max_depth)
        except BodyRefused as refused:
            error = ProblemError(422, refused.code, "Invalid input", str(refused))
            await problem_response(Request(scope), error)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
