"""The AsyncAPI document as the ministry's and the regions' teams would use it: the official
parser (`@asyncapi/parser`) reads it without an error, and Modelina's Python models, generated
from it with the standard tooling, read a real event of the results topic.

The tools come from the npm registry, pinned by `contracts/asyncapi-tools/package-lock.json`
(`./dev test` installs them)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml

from contest_contracts.events.judging import NominationResult, PlaceAward, ResultsPublished
from contest_contracts.schemas import ASYNCAPI_FILE, DEFAULT_DIRECTORY

TOOLS = Path(__file__).parents[1] / "asyncapi-tools"
DOCUMENT = DEFAULT_DIRECTORY / ASYNCAPI_FILE


def _node(script: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(TOOLS / script), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=TOOLS,
    )


def test_the_official_parser_reads_the_document_without_an_error() -> None:
    parsed = _node("validate.mjs", DOCUMENT)
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    assert "0 errors; parsed" in parsed.stdout


def test_the_parser_refuses_the_openapi_discriminator_pydantic_writes(tmp_path: Path) -> None:
    """The check can fail: the document as it was before discriminators were written as
    AsyncAPI reads them (12 errors then)."""
    document = yaml.safe_load(DOCUMENT.read_text("utf-8"))
    summary = document["components"]["schemas"]["StageClosed"]["properties"]["summary"]
    summary["discriminator"] = {"propertyName": summary["discriminator"]}
    broken = tmp_path / "asyncapi.yaml"
    broken.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    parsed = _node("validate.mjs", broken)
    assert parsed.returncode == 1
    assert "discriminator" in parsed.stdout


def _events() -> dict[str, str]:
    """A real event of the results topic (public: the regions' systems read it), as the
    platform writes its payload. (Modelina 5's pydantic models of `StageClosed` do not
    import: its `summary` union is discriminated by `stage`, which Modelina types as an enum
    where pydantic needs a literal; see docs/events.md, "Schemas and evolution".)"""
    at = datetime(2025, 11, 20, 9, 30, tzinfo=UTC)
    results = ResultsPublished(
        contest_id="social-protection-2025",
        nominations=[
            NominationResult(
                nomination_code="social-project",
                places=[
                    PlaceAward(
                        place=1,
                        application_id="01a2-aa",
                        title="Ата-аналар мектебі",
                        display_name="ҚБ «Қамқор»",
                        region_code="KZ-71",
                        score=8.75,
                        grant_tenge=3_000_000,
                    )
                ],
            )
        ],
        published_at=at,
    )
    return {
        "results_published.ResultsPublished": results.model_dump_json(),
    }


def test_modelinas_python_models_read_a_real_event_of_the_results_topic(tmp_path: Path) -> None:
    generated = _node(
        "models.mjs", DOCUMENT, tmp_path, "asyncapimodels"
    )  # the name its imports use
    assert generated.returncode == 0, generated.stdout + generated.stderr
    reader = (
        "import importlib, json, sys\n"
        "events = json.loads(sys.argv[1])\n"
        "read = {}\n"
        "for name, payload in events.items():\n"
        "    module, model = name.split('.')\n"
        "    cls = getattr(importlib.import_module(f'asyncapimodels.{module}'), model)\n"
        "    read[name] = cls.model_validate_json(payload).model_dump(mode='json')\n"
        "print(json.dumps(read))\n"
    )
    events = _events()
    done = subprocess.run(
        [sys.executable, "-c", reader, json.dumps(events)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    results = read["results_published.ResultsPublished"]
    assert results["contest_id"] == "social-protection-2025"
    assert results["nominations"][0]["places"][0]["display_name"] == "ҚБ «Қамқор»"
    assert results["nominations"][0]["places"][0]["grant_tenge"] == 3_000_000
