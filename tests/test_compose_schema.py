"""The compose file, checked against the Compose Specification's JSON Schema.

These machines have no Docker engine, so `docker compose config` never reads the file here;
without this check a misspelt key, a value of the wrong type or an unknown start condition
would only show up on an operator's machine. The schema is vendored
(`deploy/compose/compose-spec.schema.json`, origin and licence beside it) so the test needs
no network. The negative cases break a copy of the file on purpose and expect the schema to
reject it, so a schema that stopped enforcing anything would fail here too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

DEPLOY = Path(__file__).resolve().parents[1] / "deploy" / "compose"

Document = dict[str, Any]


@pytest.fixture(scope="module")
def validator() -> Validator:
    schema = json.loads((DEPLOY / "compose-spec.schema.json").read_text(encoding="utf-8"))
    validator_class = validator_for(schema)  # the draft the schema declares (2020-12)
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.fixture(scope="module")
def document() -> Document:
    # PyYAML resolves the file's `<<: *anchor` merge keys, as docker compose does.
    loaded: Document = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def problems(validator: Validator, document: Document) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path)) or '(top level)'}: {error.message}"
        for error in validator.iter_errors(document)
    ]


def test_the_compose_file_follows_the_compose_specification(
    validator: Validator, document: Document
) -> None:
    found = problems(validator, document)
    assert not found, "\n".join(found)


def unknown_start_condition(document: Document) -> None:
    document["services"]["intake"]["depends_on"]["topics"]["condition"] = "service_maybe"


def misspelt_service_key(document: Document) -> None:
    service = document["services"]["judging"]
    service["helthcheck"] = service.pop("healthcheck")


def misspelt_top_level_key(document: Document) -> None:
    document["volume"] = document.pop("volumes")


def ports_not_a_list(document: Document) -> None:
    document["services"]["voting"]["ports"] = "8003-8005:8003"


def command_not_a_string_or_list(document: Document) -> None:
    document["services"]["topics"]["command"] = {"python": "-m contest_runtime"}


@pytest.mark.parametrize(
    "breakage",
    [
        unknown_start_condition,
        misspelt_service_key,
        misspelt_top_level_key,
        ports_not_a_list,
        command_not_a_string_or_list,
    ],
)
def test_the_schema_rejects_a_broken_compose_file(
    validator: Validator, document: Document, breakage: Callable[[Document], None]
) -> None:
    broken = copy.deepcopy(document)
    breakage(broken)
    assert problems(validator, broken), f"the schema accepted the file after {breakage.__name__}"
