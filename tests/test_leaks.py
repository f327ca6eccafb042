"""No personal data on any public surface. Applicants write an IIN, a +7 phone number and an
email into every free-text field of their applications (names, titles and positions, which
are shown as they are, refuse them: that is checked first, and the edition's applicants
write them everywhere else); the edition is played through
submission, screening, the regional stage, the public vote and the results. At each of those
moments every public endpoint of every service (from their OpenAPI documents: the GET
operations that need no token), the live tally stream and every public topic are read, and
none of the planted values, nor the applicants' own identifiers and contacts, may appear."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterable
from itertools import product
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from intake_samples import an_iin

from contest_contracts.topics import CATALOGUE, Visibility
from contest_intake.domain.definitions import demo_definition
from contest_intake.domain.disclosure import SHORT_PUBLIC_FIELDS
from contest_local.calls import Service
from contest_local.edition.plan import Plan, Scale, plan_edition
from contest_local.edition.play import Edition, Platform
from contest_runtime.auth import Role

pytestmark = pytest.mark.infra

PLANTED_IIN = an_iin(777)
PLANTED_PHONE = "+77015550123"
PLANTED_EMAIL = "Leak.Hunter@example.kz"
PLANTED = f" Звоните {PLANTED_PHONE}, пишите {PLANTED_EMAIL}, ИИН {PLANTED_IIN}."
NOT_FREE_TEXT = {"kind", "period_start"}
"""Fields of an application's details that are not free text."""
SCALE = Scale(
    applications=4,
    empty_cells=0,
    ineligible=0,
    regional_jurors=3,
    republican_jurors=3,
    voters=0,
)
SHOWN_AS_WRITTEN = {field.removeprefix("details.") for field in SHORT_PUBLIC_FIELDS}
"""Fields shown publicly as they are written, which refuse personal data."""
STREAM_READ_S = 3.0
_CODE = re.compile(r"\b(\d{6})\b")


def planted_plan() -> Plan:
    """A small edition (one region, a worker and a project nomination) whose applicants
    write the planted contacts into every free-text field they have but the names, titles
    and positions that refuse them."""
    demo = demo_definition()
    definition = demo.model_copy(
        update={"regions": demo.regions[:1], "nominations": demo.nominations[:2]}
    )
    plan = plan_edition(definition, SCALE, seed=14)
    for application in plan.applications:
        for name, value in application.form["details"].items():
            if isinstance(value, str) and name not in NOT_FREE_TEXT | SHOWN_AS_WRITTEN:
                application.form["details"][name] = value + PLANTED
    return plan


async def test_names_titles_and_positions_refuse_personal_data(platform: Platform) -> None:
    plan = planted_plan()
    edition = Edition(plan, platform)
    await edition.define()
    for number, planned in enumerate(plan.applications):
        for field in SHORT_PUBLIC_FIELDS:
            form = json.loads(json.dumps(planned.form))
            part, name = field.split(".")
            if name not in form[part]:
                continue
            form[part][name] += PLANTED
            answer = await platform.intake.call(
                "POST",
                f"/contests/{edition.contest_id}/applications",
                {**form, "submit": True},
                token=platform.token(f"{planned.applicant_id}-{number}", Role.APPLICANT),
            )
            assert answer.status == 422, answer.body
            assert answer.body["errors"][0]["kind"] == "personal_data_in_public_field"
            assert answer.body["errors"][0]["location"] == ["body", *field.split(".")]


def needles(plan: Plan) -> set[str]:
    """What must not appear: the planted values, each applicant's identifier and contacts,
    as written and in simple transformed forms (digits only, no '+', lower case)."""
    numbers = {PLANTED_IIN, PLANTED_PHONE}
    emails = {PLANTED_EMAIL}
    for application in plan.applications:
        form = application.form
        numbers |= {form["applicant"]["identifier"], form["contact"]["phone"]}
        emails.add(form["contact"]["email"])
    return (
        numbers
        | {number.lstrip("+") for number in numbers}
        | {re.sub(r"\D", "", number) for number in numbers}
        | emails
        | {email.lower() for email in emails}
    )


async def test_no_public_surface_shows_the_personal_data_applicants_wrote(
    platform: Platform, recording: Callable[..., Awaitable[Any]]
) -> None:
    public_topics = [topic for topic in CATALOGUE if topic.visibility == Visibility.PUBLIC]
    topics = await recording(*public_topics)
    plan = planted_plan()
    edition = Edition(plan, platform)
    services = {
        "intake": platform.intake,
        "judging": platform.judging,
        "voting": platform.voting,
        "notifications": platform.notifications,
    }
    pages: dict[str, str] = {}

    async def read_everything_public(moment: str, receipts: Iterable[str] = ()) -> None:
        values = {
            "contest_id": [edition.contest_id],
            "application_id": list(edition.filed),
            "receipt_id": list(receipts),
        }
        for name, service in services.items():
            assert service is not None
            for url, text in await public_pages(service, values):
                pages[f"{moment}: {name} GET {url}"] = text

    await edition.define()
    await edition.set_up_commissions()
    await edition.apply()
    await read_everything_public("submission open")
    await edition.screen()
    await edition.close_submission()
    await edition.score_regional()
    await edition.close_regional()
    finalists = await edition.open_vote()
    await edition.score_republican()
    receipts = [
        await vote(edition, f"+7705{number:07d}", nomination, chosen[0])
        for number, (nomination, chosen) in enumerate(sorted(finalists.items()))
    ]
    await read_everything_public("public vote open", receipts)
    await edition.close_vote()
    await edition.close_republican()
    await edition.give_special_prizes()
    await edition.publish_results()
    await read_everything_public("results published", receipts)
    for envelope in topics.events:
        text = json.dumps(envelope.model_dump(mode="json"), ensure_ascii=False)
        if edition.contest_id in text:
            pages[f"topic {envelope.type} {envelope.id}"] = text

    assert any("/gallery" in where for where in pages)
    assert any("/tallies/stream" in where for where in pages)
    assert any(where.startswith("topic") for where in pages)
    leaks = sorted(
        f"{where}: {needle!r}"
        for where, text in pages.items()
        for needle in needles(plan)
        if needle in text
    )
    assert not leaks, "personal data on public surfaces:\n" + "\n".join(leaks)


async def public_pages(service: Service, values: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Every public page of a service: each GET operation of its OpenAPI document that
    documents no 401, once for every combination of the known path parameter values."""
    document = (await service.call("GET", "/openapi.json")).expect(200)
    pages = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None or "401" in operation["responses"]:
            continue
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        unknown = [name for name in names if name not in values]
        assert not unknown, f"a public page with parameters this test cannot fill: {path}"
        streams = "text/event-stream" in operation["responses"].get("200", {}).get("content", {})
        for combination in product(*(values[name] for name in names)):
            url = path
            for name, value in zip(names, combination, strict=True):
                url = re.sub(r"{" + name + r"(?::\w+)?}", quote(value, safe=""), url)
            if streams:
                text = await read_stream(service.base_url + url)
            else:
                answer = await service.call("GET", url)
                text = json.dumps(answer.body, ensure_ascii=False)
            pages.append((url, text))
    return pages


async def read_stream(url: str) -> str:
    """What a server-sent event stream sends in its first seconds."""
    chunks: list[str] = []
    async with httpx.AsyncClient(timeout=30) as client:
        try:
            async with asyncio.timeout(STREAM_READ_S), client.stream("GET", url) as response:
                async for chunk in response.aiter_text():
                    chunks.append(chunk)
        except TimeoutError:
            pass
    return "".join(chunks)


async def vote(edition: Edition, phone: str, nomination: str, application_id: str) -> str:
    """A voter verifies their phone by SMS and votes; the receipt id."""
    voting, inbox = edition.platform.voting, edition.platform.inbox
    (await voting.call("POST", "/voters/codes", {"phone": phone})).expect(202)
    path = f"/messages?to={quote(phone)}&channel=sms&wait_s=20"
    messages = (await inbox.call("GET", path)).expect(200)
    code = next(m.group(1) for message in messages if (m := _CODE.search(message["text"])))
    answer = await voting.call("POST", "/voters/tokens", {"phone": phone, "code": code})
    token = answer.expect(200)["token"]
    body = {"nomination_code": nomination, "application_id": application_id}
    cast = await voting.call("POST", f"/contests/{edition.contest_id}/votes", body, token=token)
    return str(cast.expect(202)["receipt_id"])
