"""Structured logs, and events that carry the correlation id of their flow."""

from __future__ import annotations

import json
import logging

from contest_contracts.events import StageOpened
from contest_contracts.samples import SAMPLES
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.logs import JsonFormatter, correlated


def test_log_lines_are_json_with_the_correlation_id() -> None:
    formatter = JsonFormatter("voting")
    record = logging.makeLogRecord(
        {"name": "voting.api", "levelname": "INFO", "msg": "vote accepted %s", "args": ("r1",)}
    )
    record.receipt_id = "r1"
    with correlated("corr-7"):
        line = json.loads(formatter.format(record))
    assert line["message"] == "vote accepted r1"
    assert line["service"] == "voting"
    assert line["correlation_id"] == "corr-7"
    assert line["receipt_id"] == "r1"


def test_a_new_event_joins_the_flow_it_is_made_in() -> None:
    data = SAMPLES[StageOpened]
    with correlated("request-7"):
        in_request = envelope_in_flow(data, source="/contest/test", subject="c")
        caused = envelope_in_flow(data, source="/contest/test", subject="c", causation=in_request)
    outside = envelope_in_flow(data, source="/contest/test", subject="c")
    assert in_request.correlation_id == "request-7"
    assert caused.correlation_id == "request-7"
    assert caused.causation_id == in_request.id
    assert outside.correlation_id == outside.id  # a flow of its own


def test_a_line_about_text_with_half_a_surrogate_pair_is_still_written() -> None:
    """Bad input is exactly what an error line quotes: it must not fail the log write."""
    formatter = JsonFormatter("intake")
    record = logging.makeLogRecord(
        {"name": "intake.api", "levelname": "ERROR", "msg": "refused %s", "args": ("\ud83c",)}
    )
    record.title = "trophy \ud83c"
    line = formatter.format(record)
    assert json.loads(line.encode("utf-8"))["title"].startswith("trophy ")
