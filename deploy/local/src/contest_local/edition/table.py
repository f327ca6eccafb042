"""What a played edition shows at the end: the published results per nomination, where each
number can be checked through the services' APIs, and how many events each topic carried."""

from __future__ import annotations

import asyncio
from typing import Any

from contest_contracts.events.contest import ContestDefinition
from contest_contracts.topics import topics_to_create
from contest_runtime.offsets import end_offsets


def _tenge(amount: int) -> str:
    return f"{amount:,} ₸".replace(",", " ") if amount else ""


def results_table(results: dict[str, Any], definition: ContestDefinition) -> str:
    """The published results as a text table: per nomination its places, special prizes and
    people's choice with the certified votes."""
    titles = {n.code: n.title for n in definition.nominations}
    regions = {r.code: r.title.ru for r in definition.regions}
    lines = []
    for nomination in results["nominations"]:
        code = nomination["nomination_code"]
        lines.append(f"\n{titles[code].ru}  [{code}]")
        for award in nomination["places"]:
            lines.append(
                f"  {award['place']} место   {award['display_name'][:44]:<44} "
                f"{regions.get(award['region_code'], award['region_code'])[:26]:<26} "
                f"балл {award['score']:5.2f}  {_tenge(award['grant_tenge'])}"
            )
        for prize in nomination["special_prizes"]:
            lines.append(
                f"  спецприз  {prize['display_name'][:44]:<44} {prize['reason'][:40]}  "
                f"{_tenge(prize['grant_tenge'])}"
            )
        for choice in nomination["peoples_choice"]:
            lines.append(
                f"  приз зрительских симпатий #{choice['rank']}  "
                f"{choice['display_name'][:44]:<44} голосов: {choice['votes']:>5}  "
                f"{_tenge(choice['grant_tenge'])}"
            )
    return "\n".join(lines)


def where_to_check(contest_id: str, urls: dict[str, str]) -> str:
    """The API calls behind every number of the table."""
    judging, voting, intake = urls["judging"], urls["voting"], urls["intake"]
    base = f"/contests/{contest_id}"
    site = (
        [f"  the public site     {urls['portal']}/ru{base}   (the portal: kk, ru, en)"]
        if "portal" in urls
        else []
    )
    return "\n".join(
        [
            "Every number above can be checked through the APIs:",
            *site,
            f"  results             GET {judging}{base}/results",
            f"  places and scores   GET {judging}{base}/stages/republican/rankings"
            "?nomination=<code>   (operator; sheet by sheet)",
            f"  finalists           GET {judging}{base}/stages/regional/rankings"
            "?nomination=<code>&region=<code>   (operator)",
            f"  votes               GET {voting}{base}/tallies   (certified counts)",
            f"  a voter's vote      GET {voting}/receipts/<receipt id>",
            f"  applications        GET {intake}{base}/applications   (operator)",
            f"  who did what        GET {judging}{base}/audit   (operator)",
        ]
    )


async def topic_offsets(bootstrap_servers: str) -> dict[str, int]:
    """Events written to each topic of the catalogue so far (summed end offsets)."""
    names = [topic.name for topic in topics_to_create()]
    ends = await asyncio.gather(*(end_offsets(bootstrap_servers, name) for name in names))
    return {name: sum(end.values()) for name, end in zip(names, ends, strict=True)}


def events_table(before: dict[str, int], after: dict[str, int]) -> str:
    """Events each topic carried between two readings, busiest first (empty topics left out)."""
    carried = {name: after[name] - before.get(name, 0) for name in after}
    busiest = sorted(carried.items(), key=lambda item: -item[1])
    rows = [f"  {name:<44} {count:>8,}" for name, count in busiest if count]
    return "Events per topic during the edition:\n" + "\n".join(rows)
