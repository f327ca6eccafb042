"""The console's notifications pages' rules, without services: a delivery's last error
told apart for its sentence, the log's filters, and notifications' refusals by field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from contest_portal.pages.operator.notifications import (
    STAFF_REFUSALS,
    WEBHOOK_REFUSALS,
    field_problems,
    log_filters,
)
from contest_portal.services.calls import Refused
from contest_portal.services.notifications_console import WEBHOOK_EVENT_TYPES, Delivery


def _delivery(*errors: str | None) -> Delivery:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    return Delivery(
        key="n/webhook/w",
        notification_id="n",
        channel="webhook",
        recipient_id="w",
        address="https://region.example.kz/events",
        template="webhook",
        event_id="n",
        status="failed",
        attempts=[{"at": moment, "error": error} for error in errors],
        created_at=moment,
    )


def test_each_kind_of_failure_is_told_apart_from_notifications_error() -> None:
    answered = _delivery(
        "ConnectError: All connection attempts failed",
        "HTTPStatusError: Server error '503 Service Unavailable' for url 'https://x/events'",
    )
    assert (answered.failure, answered.answer_status) == ("refused_answer", "503")
    cases = {
        "ConnectError: All connection attempts failed": "unreachable",
        "ConnectTimeout: timed out": "timeout",
        "TimeoutError: ": "timeout",
        "recipient opted out": "opted_out",
        "no template 'sheet_due' in any language": "template",
        "SMTPDataError: 554 rejected": "other",
    }
    for error, kind in cases.items():
        assert _delivery(error).failure == kind, error
    assert _delivery().failure is None and _delivery(None).last_error is None
    assert _delivery("ConnectError: port 5000").answer_status is None


def test_a_filter_notifications_does_not_have_is_no_filter() -> None:
    given = {"status": "lost", "recipient_id": " w-1 ", "event_id": "e" * 201, "other": "x"}
    assert log_filters(given) == {
        "status": "",
        "recipient_id": "w-1",
        "notification_id": "",
        "event_id": "",
    }
    assert log_filters({"status": "failed"})["status"] == "failed"


def _validation(*fields: str) -> Refused:
    errors: list[dict[str, Any]] = [
        {"location": ["body", field], "kind": "value_error", "message": "no"} for field in fields
    ]
    return Refused(422, "validation_failed", errors=errors)


def test_refusals_are_said_by_their_field_once_each() -> None:
    refused = _validation("url", "secret", "url")
    assert field_problems(refused, WEBHOOK_REFUSALS, "url") == [
        ("webhook_url_invalid", "url"),
        ("webhook_secret_short", "secret"),
    ]
    assert field_problems(_validation("event_types"), WEBHOOK_REFUSALS, "url") == [
        ("webhook_events_missing", "event_types")
    ]
    assert field_problems(_validation("email", "roles"), STAFF_REFUSALS, "name") == [
        ("email_invalid", "email"),
        ("roles_missing", "roles"),
    ]
    region = Refused(422, "region_required")
    assert field_problems(region, STAFF_REFUSALS, "name") == [("region_required", "region_code")]
    # a refusal naming no field of the form is said at its first field
    other = Refused(409, "conflict")
    assert field_problems(other, STAFF_REFUSALS, "name") == [("notifications_refused", "name")]
    assert field_problems(_validation("body"), WEBHOOK_REFUSALS, "url") == [
        ("notifications_refused", "url")
    ]


def test_the_events_offered_are_the_public_ones_but_definitions() -> None:
    assert "kz.contest.stage.closed" in WEBHOOK_EVENT_TYPES
    assert "kz.contest.results.published" in WEBHOOK_EVENT_TYPES
    assert not any(t.startswith("kz.contest.contest.") for t in WEBHOOK_EVENT_TYPES)
    assert "kz.contest.vote.cast" not in WEBHOOK_EVENT_TYPES
