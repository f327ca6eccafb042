"""Every event payload of the platform, and the registry from event type to model."""

from __future__ import annotations

from contest_contracts.envelope import EventData
from contest_contracts.events.applications import (
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
)
from contest_contracts.events.contest import ContestDefined, ContestUpdated
from contest_contracts.events.judging import (
    FinalistsSelected,
    JurorAssigned,
    ResultsPublished,
    ScoreRecorded,
)
from contest_contracts.events.ministry import ApplicationFiled, ApplicationFilingAnswered
from contest_contracts.events.notifications import (
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
)
from contest_contracts.events.stages import StageClosed, StageOpened
from contest_contracts.events.voting import TallyUpdated, VoteCast

ALL_EVENTS: tuple[type[EventData], ...] = (
    ContestDefined,
    ContestUpdated,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ApplicationScreened,
    StageOpened,
    StageClosed,
    JurorAssigned,
    ScoreRecorded,
    FinalistsSelected,
    ResultsPublished,
    VoteCast,
    TallyUpdated,
    NotificationRequested,
    NotificationDelivered,
    NotificationFailed,
    ApplicationFiled,
    ApplicationFilingAnswered,
)

EVENT_TYPES: dict[str, type[EventData]] = {model.event_type: model for model in ALL_EVENTS}
"""Event type (CloudEvents ``type``) to payload model."""

__all__ = [
    "ALL_EVENTS",
    "EVENT_TYPES",
    "ApplicationFiled",
    "ApplicationFilingAnswered",
    "ApplicationScreened",
    "ApplicationSubmitted",
    "ApplicationUpdated",
    "ApplicationWithdrawn",
    "ContestDefined",
    "ContestUpdated",
    "FinalistsSelected",
    "JurorAssigned",
    "NotificationDelivered",
    "NotificationFailed",
    "NotificationRequested",
    "ResultsPublished",
    "ScoreRecorded",
    "StageClosed",
    "StageOpened",
    "TallyUpdated",
    "VoteCast",
]
