"""Contest definition files: the demo contest, and clear errors for bad files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml

from contest_contracts.common import NominationKind, StageKind
from contest_intake.domain.definitions import (
    DefinitionProblem,
    demo_definition,
    parse_definition,
)


def test_the_demo_contest_is_the_2025_edition_from_the_news_reports() -> None:
    contest = demo_definition()
    assert contest.contest_id == "social-protection-2025"
    assert len(contest.nominations) == 7
    assert len(contest.regions) == 20
    assert {r.code for r in contest.regions} >= {"KZ-71", "KZ-75", "KZ-79"}  # the three cities
    named_in_reports = {n.code for n in contest.nominations if not n.illustrative}
    assert named_in_reports == {
        "special-services-centre-worker",
        "social-project",
        "social-pedagogue",
        "social-inspector",
    }
    assert [(p.place, p.winners) for p in contest.prizes.places] == [(1, 1), (2, 2), (3, 2)]
    assert contest.prizes.places[1].grant_tenge == 2_500_000
    assert (contest.prizes.special_prizes, contest.prizes.peoples_choice) == (5, 3)
    stages = {s.stage: s for s in contest.stages}
    assert stages[StageKind.REPUBLICAN].closes_at.date().isoformat() == "2025-10-20"
    assert stages[StageKind.AWARDS].opens_at.date().isoformat() == "2025-10-24"
    assert stages[StageKind.SUBMISSION].opens_at == datetime(2025, 8, 1, 4, tzinfo=UTC)
    assert {n.kind for n in contest.nominations} == {NominationKind.WORKER, NominationKind.PROJECT}
    assert all(contest.nominations[i].title.kk for i in range(7))


def demo_data() -> dict[str, Any]:
    return demo_definition().model_dump(mode="json")


def problems_of(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionProblem) as caught:
        parse_definition(yaml.safe_dump(data, allow_unicode=True))
    return caught.value.problems


def test_json_is_accepted_as_well_as_yaml() -> None:
    text = json.dumps(demo_data())
    assert parse_definition(text, media_type="application/json") == demo_definition()
    assert parse_definition(text) == demo_definition()  # JSON is YAML too


def test_escaped_surrogate_pairs_are_one_character_in_json_and_in_yaml() -> None:
    data = demo_data()
    data["title"]["en"] = "Best worker \U0001f3c6"
    escaped = json.dumps(data)  # ensure_ascii: the trophy is written "\\ud83c\\udfc6"
    assert "\\ud83c\\udfc6" in escaped
    for media_type in ("application/json", "application/yaml"):
        definition = parse_definition(escaped, media_type=media_type)
        assert definition.title.en == "Best worker \U0001f3c6"


@pytest.mark.parametrize("media_type", ["application/json", "application/yaml"])
def test_half_a_surrogate_pair_is_refused(media_type: str) -> None:
    data = demo_data()
    data["title"]["en"] = "PLACEHOLDER"
    text = json.dumps(data).replace("PLACEHOLDER", "\\ud83c alone")
    with pytest.raises(DefinitionProblem, match="without its pair"):
        parse_definition(text, media_type=media_type)


@pytest.mark.parametrize("media_type", ["application/json", "application/yaml"])
@pytest.mark.parametrize("depth", [40, 500, 5000])
def test_deep_nesting_is_refused_not_a_recursion_error(media_type: str, depth: int) -> None:
    text = '{"title": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(DefinitionProblem, match="nested deeper than 32 levels"):
        parse_definition(text, media_type=media_type)


def test_text_that_is_not_yaml_or_json_is_refused() -> None:
    with pytest.raises(DefinitionProblem, match="not YAML"):
        parse_definition("contest_id: [unclosed")
    with pytest.raises(DefinitionProblem, match="not JSON"):
        parse_definition('{"contest_id": ', media_type="application/json")
    with pytest.raises(DefinitionProblem, match="mapping"):
        parse_definition("- a list")


def test_a_misspelt_key_is_named_not_dropped() -> None:
    data = demo_data()
    data["nominations"][2]["finalist_per_region"] = 2
    data["prizes"]["special_prize"] = 5
    assert problems_of(data) == [
        ("$.nominations[2].finalist_per_region", "unknown key"),
        ("$.prizes.special_prize", "unknown key"),
    ]


def test_type_errors_say_where() -> None:
    data = demo_data()
    data["prizes"]["places"][0]["grant_tenge"] = -1
    data["nominations"][0]["kind"] = "team"
    wheres = [where for where, _ in problems_of(data)]
    assert wheres == ["$.nominations.0.kind", "$.prizes.places.0.grant_tenge"]


def test_inconsistent_definitions_are_refused_with_every_reason() -> None:
    data = demo_data()
    data["regions"].append(data["regions"][0])
    data["nominations"][1]["rubric"] = []
    data["nominations"][0]["required_fields"] = ["workplace", "budget_tenge"]
    data["prizes"]["places"][2]["place"] = 4
    stages = {s["stage"]: s for s in data["stages"]}
    stages["regional"]["opens_at"] = "2025-09-01T00:00:00Z"  # before submission closes
    stages["awards"]["closes_at"] = stages["awards"]["opens_at"]
    reasons = dict(problems_of(data))
    assert "duplicate codes ['KZ-10']" in reasons["$.regions"]
    assert reasons["$.nominations[1].rubric"] == "a nomination needs at least one criterion"
    assert "budget_tenge" in reasons["$.nominations[0].required_fields"]
    assert reasons["$.prizes.places"].startswith("places must be numbered")
    assert any("regional opens before submission closes" in what for _, what in problems_of(data))
    assert any(where.startswith("$.stages[") for where, _ in problems_of(data))


def test_attachments_may_only_be_of_types_whose_content_is_checked() -> None:
    data = demo_data()
    data["attachments"]["media_types"] = ["application/pdf", "text/html", "application/x-foo"]
    [(where, what)] = problems_of(data)
    assert where == "$.attachments.media_types"
    assert "application/x-foo, text/html" in what
