"""The senders: at most their number of deliveries are sent at once, and a delivery is
stored claimed only once a sender is free for it, so claimed and unsent deliveries never
outnumber the senders (the bound a crash's repeats are counted against)."""

from __future__ import annotations

import asyncio

from contest_notifications.dispatch import Senders


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_a_delivery_is_stored_for_sending_only_once_a_sender_is_free() -> None:
    senders = Senders(concurrency=1)
    provider_answers = asyncio.Event()
    events: list[str] = []

    async def slow_send() -> None:
        events.append("first sent")
        await provider_answers.wait()

    async def store_and_send_the_second() -> None:
        async with senders.free_sender() as start:
            events.append("second stored")
            start("second", lambda: asyncio.sleep(0))

    await senders.hand_over("first", slow_send)
    second = asyncio.create_task(store_and_send_the_second())
    await settle()
    assert events == ["first sent"]  # the only sender is busy: the second is not stored yet
    provider_answers.set()
    await asyncio.wait_for(second, 5)
    assert events == ["first sent", "second stored"]


async def test_a_sender_held_for_a_delivery_that_was_not_new_is_free_again() -> None:
    senders = Senders(concurrency=1)
    async with senders.free_sender():
        pass  # the delivery was stored already: nothing to send
    sent = asyncio.Event()

    async def send() -> None:
        sent.set()

    await asyncio.wait_for(senders.hand_over("next", send), 5)
    await asyncio.wait_for(sent.wait(), 5)
