"""The demo edition on a running platform: plan it, play it, and show the results table,
where to check each number, and the events each topic carried."""

from __future__ import annotations

import time
from importlib import resources

from contest_intake.domain.definitions import DEMO_CONTEST_FILE, parse_definition
from contest_local.calls import Service
from contest_local.edition.plan import Scale, plan_edition
from contest_local.edition.play import Edition, Platform, Played
from contest_local.edition.table import events_table, results_table, topic_offsets, where_to_check
from contest_local.inbox import Inbox
from contest_runtime.auth import AuthSettings


async def show_edition(
    urls: dict[str, str],
    inbox: Inbox,
    auth: AuthSettings,
    bootstrap_servers: str,
    scale: Scale,
    seed: int = 2025,
) -> Played:
    """Play a whole edition of the demo contest through the services' APIs and print it."""
    shipped = resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE)
    plan = plan_edition(parse_definition(shipped.read_text(encoding="utf-8")), scale, seed)
    services = {name: Service(url, connections=48) for name, url in urls.items()}
    services["inbox"] = Service(inbox.url, connections=48)
    platform = Platform(
        services["intake"], services["judging"], services["voting"], services["inbox"], auth
    )
    edition = Edition(plan, platform)
    print(
        f"playing an edition: {scale.applications:,} applications, {scale.voters:,} voters "
        f"(contest {edition.contest_id})",
        flush=True,
    )
    before = await topic_offsets(bootstrap_servers)
    started = time.monotonic()
    try:
        played = await edition.play()
    finally:
        for service in services.values():
            service.close()
    after = await topic_offsets(bootstrap_servers)
    finalists = sum(len(ids) for ids in played.finalists.values())
    print(results_table(played.results, edition.definition))
    print()
    print(
        f"{len(played.filed):,} applications, {finalists} finalists, "
        f"{len(played.ballots_sent):,} verified voters, {played.votes_accepted:,} votes; "
        f"the whole edition took {time.monotonic() - started:.0f} s"
    )
    print(where_to_check(played.contest_id, urls))
    print(events_table(before, after), flush=True)
    return played
