"""The stage lock: sheets are recorded side by side, a change that takes the stage alone
waits for the sheets under way and holds back those that come after it."""

from __future__ import annotations

import asyncio

from contest_judging.context import StageLock


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_sheets_are_recorded_side_by_side() -> None:
    lock = StageLock()
    inside = 0
    most = 0
    release = asyncio.Event()

    async def sheet() -> None:
        nonlocal inside, most
        async with lock.sheet():
            inside += 1
            most = max(most, inside)
            await release.wait()
            inside -= 1

    sheets = [asyncio.create_task(sheet()) for _ in range(3)]
    await settle()
    release.set()
    await asyncio.gather(*sheets)
    assert most == 3


async def test_a_close_waits_for_sheets_under_way_and_holds_back_later_ones() -> None:
    lock = StageLock()
    order: list[str] = []
    first_sheet_done = asyncio.Event()

    async def sheet(name: str, done: asyncio.Event | None = None) -> None:
        async with lock.sheet():
            order.append(f"{name} starts")
            if done is not None:
                await done.wait()
            order.append(f"{name} ends")

    async def close() -> None:
        async with lock.alone():
            order.append("close starts")
            await settle()
            order.append("close ends")

    early = asyncio.create_task(sheet("early", first_sheet_done))
    await settle()
    closing = asyncio.create_task(close())
    await settle()
    late = asyncio.create_task(sheet("late"))
    await settle()
    assert order == ["early starts"]  # the close waits, and the late sheet waits behind it
    first_sheet_done.set()
    await asyncio.gather(early, closing, late)
    assert order == [
        "early starts",
        "early ends",
        "close starts",
        "close ends",
        "late starts",
        "late ends",
    ]


async def test_changes_that_take_the_stage_alone_come_one_at_a_time() -> None:
    lock = StageLock()
    inside = 0
    most = 0

    async def change() -> None:
        nonlocal inside, most
        async with lock.alone():
            inside += 1
            most = max(most, inside)
            await settle()
            inside -= 1

    await asyncio.gather(*(change() for _ in range(4)))
    assert most == 1


async def test_a_close_given_up_while_waiting_lets_held_back_sheets_go_on() -> None:
    lock = StageLock()
    release = asyncio.Event()
    recorded: list[str] = []

    async def sheet(name: str, wait: asyncio.Event | None = None) -> None:
        async with lock.sheet():
            if wait is not None:
                await wait.wait()
            recorded.append(name)

    async def close() -> None:
        async with lock.alone():
            recorded.append("close")

    early = asyncio.create_task(sheet("early", release))
    await settle()
    closing = asyncio.create_task(close())
    await settle()
    late = asyncio.create_task(sheet("late"))
    await settle()
    closing.cancel()
    await asyncio.wait_for(late, 5)
    assert recorded == ["late"]
    release.set()
    await early
    assert recorded == ["late", "early"]
