"""Structured logs."""

from __future__ import annotations

import json
import logging

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
