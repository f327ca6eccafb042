"""Notifications as its own process, crashing and coming back, with the other services and
the local inbox (mail server and SMS provider) as processes too.

1. Killed with SIGKILL while it is sending codes, and started again on the same database
   and consumer group: every code reaches the inbox, every delivery is logged delivered
   once, and only the messages in flight at the kill reach the inbox a second time, under
   the same ``client_ref`` (the delivery key a provider deduplicates by).
2. Down while a public vote runs: voting keeps taking votes and code requests, and the
   codes asked for meanwhile go out once notifications is back.

Each service has a database and consumer group of its own. Notifications first starts with
history on and is started again with it off, as deployments run it: after the crash, what
it reads comes from the group's committed offsets alone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import secrets
import signal
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from httpx import AsyncClient
from pymongo import AsyncMongoClient

from contest_contracts.common import StageKind
from contest_contracts.events.contest import (
    ContestDefined,
    PublicVoteRules,
    StageSchedule,
    TallyVisibility,
)
from contest_contracts.events.notifications import Channel, NotificationRequested, Recipient
from contest_contracts.samples import DEFINITION, finalists_selected
from contest_contracts.topics import CONTEST_DEFINITIONS, FINALISTS, NOTIFICATION_PRIORITY
from contest_local.embedded import LocalProcess, free_port
from contest_local.inbox import Inbox, inbox_process
from contest_local.infra import Endpoints, running_infrastructure
from contest_local.platform import RunningService, service_process, wait_until_ready
from contest_notifications.store.deliveries import DeliveryStatus, delivery_key
from contest_runtime.auth import AuthSettings, Role
from contest_runtime.kafka import EventPublisher, make_broker
from contest_runtime.mongo import Document, connect
from contest_runtime.settings import InfraSettings

pytestmark = pytest.mark.infra

log = logging.getLogger(__name__)

Eventually = Callable[..., Awaitable[None]]

CODES = 200
"""One-time codes asked for in the crash test."""
INBOX_DELAY_S = 0.05
"""How long the inbox (a slow provider) takes over each message before it answers: a send
the kill interrupts has mostly reached it already, and comes again after the restart."""
CHANNEL_TIMEOUT_S = 5.0
"""Far above the inbox's delay, so no send times out and is retried on its own; a claim's
lease is twice this (``dispatch.lease_ms``)."""
SENDERS_OF_A_CODE = 4
"""How many codes can be between their claim and its record at once, so how many can be
in flight at a kill: notifications runs with this many senders
(``NOTIFICATIONS_SEND_CONCURRENCY``), and both the consumers and the retry loop hand their
deliveries to them."""
NOMINATION = DEFINITION.nominations[0].code


@pytest.fixture(scope="module")
def infrastructure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    """A broker and store of these tests' own. They kill notifications and time how its
    consumer group comes back; on the session's broker, after hundreds of other tests' groups,
    the embedded broker answered a rejoined group's offset fetch with nothing, and the group
    started over at the topic's end (a broker state these tests are not about)."""
    with running_infrastructure(tmp_path_factory.mktemp("faults-infrastructure")) as endpoints:
        yield endpoints


@pytest.fixture(scope="module")
def infra_settings(infrastructure: Endpoints) -> InfraSettings:
    """Settings of this module's broker and store (as the session's are made)."""
    return InfraSettings(
        kafka_bootstrap_servers=infrastructure.kafka_bootstrap_servers,
        kafka_enable_idempotence=infrastructure.kafka_enable_idempotence,
        kafka_session_timeout_ms=infrastructure.kafka_session_timeout_ms,
        kafka_heartbeat_interval_ms=infrastructure.kafka_session_timeout_ms // 6,
        mongodb_uri=infrastructure.mongodb_uri,
        startup_timeout_s=90,
        kafka_join_timeout_s=15,
    )


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def mongo(infrastructure: Endpoints) -> AsyncIterator[AsyncMongoClient[Document]]:
    """A client of this module's store."""
    client = connect(infrastructure.mongodb_uri, app_name="fault-tests")
    yield client
    await client.close()


def a_phone() -> str:
    """A Kazakhstan mobile number nobody else in the session uses."""
    return f"+7701{random.randrange(10**7):07d}"


def code_for(phone: str) -> NotificationRequested:
    """The request voting publishes for a voter's one-time code."""
    return NotificationRequested(
        notification_id=f"voter-code-{uuid.uuid4().hex}",
        channel=Channel.SMS,
        recipient=Recipient(recipient_id=f"voter-{phone[1:]}", address=phone),
        template="voter_code",
        parameters={"code": f"{random.randrange(10**6):06d}", "minutes": "5"},
        essential=True,
    )


def key_of(request: NotificationRequested) -> str:
    """The delivery key notifications stores the request's SMS under."""
    return delivery_key(request.notification_id, request.channel, request.recipient.recipient_id)


def on_a_port_of_its_own(process: LocalProcess, name: str) -> LocalProcess:
    """The process moved to a free port: the default one may be another run's, and a
    restart must come back where the test's clients look for it."""
    port = free_port()
    environment = {**(process.environment or {}), f"{name.upper()}_HTTP_PORT": str(port)}
    return replace(process, port=port, environment=environment)


def notifications_process(
    infrastructure: Endpoints,
    workdir: Path,
    inbox: Inbox,
    auth: AuthSettings,
    name: str,
) -> LocalProcess:
    """Notifications sending to ``inbox``, on a database and consumer group named ``name``.

    History on: the new group reads the topics from their beginning, so no request of the
    test races the group's first look at where the topics end. A restart of the same group
    resumes from its committed offsets whatever this says.
    """
    environment = {
        **inbox.notifications_environment(),
        "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
        "NOTIFICATIONS_MONGODB_DATABASE": name,
        "NOTIFICATIONS_CONSUMER_GROUP": name,
        "NOTIFICATIONS_HISTORY": "true",
        "NOTIFICATIONS_CHANNEL_TIMEOUT_S": str(CHANNEL_TIMEOUT_S),
        "NOTIFICATIONS_RETRY_BASE_S": "0.2",
        "NOTIFICATIONS_RETRY_CAP_S": "0.5",
        "NOTIFICATIONS_DISPATCH_INTERVAL_S": "0.2",
        "NOTIFICATIONS_SEND_CONCURRENCY": str(SENDERS_OF_A_CODE),
    }
    # Not the well-known port, which another run may take while the process is dead.
    process = service_process(
        "notifications", infrastructure, workdir, environment, port=free_port()
    )
    return on_a_port_of_its_own(process, "notifications")


def voting_process(
    infrastructure: Endpoints, workdir: Path, auth: AuthSettings, name: str
) -> LocalProcess:
    """Voting on a database and consumer group named ``name``; every voter of the test asks
    for codes from this machine's address."""
    environment = {
        "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
        "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
        "VOTING_TOKEN_SECRET": secrets.token_urlsafe(32),
        "VOTING_MONGODB_DATABASE": name,
        "VOTING_CONSUMER_GROUP": name,
        "VOTING_CODES_PER_ADDRESS_PER_HOUR": "1000",
        "VOTING_BALLOT_RULES_CACHE_S": "0.2",
        "VOTING_TALLY_REFRESH_S": "0.2",
    }
    process = service_process("voting", infrastructure, workdir, environment, port=free_port())
    return on_a_port_of_its_own(process, "voting")


def as_deployed(notifications: LocalProcess) -> LocalProcess:
    """Notifications to start again as deployments run it, history off: what it reads next
    then comes from its group's committed offsets alone, and a restart that did not resume
    from them would skip what came while it was down instead of reading it again."""
    environment = {**(notifications.environment or {}), "NOTIFICATIONS_HISTORY": "false"}
    return replace(notifications, environment=environment)


async def start(process: LocalProcess) -> None:
    """Start a service and wait until it says it is ready (in a thread: the session's event
    loop keeps serving other clients meanwhile). It answers once its consumers have joined
    their groups, which after a SIGKILL includes waiting out the dead member's session."""
    await asyncio.to_thread(process.start, 120)
    await asyncio.to_thread(wait_until_ready, RunningService(process.name, process), 60)


async def stop(*processes: LocalProcess) -> None:
    """Stop processes (those already dead are left as they are)."""
    for process in processes:
        await asyncio.to_thread(process.stop, 45)


@asynccontextmanager
async def client_of(process: LocalProcess) -> AsyncIterator[AsyncClient]:
    """An HTTP client of a service process."""
    async with AsyncClient(base_url=f"http://{process.address}", timeout=30) as http:
        yield http


@asynccontextmanager
async def publisher(infra: InfraSettings, source: str) -> AsyncIterator[EventPublisher]:
    """Another service's voice on the broker."""
    broker = make_broker(infra, client_id=f"stand-in-{source.rsplit('/', 1)[-1]}")
    await broker.start()
    try:
        yield EventPublisher(broker, source=source)
    finally:
        await broker.stop()


def refs_at(inbox: Inbox) -> Counter[str]:
    """How many times each delivery key reached the inbox."""
    return Counter(message["client_ref"] for message in inbox.messages())


# --- 1. killed while delivering ------------------------------------------------------------


async def test_notifications_killed_mid_delivery_loses_nothing_and_resends_only_the_in_flight(
    infrastructure: Endpoints,
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    mongo: Any,
    bearer: Callable[..., dict[str, str]],
    tmp_path: Path,
    eventually: Eventually,
    unique: Callable[[str], str],
) -> None:
    """CODES codes are on the priority topic; notifications is killed once a quarter of them
    reached the inbox, while one is on its way. Repeats are bounded by what was claimed and
    not recorded at the kill, at most SENDERS_OF_A_CODE."""
    inbox = inbox_process(tmp_path, delay_s=INBOX_DELAY_S)
    name = unique("notifications-crash")
    notifications = notifications_process(infrastructure, tmp_path, inbox, auth_settings, name)
    requests = [code_for(a_phone()) for _ in range(CODES)]
    keys = {key_of(request) for request in requests}
    deliveries = mongo[name]["deliveries"]
    async with publisher(infra_settings, "/contest/voting") as voting:
        await asyncio.gather(
            *(
                voting.publish(NOTIFICATION_PRIORITY, r, subject=r.recipient.recipient_id)
                for r in requests
            )
        )
    await asyncio.to_thread(inbox.process.start)
    try:
        await start(notifications)
        await eventually(lambda: len(keys & set(refs_at(inbox))) >= CODES // 4, timeout_s=90)
        await kill_while_sending(notifications, deliveries, keys)
        in_flight = await keys_where(deliveries, claimed(keys))
        delivered_at_kill = len(await keys_where(deliveries, delivered(keys)))
        assert delivered_at_kill + len(in_flight) < CODES, "every code was out before the kill"
        assert 1 <= len(in_flight) <= SENDERS_OF_A_CODE, in_flight
        log.info("killed: %d delivered, %d in flight", delivered_at_kill, len(in_flight))

        notifications = as_deployed(notifications)
        await start(notifications)
        log.info("started again")
        await eventually(lambda: _are(keys_where(deliveries, delivered(keys)), keys), 120)
        async with client_of(notifications) as http:
            logged = await delivery_log(http, requests, bearer(Role.OPERATOR))
        # Every message the killed process had on its way reached the inbox before the
        # restart's copy was recorded: the inbox keeps a message before it answers. (With
        # history, the inbox also gets what earlier tests of the session asked for.)
        arrived = Counter({key: times for key, times in refs_at(inbox).items() if key in keys})
    finally:
        await stop(notifications, inbox.process)

    repeated = {key for key, times in arrived.items() if times > 1}
    log.info(
        "codes %d, delivered at the kill %d, in flight %d, repeated %d",
        CODES,
        delivered_at_kill,
        len(in_flight),
        len(repeated),
    )
    assert keys <= set(arrived), "codes never reached the inbox"
    assert repeated <= in_flight, "codes sent twice that were not in flight at the kill"
    assert all(arrived[key] <= 2 for key in in_flight), "an in-flight code sent more than twice"
    for key, entries in logged.items():
        (entry,) = entries  # one log entry per key
        assert entry["status"] == "delivered", entry
        # The killed attempt was never recorded: each code took one recorded attempt.
        assert [attempt["error"] for attempt in entry["attempts"]] == [None], key


def claimed(keys: set[str]) -> Document:
    """Those of ``keys`` claimed and not recorded: their send began and its outcome was never
    written (``Deliveries.record`` releases the claim)."""
    return {
        "_id": {"$in": sorted(keys)},
        "status": DeliveryStatus.PENDING.value,
        "claimed_until_ms": {"$gt": 0},
    }


def delivered(keys: set[str]) -> Document:
    """Those of ``keys`` recorded as delivered."""
    return {"_id": {"$in": sorted(keys)}, "status": DeliveryStatus.DELIVERED.value}


async def keys_where(deliveries: Any, query: Document) -> set[str]:
    """The keys of the deliveries a query finds in notifications' store."""
    return {document["_id"] async for document in deliveries.find(query, {"_id": 1})}


async def _are(found: Awaitable[set[str]], expected: set[str]) -> bool:
    return await found == expected


async def kill_while_sending(
    process: LocalProcess, deliveries: Any, keys: set[str], timeout_s: float = 60
) -> None:
    """SIGKILL the process while one of ``keys`` is claimed and not recorded, so with a send
    on its way (the inbox holds each message ``INBOX_DELAY_S`` before answering). The
    process is frozen (SIGSTOP) while the store is looked at, so what the store shows cannot
    change before the kill however slow this busy machine is; thawed when no code is out."""
    assert process.process is not None
    group = process.process.pid  # started in a session of its own
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        os.killpg(group, signal.SIGSTOP)
        if await deliveries.count_documents(claimed(keys)) > 0:
            process.kill()
            return
        os.killpg(group, signal.SIGCONT)
        assert loop.time() < deadline, "no code was ever seen on its way"
        await asyncio.sleep(0.02)


async def delivery_log(
    http: AsyncClient, requests: list[NotificationRequested], operator: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """What the operators' delivery log says of each request, by delivery key."""
    entries: dict[str, list[dict[str, Any]]] = {}
    for request in requests:
        answer = await http.get(
            "/deliveries", params={"notification_id": request.notification_id}, headers=operator
        )
        assert answer.status_code == 200, answer.text
        entries[key_of(request)] = answer.json()
    return entries


# --- 2. down while the vote runs -----------------------------------------------------------


@dataclass
class PublicVote:
    """A contest whose public vote is open, and voting's API."""

    contest_id: str
    finalists: list[str]
    voting: AsyncClient
    inbox: Inbox

    async def request_code(self, phone: str) -> None:
        """Ask for a one-time code: accepted whether or not it can be sent now."""
        answer = await self.voting.post("/voters/codes", json={"phone": phone})
        assert answer.status_code == 202, answer.text

    def code_received(self, phone: str) -> str | None:
        """The six digits of the latest SMS to ``phone`` at the inbox."""
        texts = [m["text"] for m in self.inbox.messages(to=phone, channel="sms")]
        found = re.search(r"\b(\d{6})\b", texts[-1]) if texts else None
        return found.group(1) if found else None

    async def voter_token(self, phone: str) -> dict[str, str]:
        """Exchange the code the voter received for their Authorization header."""
        code = self.code_received(phone)
        answer = await self.voting.post("/voters/tokens", json={"phone": phone, "code": code})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['token']}"}

    async def vote(self, voter: dict[str, str], choice: str) -> str:
        """Cast a vote; its receipt."""
        answer = await self.voting.post(
            f"/contests/{self.contest_id}/votes",
            json={"nomination_code": NOMINATION, "application_id": choice},
            headers=voter,
        )
        assert answer.status_code == 202, answer.text
        receipt: str = answer.json()["receipt_id"]
        return receipt

    async def counted(self, receipts: list[str]) -> bool:
        """Whether every receipt's vote is counted."""
        for receipt in receipts:
            answer = await self.voting.get(f"/receipts/{receipt}")
            if not answer.json()["counted"]:
                return False
        return True

    async def tally_is(self, votes: list[int]) -> bool:
        """Whether the live tally (up to a refresh old) gives the finalists these votes."""
        (view,) = (await self.voting.get(f"/contests/{self.contest_id}/tallies")).json()
        counts = {entry["application_id"]: entry["votes"] for entry in view["entries"]}
        return counts == dict(zip(self.finalists, votes, strict=True))

    async def is_open(self) -> bool:
        """Whether voting knows the contest and its finalists and takes votes."""
        answer = await self.voting.get(f"/contests/{self.contest_id}/vote")
        return answer.status_code == 200 and answer.json()["status"] == "open"


async def open_public_vote(
    infra: InfraSettings, voting: AsyncClient, inbox: Inbox, eventually: Eventually
) -> PublicVote:
    """Intake defines a contest whose public vote runs now and judging selects three
    finalists in one nomination; returns once voting takes votes."""
    now = datetime.now(UTC)
    definition = DEFINITION.model_copy(
        update={
            "contest_id": f"contest-{uuid.uuid4().hex[:10]}",
            "stages": [
                *DEFINITION.stages,
                StageSchedule(
                    stage=StageKind.PUBLIC_VOTE,
                    opens_at=now - timedelta(hours=1),
                    closes_at=now + timedelta(days=1),
                ),
            ],
            "public_vote": PublicVoteRules(visibility=TallyVisibility.LIVE),
        }
    )
    contest = definition.contest_id
    finalists = [f"app-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    async with publisher(infra, "/contest/intake") as intake:
        await intake.publish(
            CONTEST_DEFINITIONS, ContestDefined(definition=definition, revision=1), subject=contest
        )
    async with publisher(infra, "/contest/judging") as judging:
        await judging.publish(
            FINALISTS, finalists_selected(contest, finalists, NOMINATION, now), subject=contest
        )
    vote = PublicVote(contest, finalists, voting, inbox)
    await eventually(vote.is_open, timeout_s=60)
    return vote


async def test_votes_go_on_while_notifications_is_down_and_pending_codes_go_out_once_back(
    infrastructure: Endpoints,
    infra_settings: InfraSettings,
    auth_settings: AuthSettings,
    bearer: Callable[..., dict[str, str]],
    tmp_path: Path,
    eventually: Eventually,
    unique: Callable[[str], str],
) -> None:
    """Four voters verify; notifications is killed; their votes are taken and counted and
    four more ask for codes, which wait on the priority topic until notifications is back
    and then let those four verify and vote. Everybody gets exactly one SMS."""
    inbox = inbox_process(tmp_path)
    notifications = notifications_process(
        infrastructure, tmp_path, inbox, auth_settings, unique("notifications-outage")
    )
    voting = voting_process(infrastructure, tmp_path, auth_settings, unique("voting-outage"))
    verified_before, asking_during = [a_phone() for _ in range(4)], [a_phone() for _ in range(4)]
    await asyncio.to_thread(inbox.process.start)
    try:
        await asyncio.gather(start(notifications), start(voting))
        async with client_of(voting) as http, client_of(notifications) as log_api:
            vote = await open_public_vote(infra_settings, http, inbox, eventually)
            for phone in verified_before:
                await vote.request_code(phone)
            await eventually(lambda: all(map(vote.code_received, verified_before)), timeout_s=60)
            voters = [await vote.voter_token(phone) for phone in verified_before]
            # Every code recorded as sent, so the restart has nothing of theirs to resend.
            await eventually(
                lambda: codes_logged(log_api, inbox, verified_before, bearer(Role.OPERATOR)),
                timeout_s=30,
            )

            await asyncio.to_thread(notifications.kill)
            receipts = [
                await vote.vote(voter, vote.finalists[i % 2]) for i, voter in enumerate(voters)
            ]
            for phone in asking_during:
                await vote.request_code(phone)
            await eventually(lambda: vote.counted(receipts), timeout_s=60)
            await eventually(lambda: vote.tally_is([2, 2, 0]))
            # Nothing can send while notifications is down: the codes wait on their topic.
            assert [vote.code_received(phone) for phone in asking_during] == [None] * 4

            notifications = as_deployed(notifications)
            await start(notifications)
            await eventually(lambda: all(map(vote.code_received, asking_during)), timeout_s=60)
            late_voters = [await vote.voter_token(phone) for phone in asking_during]
            receipts += [await vote.vote(voter, vote.finalists[2]) for voter in late_voters]
            await eventually(lambda: vote.counted(receipts), timeout_s=60)
            await eventually(lambda: vote.tally_is([2, 2, 4]))
            # The restart resumed where the group was: nobody's code went out twice.
            received = {p: len(inbox.messages(to=p)) for p in verified_before + asking_during}
    finally:
        await stop(voting, notifications, inbox.process)

    assert set(received.values()) == {1}, received


async def codes_logged(
    http: AsyncClient, inbox: Inbox, phones: list[str], operator: dict[str, str]
) -> bool:
    """Whether notifications' log has the code each phone received as delivered (found by
    the delivery key the SMS arrived under)."""
    for phone in phones:
        (sms,) = inbox.messages(to=phone)
        notification_id = sms["client_ref"].split("/")[0]
        answer = await http.get(
            "/deliveries", params={"notification_id": notification_id}, headers=operator
        )
        if [entry["status"] for entry in answer.json()] != ["delivered"]:
            return False
    return True
