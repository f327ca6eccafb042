"""Counts a contest keeps back cannot be differenced out of its public views.

Votes are played one at a time through the service, and after each the public views are
read once they reflect it (HTTP tallies), while the server-sent event stream is followed
throughout. The check is indistinguishability: two votes whose counts differ show the very
same sequence of views, so nobody reading them, however often, can tell their counts
apart, let alone recover them.
"""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime
from typing import Any

from httpx import AsyncClient, Response

from contest_contracts.events.contest import TallyVisibility
from contest_runtime.auth import Role

NOMINATION = "best-social-project"
View = tuple[Any, ...]


def a_phone() -> str:
    return f"+7771{random.randrange(10**7):07d}"


def _shown(view: dict[str, Any], roles: dict[str, str]) -> View:
    """What a view shows, in terms the two votes share: finalists by role, no times or ids."""
    entries = tuple(
        (roles[e["application_id"]], e.get("rank"), e.get("votes")) for e in view["entries"]
    )
    return view["visibility"], view["certified"], view["participation"], entries


def _changes(views: list[View]) -> list[View]:
    """The views with repeats in a row left out: what a watcher learns."""
    return [view for i, view in enumerate(views) if i == 0 or views[i - 1] != view]


async def _streamed(served: AsyncClient, contest: str, into: list[dict[str, Any]]) -> None:
    """Follow the contest's stream to its end (after the certified views)."""
    async with served.stream("GET", f"/contests/{contest}/tallies/stream") as stream:
        kind = None
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: ") and kind == "tally":
                into.append(json.loads(line.removeprefix("data: ")))


class Played:
    """One public vote played vote by vote: what HTTP and the stream showed of it."""

    def __init__(self, voting: Any, served: AsyncClient, visibility: TallyVisibility) -> None:
        self.voting = voting
        self.served = served
        self.visibility = visibility
        self.read: list[View] = []
        self.streamed: list[dict[str, Any]] = []
        self.final: View | None = None

    async def play(self, eventually: Any, votes: str, finalists: int, bearer: Any) -> None:
        """Cast ``votes`` (one letter per vote: the finalist by role, ``a`` first), then
        close the vote and wait for the certified views."""
        definition, ids = await self.voting.open_vote(
            eventually, visibility=self.visibility, finalists=finalists
        )
        self.contest = definition.contest_id
        self.roles = dict(zip(sorted(ids), "abcdefgh", strict=False))
        by_role = {role: id_ for id_, role in self.roles.items()}
        following = asyncio.create_task(_streamed(self.served, self.contest, self.streamed))
        self.read.append(await self._view_after(self.voting.context.clock(), eventually))
        for role in votes:
            cast = await self.voting.http.post(
                f"/contests/{self.contest}/votes",
                json={"nomination_code": NOMINATION, "application_id": by_role[role]},
                headers=self.voting.minted(a_phone()),
            )
            assert cast.status_code == 202, cast.text
            receipt = f"/receipts/{cast.json()['receipt_id']}"
            await eventually(lambda r=receipt: self._counted(r))
            self.read.append(await self._view_after(self.voting.context.clock(), eventually))
            # Long enough for the stream to show every state, had it anything to show.
            await asyncio.sleep(3 * self.voting.context.settings.tally_refresh_s)
        closed = await self.voting.http.post(
            f"/contests/{self.contest}/vote/close", headers=bearer(Role.OPERATOR)
        )
        assert closed.status_code == 202, closed.text
        await asyncio.wait_for(following, timeout=60)
        (final,) = (await self.voting.http.get(f"/contests/{self.contest}/tallies")).json()
        self.final = _shown(final, self.roles)

    async def _counted(self, receipt: str) -> bool:
        return bool((await self.voting.http.get(receipt)).json()["counted"])

    async def _view_after(self, moment: datetime, eventually: Any) -> View:
        """The public view, once it was read after ``moment`` (so after the vote counted)."""
        seen: list[dict[str, Any]] = []

        async def fresh() -> bool:
            answer: Response = await self.voting.http.get(f"/contests/{self.contest}/tallies")
            (view,) = answer.json()
            seen.append(view)
            return datetime.fromisoformat(view["as_of"]) > moment

        await eventually(fresh)
        return _shown(seen[-1], self.roles)

    def streamed_before_certified(self) -> list[View]:
        """The stream's views before the certified one."""
        return [_shown(v, self.roles) for v in self.streamed if not v["certified"]]


async def test_ranks_only_views_of_different_counts_are_the_same_vote_by_vote(
    voting: Any, served: AsyncClient, eventually: Any, bearer: Any
) -> None:
    # a, b, a ends 2:1; a, a, b, b, a ends 3:2. The order goes tie, a ahead, tie, a ahead in
    # both; participation (3 against 5), had it been shown, tells them apart at every vote.
    two_one = Played(voting, served, TallyVisibility.RANKS_ONLY)
    three_two = Played(voting, served, TallyVisibility.RANKS_ONLY)
    await two_one.play(eventually, "aba", 2, bearer)
    await three_two.play(eventually, "aabba", 2, bearer)

    assert two_one.final is not None and three_two.final is not None
    assert two_one.final[3] == (("a", 1, 2), ("b", 2, 1))
    assert three_two.final[3] == (("a", 1, 3), ("b", 2, 2))
    assert _changes(two_one.read) == _changes(three_two.read)
    assert _changes(two_one.read) == [
        ("ranks_only", False, 0, (("a", 1, None), ("b", 1, None))),
        ("ranks_only", False, 0, (("a", 1, None), ("b", 2, None))),
        ("ranks_only", False, 0, (("a", 1, None), ("b", 1, None))),
        ("ranks_only", False, 0, (("a", 1, None), ("b", 2, None))),
    ]
    assert two_one.streamed_before_certified() == _changes(two_one.read)
    assert three_two.streamed_before_certified() == _changes(three_two.read)


async def test_a_single_finalist_under_hidden_shows_nothing_of_its_count_until_certified(
    voting: Any, served: AsyncClient, eventually: Any, bearer: Any
) -> None:
    played = Played(voting, served, TallyVisibility.HIDDEN)
    await played.play(eventually, "aaa", 1, bearer)

    # Before the certification, the view never moved: its one finalist's count (which is
    # the nomination's participation) is nowhere in it.
    assert set(played.read) == {("hidden", False, 0, (("a", None, None),))}
    assert played.streamed_before_certified() == [("hidden", False, 0, (("a", None, None),))]
    assert played.final == ("hidden", True, 3, (("a", 1, 3),))
