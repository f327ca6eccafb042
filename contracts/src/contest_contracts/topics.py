"""The topic catalogue: every Kafka topic of the platform, what it carries, who writes and reads it.

Topic names are lowercase with dots and end in a major version (``.v1``); a breaking change
to a payload means a new ``.v2`` topic. Every consumed topic has a dead-letter topic
``<name>.dlq`` that receives records the consumer could not decode or handle, and records
a producing service's outbox could not publish because the broker refused them for good.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contest_contracts.envelope import EventData
from contest_contracts.events import (
    ApplicationFiled,
    ApplicationFilingAnswered,
    ApplicationScreened,
    ApplicationSubmitted,
    ApplicationUpdated,
    ApplicationWithdrawn,
    ContestDefined,
    ContestUpdated,
    FinalistsSelected,
    JurorAssigned,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    ResultsPublished,
    ScoreRecorded,
    StageClosed,
    StageOpened,
    TallyUpdated,
    VoteCast,
)

INTAKE = "intake"
JUDGING = "judging"
VOTING = "voting"
NOTIFICATIONS = "notifications"
MINISTRY = "ministry"
REGIONAL_SYSTEMS = "regional-systems"

PLATFORM_SERVICES = (INTAKE, JUDGING, VOTING, NOTIFICATIONS)

DEAD_LETTER_SUFFIX = ".dlq"


class Cleanup(StrEnum):
    """Kafka ``cleanup.policy``: keep a time window, or the latest record per key."""

    DELETE = "delete"
    COMPACT = "compact"


class Visibility(StrEnum):
    """Who may read a topic."""

    PUBLIC = "public"
    """No personal or confidential data: the ministry, regional systems, anyone authorised."""
    RESTRICTED = "restricted"
    """Personal data (IIN/BIN, contacts, phone hashes) or confidential scores: platform only."""


@dataclass(frozen=True)
class Topic:
    """One topic of the catalogue."""

    name: str
    partitions: int
    key: str
    cleanup: Cleanup
    events: tuple[type[EventData], ...]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    visibility: Visibility
    description: str
    retention_ms: int | None = None
    config: dict[str, str] = field(default_factory=dict)

    @property
    def dead_letter(self) -> str:
        """Name of this topic's dead-letter topic."""
        return self.name + DEAD_LETTER_SUFFIX

    def carries(self, event_type: str) -> bool:
        """Whether events of this type belong on this topic."""
        return any(model.event_type == event_type for model in self.events)

    def kafka_config(self) -> dict[str, str]:
        """Topic-level Kafka configuration used when the topic is created."""
        settings = {"cleanup.policy": self.cleanup.value, **self.config}
        if self.retention_ms is not None:
            settings["retention.ms"] = str(self.retention_ms)
        return settings


_DAY_MS = 24 * 60 * 60 * 1000

CONTEST_DEFINITIONS = Topic(
    name="contest.definitions.v1",
    partitions=3,
    key="contest_id",
    cleanup=Cleanup.COMPACT,
    events=(ContestDefined, ContestUpdated),
    producers=(INTAKE,),
    consumers=(JUDGING, VOTING, NOTIFICATIONS, MINISTRY),
    visibility=Visibility.PUBLIC,
    description="The current definition of every contest edition (latest per contest id).",
)

APPLICATIONS = Topic(
    name="contest.applications.v1",
    partitions=6,
    key="application_id",
    cleanup=Cleanup.DELETE,
    events=(ApplicationSubmitted, ApplicationUpdated, ApplicationWithdrawn, ApplicationScreened),
    producers=(INTAKE,),
    consumers=(JUDGING, VOTING, NOTIFICATIONS, MINISTRY),
    visibility=Visibility.RESTRICTED,
    description="Application lifecycle with applicant identity and contact.",
    retention_ms=400 * _DAY_MS,
)

STAGES = Topic(
    name="contest.stages.v1",
    partitions=3,
    key="contest_id",
    cleanup=Cleanup.DELETE,
    events=(StageOpened, StageClosed),
    producers=(INTAKE, JUDGING, VOTING),
    consumers=(INTAKE, JUDGING, VOTING, NOTIFICATIONS, MINISTRY, REGIONAL_SYSTEMS),
    visibility=Visibility.PUBLIC,
    description="Stages opening and closing, with each closed stage's summary.",
    retention_ms=400 * _DAY_MS,
)

ASSIGNMENTS = Topic(
    name="contest.judging.assignments.v1",
    partitions=3,
    key="juror_id",
    cleanup=Cleanup.DELETE,
    events=(JurorAssigned,),
    producers=(JUDGING,),
    consumers=(NOTIFICATIONS,),
    visibility=Visibility.RESTRICTED,
    description="Which juror scores which application.",
    retention_ms=400 * _DAY_MS,
)

SCORES = Topic(
    name="contest.judging.scores.v1",
    partitions=3,
    key="application_id",
    cleanup=Cleanup.DELETE,
    events=(ScoreRecorded,),
    producers=(JUDGING,),
    consumers=(NOTIFICATIONS, MINISTRY),
    visibility=Visibility.RESTRICTED,
    description="Score sheets as jurors submit and change them (confidential until close).",
    retention_ms=400 * _DAY_MS,
)

FINALISTS = Topic(
    name="contest.finalists.v1",
    partitions=3,
    key="contest_id",
    cleanup=Cleanup.COMPACT,
    events=(FinalistsSelected,),
    producers=(JUDGING,),
    consumers=(INTAKE, VOTING, NOTIFICATIONS, MINISTRY, REGIONAL_SYSTEMS),
    visibility=Visibility.PUBLIC,
    description="The finalists of each contest (latest list per contest id).",
)

VOTES = Topic(
    name="contest.votes.v1",
    partitions=12,
    key="voter_key",
    cleanup=Cleanup.DELETE,
    events=(VoteCast,),
    producers=(VOTING,),
    consumers=(VOTING,),
    visibility=Visibility.RESTRICTED,
    description="Votes accepted from verified voters; the tally consumer counts them.",
    retention_ms=400 * _DAY_MS,
)

TALLIES = Topic(
    name="contest.tallies.v1",
    partitions=3,
    key="contest_id:nomination_code",
    cleanup=Cleanup.COMPACT,
    events=(TallyUpdated,),
    producers=(VOTING,),
    consumers=(NOTIFICATIONS, MINISTRY, REGIONAL_SYSTEMS),
    visibility=Visibility.PUBLIC,
    description="Public view of each running tally, limited by the contest's visibility rule.",
)

RESULTS = Topic(
    name="contest.results.v1",
    partitions=3,
    key="contest_id",
    cleanup=Cleanup.COMPACT,
    events=(ResultsPublished,),
    producers=(JUDGING,),
    consumers=(INTAKE, NOTIFICATIONS, MINISTRY, REGIONAL_SYSTEMS),
    visibility=Visibility.PUBLIC,
    description="Published results of each contest (latest per contest id).",
)

NOTIFICATION_REQUESTS = Topic(
    name="contest.notifications.requests.v1",
    partitions=6,
    key="recipient_id",
    cleanup=Cleanup.DELETE,
    events=(NotificationRequested,),
    producers=(INTAKE, JUDGING, VOTING),
    consumers=(NOTIFICATIONS,),
    visibility=Visibility.RESTRICTED,
    description="Messages to send (bulk and routine).",
    retention_ms=30 * _DAY_MS,
)

NOTIFICATION_PRIORITY = Topic(
    name="contest.notifications.priority.v1",
    partitions=6,
    key="recipient_id",
    cleanup=Cleanup.DELETE,
    events=(NotificationRequested,),
    producers=(VOTING,),
    consumers=(NOTIFICATIONS,),
    visibility=Visibility.RESTRICTED,
    description="One-time codes: a separate topic so bulk messages can never delay them.",
    retention_ms=1 * _DAY_MS,
)

NOTIFICATION_OUTCOMES = Topic(
    name="contest.notifications.outcomes.v1",
    partitions=3,
    key="notification_id",
    cleanup=Cleanup.DELETE,
    events=(NotificationDelivered, NotificationFailed),
    producers=(NOTIFICATIONS,),
    consumers=(INTAKE, MINISTRY),
    visibility=Visibility.RESTRICTED,
    description="Delivery outcomes (no addresses, but recipient ids).",
    retention_ms=30 * _DAY_MS,
)

MINISTRY_FILINGS = Topic(
    name="contest.ministry.filings.v1",
    partitions=3,
    key="request_id",
    cleanup=Cleanup.DELETE,
    events=(ApplicationFiled,),
    producers=(MINISTRY,),
    consumers=(INTAKE,),
    visibility=Visibility.RESTRICTED,
    description="Applications filed by the ministry's systems; each one is answered.",
    retention_ms=30 * _DAY_MS,
)

MINISTRY_ANSWERS = Topic(
    name="contest.ministry.answers.v1",
    partitions=3,
    key="request_id",
    cleanup=Cleanup.DELETE,
    events=(ApplicationFilingAnswered,),
    producers=(INTAKE,),
    consumers=(MINISTRY,),
    visibility=Visibility.RESTRICTED,
    description="Accepted or rejected, with reasons, for every filing (by request id).",
    retention_ms=30 * _DAY_MS,
)

CATALOGUE: tuple[Topic, ...] = (
    CONTEST_DEFINITIONS,
    APPLICATIONS,
    STAGES,
    ASSIGNMENTS,
    SCORES,
    FINALISTS,
    VOTES,
    TALLIES,
    RESULTS,
    NOTIFICATION_REQUESTS,
    NOTIFICATION_PRIORITY,
    NOTIFICATION_OUTCOMES,
    MINISTRY_FILINGS,
    MINISTRY_ANSWERS,
)


def topic_named(name: str) -> Topic:
    """The catalogue entry of a topic; ``KeyError`` when there is none."""
    for topic in CATALOGUE:
        if topic.name == name:
            return topic
    raise KeyError(name)


def dead_letter_topic(topic: Topic) -> Topic:
    """The dead-letter topic of ``topic``: one partition, 30 days, any payload."""
    return Topic(
        name=topic.dead_letter,
        partitions=1,
        key="original key",
        cleanup=Cleanup.DELETE,
        events=(),
        producers=topic.consumers
        + tuple(p for p in topic.producers if p in PLATFORM_SERVICES and p not in topic.consumers),
        consumers=(),
        visibility=Visibility.RESTRICTED,
        description=f"Records of {topic.name} that a consumer could not decode or handle, "
        "or that the broker refused from a producer's outbox (their value left out when too "
        "large: the producer's store keeps them whole).",
        retention_ms=30 * _DAY_MS,
    )


def topics_to_create(catalogue: tuple[Topic, ...] = CATALOGUE) -> tuple[Topic, ...]:
    """Every topic to create: the catalogue and a dead-letter topic for each of its topics."""
    return catalogue + tuple(dead_letter_topic(topic) for topic in catalogue)
