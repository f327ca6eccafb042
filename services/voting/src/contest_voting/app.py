"""Composition root of the voting service: settings, store, broker, consumers and routes."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from fastapi import FastAPI

from contest_contracts.events.judging import FinalistsSelected
from contest_contracts.topics import APPLICATIONS, FINALISTS
from contest_runtime.consumers import ConsumerOptions, EventHandler, subscribe
from contest_runtime.definitions import keep_contest_definitions
from contest_runtime.kafka import EventPublisher
from contest_runtime.outbox import OutboxRelay
from contest_runtime.service import ServiceRuntime, create_service_app
from contest_voting.api import ballots, challenges, invalidations, tallies, vote, voters
from contest_voting.closing import run_closing
from contest_voting.confirming import run_settling
from contest_voting.context import SOURCE, VotingContext
from contest_voting.events.counting import count_votes, tally_consumer
from contest_voting.events.finalists import keep_finalists
from contest_voting.events.gallery import follow_gallery
from contest_voting.events.tallies import ELECTING_PARTITION, publish_tallies
from contest_voting.settings import VotingSettings
from contest_voting.store.ballots import Ballots
from contest_voting.store.invalidations import Invalidations
from contest_voting.store.public_votes import PublicVotes
from contest_voting.store.unconfirmed import UnconfirmedVotes
from contest_voting.store.verification import Codes, RateLimits, SpentChallenges

NAME = "voting"


def create_app(settings: VotingSettings | None = None) -> FastAPI:
    """The voting service's app; connects to nothing until its lifespan starts."""
    settings = settings or VotingSettings()

    async def wire(runtime: ServiceRuntime) -> VotingContext:
        db = runtime.db
        public_votes = PublicVotes(db)
        unconfirmed = UnconfirmedVotes(db)
        context = VotingContext(
            settings=settings,
            contests=keep_contest_definitions(runtime),
            public_votes=public_votes,
            ballots=Ballots(db),
            invalidations=Invalidations(db),
            codes=Codes(db),
            limits=RateLimits(db),
            spent_challenges=SpentChallenges(db),
            unconfirmed=unconfirmed,
            publisher=EventPublisher(runtime.broker, source=SOURCE),
            # Unconfirmed votes are sent again by the relay, like any outbox record.
            relay=OutboxRelay(runtime.broker, [public_votes.collection, unconfirmed.collection]),
        )
        stores = (
            context.ballots,
            context.invalidations,
            context.codes,
            context.limits,
            context.spent_challenges,
            context.unconfirmed,
        )
        for store in (*stores, context.relay):
            await store.create_indexes()
        gallery: EventHandler = partial(follow_gallery, context)
        subscribe(
            runtime.broker,
            (FINALISTS, APPLICATIONS),
            {
                FinalistsSelected: partial(keep_finalists, context),
                **{model: gallery for model in APPLICATIONS.events},
            },
            options=ConsumerOptions.of(settings),
            dead_letters=runtime.dead_letters,
        )
        consumer = tally_consumer(settings, f"{settings.consumer_group}-tally")
        grace = timedelta(seconds=settings.closing_grace_s)
        runtime.background += [
            lambda: count_votes(
                consumer, context.ballots, runtime.dead_letters, max_records=settings.tally_batch
            ),
            lambda: run_closing(context, settings.closing_interval_s, grace),
            lambda: context.relay.run(settings.outbox_interval_s),
            lambda: run_settling(context, settings.outbox_interval_s),
            lambda: publish_tallies(
                context,
                lambda: ELECTING_PARTITION in consumer.assignment(),
                settings.tally_refresh_s,
            ),
        ]
        return context

    return create_service_app(
        name=NAME,
        settings=settings,
        title="Contest voting service",
        description="Verified public voting, ballots, tallies and live results.",
        routers=[
            challenges.router,
            voters.router,
            ballots.router,
            tallies.router,
            vote.router,
            invalidations.router,
        ],
        wire=wire,
    )
