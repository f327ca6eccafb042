"""Committed schemas and the compatibility rule that guards them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import Field, create_model

from contest_contracts import schemas
from contest_contracts.compatibility import breaking_changes
from contest_contracts.events import ALL_EVENTS, VoteCast


def test_committed_schemas_are_compatible_with_the_models() -> None:
    assert schemas.incompatibilities() == {}


def test_committed_schemas_are_current() -> None:
    assert schemas.stale_files() == [], "run ./dev schemas and commit contracts/schemas"


def _schema_of_variant(**changes: Any) -> dict[str, Any]:
    """The schema VoteCast would have after a change to its fields."""
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in VoteCast.model_fields.items()
    }
    for name, definition in changes.items():
        if definition is None:
            del fields[name]
        else:
            fields[name] = definition
    variant = create_model("VoteCast", __base__=VoteCast.__mro__[1], **fields)  # type: ignore[call-overload]
    variant.event_type = VoteCast.event_type
    return schemas.event_schema(variant)


COMMITTED = json.loads(
    (schemas.DEFAULT_DIRECTORY / schemas.schema_file_name(VoteCast)).read_text("utf-8")
)


def test_removing_a_field_is_breaking() -> None:
    problems = breaking_changes(COMMITTED, _schema_of_variant(client_address=None))
    assert problems == ["$.client_address: field removed"]


def test_retyping_a_field_is_breaking() -> None:
    problems = breaking_changes(COMMITTED, _schema_of_variant(voter_key_version=(str, Field())))
    assert "$.voter_key_version: type changed from 'integer' to 'string'" in problems


def test_a_new_required_field_is_breaking() -> None:
    problems = breaking_changes(COMMITTED, _schema_of_variant(channel=(str, Field())))
    assert problems == ["$.channel: new required field"]


def test_making_a_field_nullable_is_breaking() -> None:
    problems = breaking_changes(COMMITTED, _schema_of_variant(client_address=(str | None, Field())))
    assert any("union variant" in p for p in problems)


def test_a_new_optional_field_is_compatible() -> None:
    variant = _schema_of_variant(channel=(str | None, Field(default=None, description="new")))
    assert breaking_changes(COMMITTED, variant) == []


def test_nested_changes_are_found() -> None:
    old = json.loads(
        (schemas.DEFAULT_DIRECTORY / "kz.contest.results.published.v1.json").read_text("utf-8")
    )
    new = json.loads(json.dumps(old))
    del new["$defs"]["PlaceAward"]["properties"]["grant_tenge"]
    new["$defs"]["SpecialPrize"]["required"].append("grant_tenge")
    assert breaking_changes(old, new) == [
        "$.nominations[].places[].grant_tenge: field removed",
        "$.nominations[].special_prizes[].grant_tenge: optional field became required",
    ]


def test_enum_values_may_be_neither_removed_nor_added() -> None:
    old = {"type": "string", "enum": ["kk", "ru", "en"]}
    assert breaking_changes(old, {"type": "string", "enum": ["kk", "ru"]}) == [
        "$: enum values removed ['en']"
    ]
    assert breaking_changes(old, {"type": "string", "enum": ["kk", "ru", "en", "de"]}) == [
        "$: enum values added ['de']"
    ]


def test_check_command_fails_on_an_incompatible_committed_schema(tmp_path: Path) -> None:
    schemas.write(tmp_path)
    committed = tmp_path / schemas.schema_file_name(VoteCast)
    schema = json.loads(committed.read_text("utf-8"))
    schema["properties"]["ballot_box"] = {"type": "string"}  # a field the model no longer has
    committed.write_text(json.dumps(schema), encoding="utf-8")

    assert schemas.main(["check", "--dir", str(tmp_path)]) == 1
    assert schemas.main(["write", "--dir", str(tmp_path)]) == 1  # refuses to paper over it


def test_check_command_passes_on_fresh_files(tmp_path: Path) -> None:
    schemas.write(tmp_path)
    assert schemas.main(["check", "--dir", str(tmp_path)]) == 0


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_asyncapi_document_references_resolve() -> None:
    document = yaml.safe_load(
        (schemas.DEFAULT_DIRECTORY / schemas.ASYNCAPI_FILE).read_text("utf-8")
    )
    assert document["asyncapi"] == "3.0.0"
    for ref in _refs(document):
        target: Any = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
    assert set(document["components"]["messages"]) == {m.__name__ for m in ALL_EVENTS}


@pytest.mark.parametrize("model", ALL_EVENTS, ids=lambda m: m.event_type)
def test_every_payload_field_is_documented(model: Any) -> None:
    undocumented = [name for name, info in model.model_fields.items() if not info.description]
    assert undocumented == []
    assert model.__doc__
