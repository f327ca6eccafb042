"""Committed schemas: one JSON Schema per event payload and an AsyncAPI 3.0 document.

``python -m contest_contracts.schemas write`` regenerates ``contracts/schemas/`` from the
models; ``python -m contest_contracts.schemas check`` fails when a model changed
incompatibly with its committed schema or the committed files are stale.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic.json_schema import models_json_schema

from contest_contracts.compatibility import breaking_changes
from contest_contracts.envelope import EventData
from contest_contracts.events import ALL_EVENTS
from contest_contracts.topics import CATALOGUE, PLATFORM_SERVICES, Topic
from contest_contracts.wire import REQUIRED_HEADERS

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "schemas"
ASYNCAPI_FILE = "asyncapi.yaml"

Schema = dict[str, Any]


def schema_file_name(model: type[EventData]) -> str:
    """``<event type>.v<major>.json``, e.g. ``kz.contest.vote.cast.v1.json``."""
    return f"{model.event_type}.v{model.schema_version}.json"


def event_schema(model: type[EventData]) -> Schema:
    """The JSON Schema of one payload, with the event type and version it describes."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:kz-contest:schema:{model.event_type}:v{model.schema_version}",
        "x-event-type": model.event_type,
        "x-schema-version": model.schema_version,
        **schema,
    }


HEADERS_SCHEMA: Schema = {
    "type": "object",
    "description": "CloudEvents attributes in binary mode (see contest_contracts.wire).",
    "required": list(REQUIRED_HEADERS),
    "properties": {
        "ce_id": {"type": "string", "description": "Event id, UUIDv7."},
        "ce_type": {"type": "string", "description": "Event type."},
        "ce_source": {"type": "string", "description": "Producing service, e.g. /contest/intake."},
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_time": {"type": "string", "format": "date-time", "description": "UTC."},
        "ce_subject": {"type": "string", "description": "Entity key; equals the record key."},
        "ce_correlationid": {"type": "string", "description": "Business flow id."},
        "ce_causationid": {"type": "string", "description": "Causing event or request id."},
        "ce_schemaversion": {
            "type": "string",
            "description": "Payload schema major version; always written by the platform. A "
            "record without it is read as the type's current major version.",
        },
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _channel_id(topic: Topic) -> str:
    return topic.name.replace(".", "_")


def asyncapi_document() -> Schema:
    """An AsyncAPI 3.0 document of every topic, message and service operation."""
    _, definitions = models_json_schema(
        [(model, "validation") for model in ALL_EVENTS],
        ref_template="#/components/schemas/{model}",
    )
    schemas: Schema = {
        name: _asyncapi_schema(schema)
        for name, schema in {"CloudEventHeaders": HEADERS_SCHEMA, **definitions["$defs"]}.items()
    }
    messages = {
        model.__name__: {
            "name": model.event_type,
            "title": model.__name__,
            "summary": (model.__doc__ or "").strip().splitlines()[0],
            "contentType": "application/json",
            "headers": {"$ref": "#/components/schemas/CloudEventHeaders"},
            "payload": {"$ref": f"#/components/schemas/{model.__name__}"},
            "x-schema-version": model.schema_version,
        }
        for model in ALL_EVENTS
    }
    channels: Schema = {}
    operations: Schema = {}
    for topic in CATALOGUE:
        channel = _channel_id(topic)
        channel_messages = {
            m.__name__: {"$ref": f"#/components/messages/{m.__name__}"} for m in topic.events
        }
        channels[channel] = {
            "address": topic.name,
            "description": topic.description,
            "messages": channel_messages,
            "x-visibility": topic.visibility.value,
            "x-key": topic.key,
            "x-dead-letter-topic": topic.dead_letter,
            "bindings": {
                "kafka": {
                    "topic": topic.name,
                    "partitions": topic.partitions,
                    "topicConfiguration": {"cleanup.policy": [topic.cleanup.value]},
                }
            },
        }
        refs = [{"$ref": f"#/channels/{channel}/messages/{name}"} for name in channel_messages]
        for role, action in ((topic.producers, "send"), (topic.consumers, "receive")):
            for party in role:
                operations[f"{party}_{action}_{channel}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{channel}"},
                    "messages": refs,
                    "x-party": party if party in PLATFORM_SERVICES else f"external:{party}",
                }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Contest platform events",
            "version": "1.0.0",
            "description": (
                "Kafka topics of the national contest platform. Envelopes travel in "
                "CloudEvents binary mode: attributes as ce_* headers, payload as JSON body, "
                "record key = subject."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {"host": "kafka:9092", "protocol": "kafka", "description": "Cluster."}
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": schemas, "messages": messages},
    }


def _asyncapi_schema(schema: Any) -> Any:
    """``schema`` as AsyncAPI's Schema Object reads it: its ``discriminator`` is the property's
    name, where pydantic writes OpenAPI's object (``propertyName`` and ``mapping``); the
    ``oneOf`` beside it still names every alternative."""
    if isinstance(schema, list):
        return [_asyncapi_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: _asyncapi_schema(value) for key, value in schema.items()}
    discriminator = converted.get("discriminator")
    if isinstance(discriminator, dict) and "propertyName" in discriminator:
        converted["discriminator"] = discriminator["propertyName"]
    return converted


def _dump_json(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _dump_yaml(document: Schema) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def generated_files() -> dict[str, str]:
    """File name to content, for every file the schema directory must hold."""
    files = {schema_file_name(model): _dump_json(event_schema(model)) for model in ALL_EVENTS}
    files[ASYNCAPI_FILE] = _dump_yaml(asyncapi_document())
    return files


def write(directory: Path = DEFAULT_DIRECTORY) -> list[str]:
    """Write every schema file; returns the names written."""
    directory.mkdir(parents=True, exist_ok=True)
    files = generated_files()
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    return sorted(files)


def incompatibilities(directory: Path = DEFAULT_DIRECTORY) -> dict[str, list[str]]:
    """Breaking changes of each model against its committed schema (empty lists are omitted).

    A model without a committed schema is new and compatible by definition.
    """
    found: dict[str, list[str]] = {}
    for model in ALL_EVENTS:
        committed = directory / schema_file_name(model)
        if not committed.exists():
            continue
        problems = breaking_changes(json.loads(committed.read_text("utf-8")), event_schema(model))
        if problems:
            found[schema_file_name(model)] = problems
    return found


def stale_files(directory: Path = DEFAULT_DIRECTORY) -> list[str]:
    """Committed files that differ from what the models generate now, or are missing."""
    stale = []
    for name, content in generated_files().items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != content:
            stale.append(name)
    return sorted(stale)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``write`` regenerates, ``check`` reports breaking changes and stale files."""
    parser = argparse.ArgumentParser(prog="python -m contest_contracts.schemas")
    parser.add_argument("command", choices=["write", "check"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIRECTORY)
    arguments = parser.parse_args(argv)
    breaking = incompatibilities(arguments.dir)
    for name, problems in breaking.items():
        for problem in problems:
            print(f"BREAKING {name}: {problem}", file=sys.stderr)
    if breaking:
        print(
            "A breaking change needs a new topic version (.v2); nothing written.", file=sys.stderr
        )
        return 1
    if arguments.command == "write":
        for name in write(arguments.dir):
            print(f"wrote {arguments.dir / name}")
        return 0
    stale = stale_files(arguments.dir)
    for name in stale:
        print(f"STALE {name}: run `./dev schemas`", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
