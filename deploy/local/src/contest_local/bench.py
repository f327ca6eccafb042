"""``python -m contest_local bench``: the vote path under load, against two baselines.

It starts the embedded broker and store and the voting service (a process of its own, as in
production), opens a public vote, and sends N votes of N verified voters from C concurrent
clients through ``POST /contests/{id}/votes``. The voter tokens are minted with the
service's token secret: verification by SMS is not what is measured. In the same run and
with the same load generator it measures two baselines:

- a no-op FastAPI endpoint (same server, same body, no work): the ceiling of the HTTP layer;
- raw aiokafka producing the same events with ``acks=all``: the ceiling of the broker.

Then it waits until the tally equals the accepted votes, and counts votes lost (accepted but
never counted) and counted twice, both of which must be 0.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import platform
import pstats
import secrets
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import MongoClient
from pymongo.database import Database

from contest_contracts.common import StageKind
from contest_contracts.events.contest import ContestDefined, StageSchedule
from contest_contracts.events.voting import VoteCast
from contest_contracts.samples import DEFINITION, finalists_selected
from contest_contracts.topics import CONTEST_DEFINITIONS, FINALISTS, VOTES, Cleanup
from contest_contracts.wire import to_record
from contest_local.calls import KeepAliveConnection
from contest_local.embedded import LocalProcess, free_port
from contest_local.infra import Endpoints, running_infrastructure
from contest_local.platform import RunningService, service_process, wait_until_ready
from contest_runtime.kafka import EventPublisher, ensure_topics, envelope_in_flow, make_broker
from contest_runtime.settings import InfraSettings
from contest_voting.domain.voters import voter_key, voter_token

NOMINATION = DEFINITION.nominations[0].code
CHOICES = 5
DATABASE = "bench_voting"
BASELINE_TOPIC = dataclasses.replace(
    VOTES, name="bench.baseline.v1", cleanup=Cleanup.DELETE, description="benchmark baseline"
)


@dataclass
class Load:
    """What one run of the load generator saw."""

    outcomes: Counter[str]
    seconds: float
    latencies_ms: list[float]

    @property
    def accepted(self) -> int:
        """Requests accepted."""
        return self.outcomes["accepted"]

    @property
    def per_second(self) -> float:
        """Accepted requests per second."""
        return self.accepted / self.seconds

    def percentile(self, p: int) -> float:
        """Latency percentile, in milliseconds."""
        return statistics.quantiles(self.latencies_ms, n=100)[p - 1]


Send = Callable[[int, int], Awaitable[str]]
"""``send(i, client)``: make request i from one client; ``accepted`` or what else happened."""


async def generate(send: Send, total: int, clients: int) -> Load:
    """Make every request below ``total`` from ``clients`` concurrent clients."""
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    indexes = iter(range(total))

    async def client(number: int) -> None:
        for i in indexes:
            started = time.perf_counter()
            outcomes[await send(i, number)] += 1
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return Load(outcomes, time.perf_counter() - started, latencies)


async def post_votes(
    base_url: str, path: str, ballots: list[tuple[str, bytes]], clients: int, receipts: list[str]
) -> Load:
    """POST each (token, body) to ``path``; a 202 is accepted and its receipt kept."""
    address = httpx.URL(base_url)
    connections = [KeepAliveConnection(address.host, address.port or 80) for _ in range(clients)]

    async def send(i: int, client: int) -> str:
        token, body = ballots[i]
        try:
            status, answer = await connections[client].post(path, body, token)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError) as error:
            return type(error).__name__
        if status != 202:
            return f"HTTP {status}"
        receipts.append(json.loads(answer)["receipt_id"])
        return "accepted"

    try:
        return await generate(send, len(ballots), clients)
    finally:
        for connection in connections:
            connection.close()


async def produce_votes(bootstrap_servers: str, votes: list[VoteCast], clients: int) -> Load:
    """Produce each vote to the baseline topic, each waiting for its acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await producer.start()
    try:

        async def send(i: int, client: int) -> str:
            record = to_record(envelope_in_flow(votes[i], source="/bench", subject="bench"))
            headers = [(name, value.encode()) for name, value in record.headers.items()]
            await producer.send_and_wait(
                BASELINE_TOPIC.name, record.value, key=record.key, headers=headers
            )
            return "accepted"

        return await generate(send, len(votes), clients)
    finally:
        await producer.stop()


async def open_vote(endpoints: Endpoints, voting: str) -> tuple[str, list[str]]:
    """Define a contest whose vote runs now and select its finalists, as intake and judging
    would; returns once the voting service takes votes."""
    infra = InfraSettings(
        kafka_bootstrap_servers=endpoints.kafka_bootstrap_servers,
        kafka_enable_idempotence=endpoints.kafka_enable_idempotence,
    )
    broker = make_broker(infra, client_id="bench")
    await broker.start()
    try:
        contest_id, choices = await define_and_select(EventPublisher(broker, source="/bench"))
    finally:
        await broker.stop()
    async with httpx.AsyncClient(timeout=10) as http:
        for _ in range(600):
            answer = await http.get(f"{voting}/contests/{contest_id}/vote")
            if answer.status_code == 200 and answer.json()["status"] == "open":
                return contest_id, choices
            await asyncio.sleep(0.1)
    raise RuntimeError("the voting service did not open the vote")


async def define_and_select(publisher: EventPublisher) -> tuple[str, list[str]]:
    """Publish a contest definition and its finalists; the contest id and the choices."""
    now = datetime.now(UTC)
    contest_id = f"bench-{secrets.token_hex(4)}"
    schedule = StageSchedule(
        stage=StageKind.PUBLIC_VOTE,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    definition = DEFINITION.model_copy(
        update={"contest_id": contest_id, "stages": [*DEFINITION.stages, schedule]}
    )
    defined = ContestDefined(definition=definition, revision=1)
    await publisher.publish(CONTEST_DEFINITIONS, defined, subject=contest_id)
    choices = [f"finalist-{i}" for i in range(CHOICES)]
    selected = finalists_selected(contest_id, choices, NOMINATION, now)
    await publisher.publish(FINALISTS, selected, subject=contest_id)
    return contest_id, choices


def counted(mongodb_uri: str, contest_id: str) -> tuple[int, set[str]]:
    """(the tally's total, the receipt ids of the ballots) of a contest, from the store."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(mongodb_uri) as client:
        db: Database[dict[str, Any]] = client[DATABASE]
        shards = db["tally_shards"].find({"contest_id": contest_id}, {"votes": 1})
        total = sum(int(s["votes"]) for s in shards)
        ballots = {b["_id"] for b in db["ballots"].find({"contest_id": contest_id}, {"_id": 1})}
    return total, ballots


async def measure(
    endpoints: Endpoints, voting: str, noop: str, total: int, clients: int, token_secret: str
) -> Measured:
    """The three loads, then the count."""
    contest_id, choices = await open_vote(endpoints, voting)
    keys = [voter_key(f"+7701{i:07d}", b"bench") for i in range(total)]
    ttl = timedelta(hours=1)
    ballots = [
        (
            voter_token(key, token_secret, ttl),
            json.dumps(
                {"nomination_code": NOMINATION, "application_id": choices[i % CHOICES]}
            ).encode(),
        )
        for i, key in enumerate(keys)
    ]
    votes = [
        VoteCast(
            receipt_id=f"baseline-{i}",
            contest_id="baseline",
            nomination_code=NOMINATION,
            application_id=choices[i % CHOICES],
            voter_key=key,
            voter_key_version=1,
            client_address="127.0.0.1",
            cast_at=datetime.now(UTC),
        )
        for i, key in enumerate(keys)
    ]
    await ensure_topics(endpoints.kafka_bootstrap_servers, (BASELINE_TOPIC,))
    print(f"  no-op endpoint: {total} requests from {clients} clients", flush=True)
    path = f"/contests/{contest_id}/votes"
    noop_load = await post_votes(noop, path, ballots, clients, [])
    print(f"  raw aiokafka: {total} events from {clients} producers", flush=True)
    kafka = await produce_votes(endpoints.kafka_bootstrap_servers, votes, clients)
    print(f"  vote path: {total} votes from {clients} clients", flush=True)
    receipts: list[str] = []
    vote_load = await post_votes(voting, path, ballots, clients, receipts)
    last_accepted = time.perf_counter()
    tally, ballot_ids = counted(endpoints.mongodb_uri, contest_id)
    while tally < len(receipts) and time.perf_counter() - last_accepted < 600:
        await asyncio.sleep(0.1)
        tally, ballot_ids = counted(endpoints.mongodb_uri, contest_id)
    return Measured(
        noop=noop_load,
        kafka=kafka,
        vote=vote_load,
        seconds_to_tally=time.perf_counter() - last_accepted,
        lost=len(set(receipts) - ballot_ids),
        counted_twice=tally - len(ballot_ids),
    )


@dataclass
class Measured:
    """Everything one benchmark run measured."""

    noop: Load
    kafka: Load
    vote: Load
    seconds_to_tally: float
    lost: int
    counted_twice: int

    def report(self, clients: int) -> str:
        """The figures, as printed and recorded in the README."""
        rows = [
            ("no-op FastAPI endpoint", self.noop),
            ("raw aiokafka, acks=all", self.kafka),
            ("vote path (HTTP -> Kafka)", self.vote),
        ]
        lines = [
            f"{self.vote.accepted} votes accepted from {clients} concurrent clients on "
            f"{os.cpu_count()} cores, Python {platform.python_version()}",
            f"{'':<28}{'per second':>12}{'p50 ms':>10}{'p99 ms':>10}",
            *(
                f"{name:<28}{load.per_second:>12.0f}{load.percentile(50):>10.1f}"
                f"{load.percentile(99):>10.1f}"
                for name, load in rows
            ),
            *(
                f"{name}: not accepted {dict(load.outcomes - Counter(accepted=load.accepted))}"
                for name, load in rows
                if load.accepted < sum(load.outcomes.values())
            ),
            f"vote path / no-op endpoint: {self.vote.per_second / self.noop.per_second:.2f}",
            f"vote path / raw aiokafka:   {self.vote.per_second / self.kafka.per_second:.2f}",
            f"seconds from the last accepted vote to a full tally: {self.seconds_to_tally:.1f}",
            f"lost votes: {self.lost}   votes counted twice: {self.counted_twice}",
        ]
        return "\n".join(lines)


def where_the_time_goes(profile: Path, top: int = 12) -> str:
    """The voting process's own time (cProfile) per library, largest first."""
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    by_library: dict[str, float] = {}
    for (filename, _, _), (_, _, own_seconds, _, _) in stats.items():
        by_library[_library(filename)] = by_library.get(_library(filename), 0.0) + own_seconds
    spent = sum(by_library.values()) or 1.0
    ordered = sorted(by_library.items(), key=lambda item: -item[1])[:top]
    return "\n".join(f"  {share / spent:>6.1%}  {name}" for name, share in ordered)


def _library(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/contest_" in filename:
        return "contest_" + filename.split("/contest_")[1].split("/")[0]
    if filename.startswith("~") or "/lib/python3" in filename:
        return "python (stdlib, builtins)"
    return filename


def run(total: int, clients: int, workdir: Path, profile: bool) -> int:
    """Start what the benchmark needs, measure, print the figures; stop everything."""
    workdir.mkdir(parents=True, exist_ok=True)
    token_secret = secrets.token_urlsafe(32)
    profile_path = workdir / "voting.prof"
    with ExitStack() as stack:
        print("starting Kafka, MongoDB, the voting service and a no-op endpoint", flush=True)
        endpoints = stack.enter_context(running_infrastructure(workdir))
        environment = {
            "AUTH_JWT_KEY": secrets.token_urlsafe(32),
            "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
            "VOTING_TOKEN_SECRET": token_secret,
            "VOTING_MONGODB_DATABASE": DATABASE,
            "VOTING_LOG_LEVEL": "WARNING",
        }
        voting = service_process("voting", endpoints, workdir, environment)
        if profile:
            profiled = ["-m", "contest_local.profiled", str(profile_path), "contest_voting"]
            voting = dataclasses.replace(voting, command=[sys.executable, *profiled])
        voting.start()
        stack.callback(voting.stop, 60)  # the profile is written once it has stopped
        wait_until_ready(RunningService("voting", voting))
        port = free_port()
        noop = LocalProcess(
            "noop",
            [sys.executable, "-m", "contest_local.noop", str(port)],
            port,
            workdir / "noop.log",
        )
        noop.start()
        stack.callback(noop.stop)
        measured = asyncio.run(
            measure(
                endpoints,
                f"http://{voting.address}",
                f"http://{noop.address}",
                total,
                clients,
                token_secret,
            )
        )
    print(measured.report(clients))
    if profile and profile_path.exists():
        print("where the voting process spends its time (own time per library):")
        print(where_the_time_goes(profile_path))
    return 0 if measured.lost == measured.counted_twice == 0 else 1
