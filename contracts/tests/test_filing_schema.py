"""The committed schema of a filing and the model read the same records: every record the
schema accepts (generated from the schema itself, optional fields left out or not) is read
by ``from_record``, as an outside producer who knows only the schema would send it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contest_contracts.envelope import Envelope
from contest_contracts.events.ministry import ApplicationFiled
from contest_contracts.wire import from_record, to_record

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
FILED = json.loads((SCHEMAS / "kz.contest.ministry.application.filed.v1.json").read_text())
Schema = dict[str, Any]


def examples(schema: Schema, root: Schema) -> st.SearchStrategy[Any]:
    """Values valid against ``schema`` (the subset of JSON Schema the committed payload
    schemas use): each optional property (one with a default, or not required) present or
    left out."""
    if "$ref" in schema:
        return examples(root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for keyword in ("oneOf", "anyOf"):
        if keyword in schema:
            return st.one_of([examples(variant, root) for variant in schema[keyword]])
    kind = schema.get("type")
    if kind == "null":
        return st.none()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**31)), schema.get("maximum", 2**31))
    if kind == "string":
        return _strings(schema)
    if kind == "object":
        return _objects(schema, root)
    # A shape the committed schema took up since: the generator must learn it, so fail.
    raise AssertionError(f"the filing schema uses a shape with no examples here: {schema}")


def _strings(schema: Schema) -> st.SearchStrategy[str]:
    if schema.get("format") == "date":
        return st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(date.isoformat)
    if schema.get("format") == "email":
        # An address as a mail system writes one (the schema's "email" format is lax: a
        # string with an "@"; the model checks it as email-validator does).
        # Dots only between letters and digits: "a..0@" is no address to a mail system.
        return st.from_regex(
            r"[a-z][a-z0-9]{0,4}(\.[a-z0-9]{1,4}){0,2}@[a-z]{2,10}\.kz", fullmatch=True
        )
    if "pattern" in schema:
        strings = st.from_regex(schema["pattern"], fullmatch=True)
    else:
        strings = st.text(min_size=schema.get("minLength", 0), max_size=40)
    return strings.filter(
        lambda s: schema.get("minLength", 0) <= len(s) <= schema.get("maxLength", 10**6)
    )


def _objects(schema: Schema, root: Schema) -> st.SearchStrategy[dict[str, Any]]:
    properties: dict[str, Schema] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return st.fixed_dictionaries(
        {name: examples(properties[name], root) for name in properties if name in required},
        optional={
            name: examples(prop, root) for name, prop in properties.items() if name not in required
        },
    )


def filing_record(payload: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The record an outside producer sends: the payload as it is, the envelope's headers."""
    headers = to_record(
        Envelope.of(
            ApplicationFiled.model_validate(
                {**_a_filing(), "details": {**_a_filing()["details"], "kind": "worker"}}
            ),
            source="/ministry",
            subject="r-1",
        )
    ).headers
    return json.dumps(payload).encode(), headers


def _a_filing() -> dict[str, Any]:
    return {
        "request_id": "r-1",
        "contest_id": "c-1",
        "nomination_code": "best-worker",
        "region_code": "KZ-ALA",
        "applicant": {"kind": "individual", "identifier": "900101300017", "display_name": "A"},
        "contact": {"email": "a@example.kz", "phone": "+77011234567"},
        "details": {"workplace": "W", "position": "P", "years_of_service": 3, "achievements": "A"},
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=examples(FILED, FILED))
def test_every_filing_the_schema_accepts_is_read(payload: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(
        FILED, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(payload)
    value, headers = filing_record(payload)
    envelope = from_record(value, headers)
    assert isinstance(envelope.data, ApplicationFiled)
    assert _holds(envelope.data.model_dump(mode="json"), payload)
    # The variant read is the one the schema's oneOf matched, with or without ``kind``.
    expected = "worker" if "workplace" in payload["details"] else "project"
    assert envelope.data.details.kind == expected


def _holds(read: Any, given: Any) -> bool:
    """Whether ``read`` has every value ``given`` has (and maybe defaults besides)."""
    if isinstance(given, dict):
        return isinstance(read, dict) and all(_holds(read.get(k), v) for k, v in given.items())
    return bool(read == given)


def test_details_without_kind_are_read_as_the_variant_their_fields_are() -> None:
    project = {
        "project_title": "T",
        "summary": "S",
        "target_group": "G",
        "beneficiaries_reached": 10,
        "budget_tenge": 1000,
        "period_start": "2025-01-01",
    }
    for details, kind in ((_a_filing()["details"], "worker"), (project, "project")):
        value, headers = filing_record({**_a_filing(), "details": details})
        assert from_record(value, headers).data.details.kind == kind  # type: ignore[attr-defined]
