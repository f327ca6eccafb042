"""Reading and checking contest definitions written by operators (YAML or JSON).

A definition must parse, match the contract model with no unknown keys (a misspelt key
would otherwise be dropped in silence), and make sense as a whole: unique codes, stages
in order, places numbered from 1, a rubric for every nomination.
"""

from __future__ import annotations

import json
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from contest_contracts.common import NominationKind, StageKind
from contest_contracts.events.applications import ProjectDetails, WorkerDetails
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.attachments import CHECKABLE_MEDIA_TYPES
from contest_runtime.bodies import MAX_JSON_DEPTH, has_lone_surrogate, json_depth

DEMO_CONTEST_FILE = "social-protection-2025.yaml"

_STAGE_ORDER = [
    StageKind.SUBMISSION,
    StageKind.REGIONAL,
    StageKind.REPUBLICAN,
    StageKind.AWARDS,
]
_FIELDS_OF_KIND = {
    NominationKind.WORKER: set(WorkerDetails.model_fields) - {"kind"},
    NominationKind.PROJECT: set(ProjectDetails.model_fields) - {"kind"},
}


class DefinitionProblem(ValueError):
    """A definition that cannot be used; ``problems`` lists each reason with where it is.

    ``code`` is ``invalid_definition``, or ``malformed_json``/``malformed_yaml`` when the
    text is not JSON or YAML at all (its parser's reason is the one problem).
    """

    def __init__(self, problems: list[tuple[str, str]], code: str = "invalid_definition") -> None:
        super().__init__("; ".join(f"{where}: {what}" for where, what in problems))
        self.problems = problems
        self.code = code


def parse_definition(
    text: str | bytes, *, media_type: str = "application/yaml"
) -> ContestDefinition:
    """A checked definition from JSON text (``application/json``) or YAML (anything else).

    JSON is read by a JSON parser: PyYAML would split an escaped surrogate pair such as
    ``"\\ud83c\\udfc6"`` (how ``json.dumps`` writes an emoji) into two lone surrogates.
    """
    data = _parsed_json(text) if media_type == "application/json" else _parsed_yaml(text)
    if not isinstance(data, dict):
        raise DefinitionProblem([("$", "a definition is a mapping of keys to values")])
    if has_lone_surrogate(data):
        raise DefinitionProblem([("$", "a \\uD800-\\uDFFF escape without its pair is not text")])
    return check_definition(data)


def _parsed_json(text: str | bytes) -> Any:
    raw = text.encode() if isinstance(text, str) else text
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise DefinitionProblem([("$", f"nested deeper than {MAX_JSON_DEPTH} levels")])
    try:
        return json.loads(raw)
    except ValueError as error:
        raise DefinitionProblem([("$", f"not JSON: {error}")], "malformed_json") from error


def _parsed_yaml(text: str | bytes) -> Any:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DefinitionProblem([("$", f"not YAML: {error}")], "malformed_yaml") from error
    except RecursionError as error:  # PyYAML composes nested nodes recursively
        raise DefinitionProblem([("$", f"nested deeper than {MAX_JSON_DEPTH} levels")]) from error
    if _depth(data) > MAX_JSON_DEPTH:
        raise DefinitionProblem([("$", f"nested deeper than {MAX_JSON_DEPTH} levels")])
    # YAML escapes are 16-bit: a pair written as two escapes is joined into one character.
    return _joined_surrogates(data)


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest in parsed data (iteratively: no recursion)."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            items = value.values() if isinstance(value, dict) else value
            pending.extend((item, level + 1) for item in items)
    return deepest


def _joined_surrogates(data: Any) -> Any:
    if isinstance(data, str):
        return data.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")
    if isinstance(data, dict):
        return {_joined_surrogates(k): _joined_surrogates(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_joined_surrogates(item) for item in data]
    return data


def check_definition(data: dict[str, Any]) -> ContestDefinition:
    """A checked definition from already parsed data."""
    unknown = list(_unknown_keys(ContestDefinition, data, "$"))
    if unknown:
        raise DefinitionProblem([(where, "unknown key") for where in unknown])
    try:
        definition = ContestDefinition.model_validate(data)
    except ValidationError as error:
        raise DefinitionProblem(
            [("$." + ".".join(str(p) for p in item["loc"]), item["msg"]) for item in error.errors()]
        ) from error
    problems = consistency_problems(definition)
    if problems:
        raise DefinitionProblem(problems)
    return definition


def consistency_problems(definition: ContestDefinition) -> list[tuple[str, str]]:
    """What makes a well-typed definition unusable."""
    problems: list[tuple[str, str]] = []
    for name, codes in (
        ("nominations", [n.code for n in definition.nominations]),
        ("regions", [r.code for r in definition.regions]),
        ("stages", [s.stage.value for s in definition.stages]),
    ):
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            problems.append((f"$.{name}", f"duplicate codes {duplicates}"))
    for index, nomination in enumerate(definition.nominations):
        where = f"$.nominations[{index}]"
        if not nomination.rubric:
            problems.append((where + ".rubric", "a nomination needs at least one criterion"))
        criteria = [c.code for c in nomination.rubric]
        if len(set(criteria)) != len(criteria):
            problems.append((where + ".rubric", "duplicate criterion codes"))
        unknown_fields = set(nomination.required_fields) - _FIELDS_OF_KIND[nomination.kind]
        if unknown_fields:
            problems.append(
                (
                    where + ".required_fields",
                    f"not fields of a {nomination.kind.value} application: "
                    f"{sorted(unknown_fields)}",
                )
            )
    for index, stage in enumerate(definition.stages):
        if stage.opens_at >= stage.closes_at:
            problems.append((f"$.stages[{index}]", "opens_at must be before closes_at"))
    scheduled = {s.stage: s for s in definition.stages}
    if StageKind.SUBMISSION not in scheduled:
        problems.append(("$.stages", "the submission stage is required"))
    ordered = [scheduled[k] for k in _STAGE_ORDER if k in scheduled]
    for earlier, later in pairwise(ordered):
        if later.opens_at < earlier.closes_at:
            problems.append(
                ("$.stages", f"{later.stage.value} opens before {earlier.stage.value} closes")
            )
    vote = scheduled.get(StageKind.PUBLIC_VOTE)
    regional = scheduled.get(StageKind.REGIONAL)
    if vote is not None and regional is not None and vote.opens_at < regional.closes_at:
        problems.append(("$.stages", "public_vote opens before the regional stage closes"))
    uncheckable = sorted(set(definition.attachments.media_types) - CHECKABLE_MEDIA_TYPES)
    if uncheckable:
        problems.append(
            (
                "$.attachments.media_types",
                f"the platform cannot check that a file is {', '.join(uncheckable)}; "
                f"it can check {', '.join(sorted(CHECKABLE_MEDIA_TYPES))}",
            )
        )
    places = [p.place for p in definition.prizes.places]
    if places != list(range(1, len(places) + 1)):
        problems.append(("$.prizes.places", "places must be numbered 1, 2, 3... in order"))
    return problems


def demo_definition() -> ContestDefinition:
    """The shipped 2025 republican contest, the demo contest."""
    text = resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE).read_text("utf-8")
    return parse_definition(text)


def _unknown_keys(model: type[BaseModel], data: Any, where: str) -> list[str]:
    """Keys of ``data`` that ``model`` (and the models inside it) do not define."""
    if not isinstance(data, dict):
        return []
    found = []
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            found.append(f"{where}.{key}")
            continue
        nested = _model_inside(field.annotation)
        if nested is None:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            suffix = f"[{index}]" if isinstance(value, list) else ""
            found += _unknown_keys(nested, item, f"{where}.{key}{suffix}")
    return found


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds directly or as list items, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        model = _model_inside(argument)
        if model is not None:
            return model
    return None
