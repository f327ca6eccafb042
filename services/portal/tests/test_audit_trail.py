"""The audit trail's pure rules: three logs merged newest first, narrowed by who, what and
Kazakhstan days, and a filter form's bad days named by their field."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contest_portal.audit_trail import (
    BALLOTS_INVALIDATED,
    VISIBILITY_CHANGED,
    Narrowing,
    from_intake,
    from_judging,
    from_voting,
    merged,
    narrowed,
    narrowing,
)

JUDGING = [
    {
        "entry_id": "1",
        "at": "2025-10-20T18:30:00Z",  # 23:30 in Kazakhstan, still the 20th
        "actor": "op-1",
        "action": "commission.created",
        "subject": "c/regional/KZ-71",
        "detail": {"members": []},
    },
    {
        "entry_id": "2",
        "at": "2025-10-20T19:30:00Z",  # 00:30 of the 21st in Kazakhstan
        "actor": "op-2",
        "action": "commission.replaced",
        "subject": "c/regional/KZ-71",
        "detail": {},
    },
]
INTAKE = [
    {
        "action": "visibility_changed",
        "at": "2025-10-19T10:00:00+00:00",
        "by": "op-1",
        "previous": "live",
        "visibility": "hidden",
        "revision": 2,
        "forced": False,
    }
]
VOTING = [
    {
        "invalidation_id": "inv-1",
        "at": datetime(2025, 10, 22, 8, 0, tzinfo=UTC),
        "by": "op-2",
        "reason": "SIM farm",
        "ballots_invalidated": {"a": 2, "b": 1},
    }
]


def test_the_three_logs_are_merged_newest_first_with_their_service() -> None:
    trail = merged(from_judging(JUDGING), from_intake("c", INTAKE), from_voting(VOTING))
    assert [(h.action, h.source) for h in trail] == [
        (BALLOTS_INVALIDATED, "voting"),
        ("commission.replaced", "judging"),
        ("commission.created", "judging"),
        (VISIBILITY_CHANGED, "intake"),
    ]
    assert trail[0].detail == {"reason": "SIM farm", "ballots": 3}
    assert trail[-1].about == "c" and trail[-1].detail["visibility"] == "hidden"


def test_who_and_what_narrow_exactly() -> None:
    trail = merged(from_judging(JUDGING), from_intake("c", INTAKE), from_voting(VOTING))
    assert [h.action for h in narrowed(trail, Narrowing(who="op-1"))] == [
        "commission.created",
        VISIBILITY_CHANGED,
    ]
    assert narrowed(trail, Narrowing(who="op")) == []  # exact, not a part of the subject
    only = narrowed(trail, Narrowing(action="commission.replaced"))
    assert [h.who for h in only] == ["op-2"]
    assert narrowed(trail, Narrowing(who="op-1", action="commission.replaced")) == []


def test_days_are_kazakhstan_days_both_included() -> None:
    trail = merged(from_judging(JUDGING), from_intake("c", INTAKE), from_voting(VOTING))
    twentieth = narrowed(trail, Narrowing(day_from=date(2025, 10, 20), day_to=date(2025, 10, 20)))
    assert [h.action for h in twentieth] == ["commission.created"]
    from_21st = narrowed(trail, Narrowing(day_from=date(2025, 10, 21)))
    assert [h.action for h in from_21st] == [BALLOTS_INVALIDATED, "commission.replaced"]
    until_20th = narrowed(trail, Narrowing(day_to=date(2025, 10, 20)))
    assert [h.action for h in until_20th] == ["commission.created", VISIBILITY_CHANGED]


def test_the_filter_form_reads_its_fields_and_names_bad_days() -> None:
    read, problems = narrowing(
        {"who": " op-1 ", "action": "stage.closed", "from": "2025-10-01", "to": ""}
    )
    assert problems == {}
    assert read == Narrowing(who="op-1", action="stage.closed", day_from=date(2025, 10, 1))
    read, problems = narrowing({"from": "20.10.2025", "to": "2025-02-30"})
    assert problems == {"from": "unreadable_day", "to": "unreadable_day"}
    assert read == Narrowing()
    read, problems = narrowing({"from": "2025-10-21", "to": "2025-10-20"})
    assert problems == {"to": "days_reversed"}
    assert read == Narrowing(day_from=date(2025, 10, 21))
    assert narrowing({"who": "", "action": ""}) == (Narrowing(), {})
