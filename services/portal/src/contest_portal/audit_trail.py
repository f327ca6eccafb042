"""One audit trail of a contest from its three logs (pure): judging's audit log, intake's
changes of the vote's visibility and voting's invalidations, merged newest first and
narrowed by who, what and which Kazakhstan days.

Each service keeps its own log in its own shape; the operator's page reads them as one list
of :class:`Happening`, so that "what did this person do last Tuesday" is one question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from contest_portal.formats import KAZAKHSTAN_TIME

VISIBILITY_CHANGED = "visibility_changed"
"""Intake's action for a change of the vote's visibility."""
BALLOTS_INVALIDATED = "ballots.invalidated"
"""The trail's action for one of voting's invalidations (voting's records name none)."""

ACTIONS = (
    "commission.created",
    "commission.replaced",
    "stage.opened",
    "stage.closed",
    "juror.assigned",
    "assignment.ended",
    "conflict.declared",
    "sheet.recorded",
    "special_prize.given",
    "special_prize.withdrawn",
    "results.published",
    VISIBILITY_CHANGED,
    BALLOTS_INVALIDATED,
)
"""The actions the page names in words, in the order its filter offers them."""


@dataclass(frozen=True)
class Happening:
    """One entry of the trail: when, who, what, about what, from which service."""

    at: datetime
    who: str
    action: str
    about: str
    source: str
    """``judging``, ``intake`` or ``voting``."""
    detail: Mapping[str, Any]


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def from_judging(entries: Iterable[Mapping[str, Any]]) -> list[Happening]:
    """Judging's audit entries (``at``, ``actor``, ``action``, ``subject``, ``detail``)."""
    return [
        Happening(
            at=_moment(e["at"]),
            who=str(e["actor"]),
            action=str(e["action"]),
            about=str(e["subject"]),
            source="judging",
            detail=dict(e.get("detail") or {}),
        )
        for e in entries
    ]


def from_intake(contest_id: str, changes: Iterable[Mapping[str, Any]]) -> list[Happening]:
    """Intake's visibility changes (``at``, ``by``, ``previous``, ``visibility``,
    ``revision``, ``forced``): each is about the contest's definition."""
    return [
        Happening(
            at=_moment(c["at"]),
            who=str(c["by"]),
            action=str(c.get("action") or VISIBILITY_CHANGED),
            about=contest_id,
            source="intake",
            detail={k: c[k] for k in ("previous", "visibility", "revision", "forced") if k in c},
        )
        for c in changes
    ]


def from_voting(invalidations: Iterable[Mapping[str, Any]]) -> list[Happening]:
    """Voting's invalidations (``invalidation_id``, ``at``, ``by``, ``reason``,
    ``ballots_invalidated``)."""
    return [
        Happening(
            at=_moment(i["at"]),
            who=str(i["by"]),
            action=BALLOTS_INVALIDATED,
            about=str(i["invalidation_id"]),
            source="voting",
            detail={
                "reason": i.get("reason", ""),
                "ballots": sum((i.get("ballots_invalidated") or {}).values()),
            },
        )
        for i in invalidations
    ]


def merged(*logs: Sequence[Happening]) -> list[Happening]:
    """Every log's entries in one list, newest first (a stable sort: entries of one moment
    keep their log's order, reversed with it)."""
    every = [happening for log in logs for happening in log]
    return sorted(every, key=lambda h: h.at, reverse=True)


@dataclass(frozen=True)
class Narrowing:
    """What the reader asked to see: an exact subject, an action, Kazakhstan days from and
    to (both included); ``None`` asks for every one."""

    who: str | None = None
    action: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def narrowing(query: Mapping[str, str]) -> tuple[Narrowing, dict[str, str]]:
    """The narrowing the filter form asks for (``who``, ``action``, ``from``, ``to``) and
    its problems by field (``unreadable_day``, ``days_reversed``). A field with a problem
    narrows nothing."""
    problems: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for field in ("from", "to"):
        written = query.get(field, "").strip()
        days[field] = None
        if written:
            try:
                days[field] = date.fromisoformat(written)
            except ValueError:
                problems[field] = "unreadable_day"
    start, end = days["from"], days["to"]
    if start and end and end < start:
        problems["to"] = "days_reversed"
        end = None
    return (
        Narrowing(
            who=query.get("who", "").strip() or None,
            action=query.get("action", "").strip() or None,
            day_from=start,
            day_to=end,
        ),
        problems,
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), KAZAKHSTAN_TIME)


def narrowed(happenings: Iterable[Happening], by: Narrowing) -> list[Happening]:
    """The happenings that match every part of ``by``, in their order."""
    since = _day_start(by.day_from) if by.day_from else None
    until = _day_start(by.day_to + timedelta(days=1)) if by.day_to else None
    return [
        h
        for h in happenings
        if (by.who is None or h.who == by.who)
        and (by.action is None or h.action == by.action)
        and (since is None or h.at >= since)
        and (until is None or h.at < until)
    ]
