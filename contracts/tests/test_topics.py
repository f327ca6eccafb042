"""The topic catalogue."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from contest_contracts.events import ALL_EVENTS
from contest_contracts.topics import (
    CATALOGUE,
    MINISTRY,
    PLATFORM_SERVICES,
    REGIONAL_SYSTEMS,
    Cleanup,
    Topic,
    Visibility,
    topic_named,
    topics_to_create,
)

TOPIC_NAME = re.compile(r"^[a-z0-9]+(\.[a-z0-9]+)*\.v[0-9]+$")
PERSONAL_FIELDS = {
    "identifier",
    "organisation_bin",
    "contact",
    "email",
    "phone",
    "address",
    "voter_key",
    "client_address",
    "iin",
    "bin",
}


@pytest.mark.parametrize("topic", CATALOGUE, ids=lambda t: t.name)
def test_topic_names_are_lowercase_dotted_and_versioned(topic: Topic) -> None:
    assert TOPIC_NAME.match(topic.name)
    assert topic.dead_letter == topic.name + ".dlq"


def test_topic_names_are_unique_and_every_event_has_a_topic() -> None:
    names = [t.name for t in topics_to_create()]
    assert len(names) == len(set(names))
    carried = {model for topic in CATALOGUE for model in topic.events}
    assert carried == set(ALL_EVENTS)


def test_every_topic_has_a_producer_and_known_parties() -> None:
    parties = set(PLATFORM_SERVICES) | {MINISTRY, REGIONAL_SYSTEMS}
    for topic in CATALOGUE:
        assert topic.producers and set(topic.producers) <= parties
        assert set(topic.consumers) <= parties
        assert topic.partitions >= 1


def test_compacted_topics_are_created_with_compaction() -> None:
    compacted = [t for t in CATALOGUE if t.cleanup is Cleanup.COMPACT]
    assert {t.name for t in compacted} >= {"contest.definitions.v1", "contest.results.v1"}
    assert all(t.kafka_config()["cleanup.policy"] == "compact" for t in compacted)


def _field_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        names |= set(schema.get("properties", {}))
        for value in schema.values():
            names |= _field_names(value)
    elif isinstance(schema, list):
        for value in schema:
            names |= _field_names(value)
    return names


@pytest.mark.parametrize(
    "topic", [t for t in CATALOGUE if t.visibility is Visibility.PUBLIC], ids=lambda t: t.name
)
def test_public_topics_carry_no_personal_data(topic: Topic) -> None:
    for model in topic.events:
        fields = _field_names(json.loads(json.dumps(model.model_json_schema())))
        assert not fields & PERSONAL_FIELDS, (model.__name__, fields & PERSONAL_FIELDS)


def test_topic_lookup_by_name() -> None:
    assert topic_named("contest.votes.v1").key == "voter_key"
    with pytest.raises(KeyError):
        topic_named("contest.nothing.v1")


def test_the_events_page_lists_every_topic_with_its_partitions_and_key() -> None:
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "events.md").read_text("utf-8")
    for topic in CATALOGUE:
        assert f"| `{topic.name}` | {topic.partitions} | `{topic.key}` |" in page, topic.name
