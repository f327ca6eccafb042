"""Fixtures of the portal's tests: the real intake, judging, voting and notifications
services (each its own process, on the session's broker and store) with a contest and its
projects and a second contest whose public vote is open, the local inbox that receives the
voters' SMS, the portal in front of them, and one headless Chromium for the session.

Chromium is Debian's (`/usr/bin/chromium`): Playwright cannot download its own browser on
these machines. `./dev test` installs the package when it is missing and it can.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright
from signed_in_platform import SignInSite, signed_in_platform

from contest_contracts.common import LocalizedText
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.definitions import demo_definition
from contest_local.calls import Service
from contest_local.demo import rebased
from contest_local.edition.people import People
from contest_local.edition.plan import Scale, plan_edition
from contest_local.edition.play import Edition, Platform
from contest_local.gallery_vote import open_gallery_vote, until, vote_open_on
from contest_local.inbox import Inbox, inbox_process
from contest_local.infra import Endpoints
from contest_local.platform import PORTAL, RunningService, portal_environment, start_services
from contest_runtime.auth import AuthSettings, Role, mint

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".local" / "screenshots"
WIDTHS = (360, 1280)
EXHIBITION_PAGE_SIZE = 5
"""Fewer than the projects filed, so that the exhibition has pages."""

PROJECTS = {
    # (nomination, region): how many projects are filed there
    ("social-project", "KZ-71"): 3,
    ("social-project", "KZ-75"): 2,
    ("social-project", "KZ-79"): 1,
    ("ngo-inclusion-project", "KZ-71"): 2,
}
"""Projects of the exhibition: enough for a filter to leave some out."""

FINALISTS = {
    # (nomination, region): how many projects are filed, then voted on (choices: gallery)
    ("social-project", "KZ-71"): 2,
    ("social-project", "KZ-75"): 1,
    ("ngo-inclusion-project", "KZ-79"): 2,
}
"""Projects of the contest whose vote is open: every one is a choice of its nomination."""
_CODE = re.compile(r"\b(\d{6})\b")


@dataclass(frozen=True)
class StartedWith:
    """What the site's services were started with, to start more of them."""

    infrastructure: Endpoints
    workdir: Path
    environment: dict[str, str]
    services: list[RunningService]
    run: str


@dataclass(frozen=True)
class PublicSite:
    """The portal in front of real services, and what the contest it shows holds."""

    url: str
    contest_id: str
    projects: list[dict[str, Any]]
    """What intake gave back for each project filed (application id, form)."""
    workers: int
    """Applications in worker nominations: never in the exhibition."""
    vote_contest_id: str
    """A contest whose public vote is open, on every project of its gallery."""
    finalists: dict[str, list[dict[str, Any]]]
    """Its choices by nomination: what intake gave back for each project filed."""
    inbox: Inbox
    intake_url: str
    voting_url: str
    auth: AuthSettings
    """The key the services' tokens are signed with (operators' included)."""
    started: StartedWith
    """What the services were started with, to start more of them."""
    services: dict[str, str]
    """Where intake, judging and voting answer (for fixtures that play more through them)."""
    page_size: int = EXHIBITION_PAGE_SIZE

    def sms_code(self, phone: str, sent_before: int = 0) -> str:
        """The one-time code of the latest SMS to ``phone`` once more than ``sent_before``
        have arrived (waits for it, at most 30 s)."""
        deadline = time.monotonic() + 30
        while True:
            messages = self.inbox.messages(to=phone, channel="sms")
            if len(messages) > sent_before:
                found = _CODE.search(messages[-1]["text"])
                assert found, messages[-1]
                return found.group(1)
            assert time.monotonic() < deadline, f"no SMS to {phone}"
            time.sleep(0.1)

    def sms_count(self, phone: str) -> int:
        """How many SMS ``phone`` received."""
        return len(self.inbox.messages(to=phone, channel="sms"))

    def vote_by_api(self, contest_id: str, nomination: str, application_id: str) -> str:
        """A vote cast straight at voting's API by a new voter (its code read from the
        inbox); its receipt."""
        phone = "+7705" + "".join(secrets.choice("0123456789") for _ in range(7))
        with httpx.Client(base_url=self.voting_url, timeout=30) as voting:
            before = self.sms_count(phone)
            assert voting.post("/voters/codes", json={"phone": phone}).status_code == 202
            answer = {"phone": phone, "code": self.sms_code(phone, before)}
            token = voting.post("/voters/tokens", json=answer).json()["token"]
            cast = voting.post(
                f"/contests/{contest_id}/votes",
                json={"nomination_code": nomination, "application_id": application_id},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert cast.status_code == 202, cast.text
            return str(cast.json()["receipt_id"])

    def operator(self) -> dict[str, str]:
        """The headers of an operator's call to a service."""
        token = mint(self.auth, subject="operator", roles=[Role.OPERATOR])
        return {"Authorization": f"Bearer {token}"}

    def project(self, nomination: str, region: str) -> dict[str, Any]:
        """The first project filed in a nomination and region."""
        return next(
            p
            for p in self.projects
            if p["form"]["nomination_code"] == nomination and p["form"]["region_code"] == region
        )


@pytest.fixture(scope="session")
def public_site(
    infrastructure: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PublicSite]:
    """Intake, judging, voting and notifications as processes of their own, the inbox, a
    contest defined and its projects filed through intake's API, a second contest whose
    vote is open, and the portal reading them."""
    workdir = tmp_path_factory.mktemp("portal-site")
    auth = AuthSettings(jwt_key=secrets.token_urlsafe(32))
    run = f"portal-{uuid.uuid4().hex[:8]}"
    with ExitStack() as stack:
        inbox = inbox_process(workdir)
        inbox.process.start()
        stack.callback(inbox.process.stop)
        environment = {
            "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
            "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
            "VOTING_TOKEN_SECRET": secrets.token_urlsafe(32),
            # Every voter of the tests comes from 127.0.0.1; the per-number limit stays.
            "VOTING_CODES_PER_ADDRESS_PER_HOUR": "100000",
            **inbox.notifications_environment(),
        }
        names = ("intake", "judging", "voting", "notifications")
        for name in names:
            environment[f"{name.upper()}_MONGODB_DATABASE"] = f"{run}_{name}".replace("-", "_")
            environment[f"{name.upper()}_CONSUMER_GROUP"] = f"{run}-{name}"
        services = start_services(stack, infrastructure, workdir, environment, names)
        by_name = {s.name: s for s in services}
        contest_id, projects, workers = _contest_with_projects(by_name["intake"].url, auth)
        vote_contest_id, finalists = open_gallery_vote(
            by_name["intake"].url, by_name["voting"].url, auth, FINALISTS
        )
        (portal,) = start_services(
            stack,
            infrastructure,
            workdir,
            {
                **portal_environment(services, secrets.token_urlsafe(32)),
                "PORTAL_EXHIBITION_PAGE_SIZE": str(EXHIBITION_PAGE_SIZE),
            },
            (PORTAL,),
        )
        started = StartedWith(infrastructure, workdir, environment, services, run)
        yield PublicSite(
            portal.url,
            contest_id,
            projects,
            workers,
            vote_contest_id,
            finalists,
            inbox,
            intake_url=by_name["intake"].url,
            voting_url=by_name["voting"].url,
            auth=auth,
            started=started,
            services={name: by_name[name].url for name in ("intake", "judging", "voting")},
        )


@pytest.fixture(scope="session")
def signin_site(
    infrastructure: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignInSite]:
    """A platform of its own whose services trust the local identity provider, an account
    for each role, and a portal that signs people in there (:mod:`signed_in_platform`);
    started only by the tests of sign-in and of the workspaces."""
    with signed_in_platform(infrastructure, tmp_path_factory.mktemp("signin")) as site:
        yield site


@pytest.fixture(scope="module")
def closable_vote(public_site: PublicSite) -> tuple[str, dict[str, list[dict[str, Any]]]]:
    """A contest of its own whose vote is open, for a test that closes it: the shared
    contest's vote stays open for the others."""
    return open_gallery_vote(
        public_site.intake_url, public_site.voting_url, public_site.auth, FINALISTS, seed=17
    )


CHALLENGE_DIFFICULTY = 10
"""Small (about a thousand hashes, milliseconds in Chromium), yet one guess in a thousand."""


@pytest.fixture(scope="session")
def challenged_site(public_site: PublicSite) -> Iterator[PublicSite]:
    """The same site with voting asking for a proof of work on code requests: a second
    voting replica (the same database and consumer groups, as replicas are deployed: it
    shares the spent challenges and the limits) with ``VOTING_CHALLENGE_DIFFICULTY``, and
    a portal in front of it. Started only by the tests of the challenge."""
    started = public_site.started
    environment = {
        **started.environment,
        "VOTING_CHALLENGE_DIFFICULTY": str(CHALLENGE_DIFFICULTY),
        "VOTING_CHALLENGE_SECRET": secrets.token_urlsafe(32),
    }
    with ExitStack() as stack:
        args = (stack, started.infrastructure, started.workdir)
        (voting,) = start_services(*args, environment, ("voting",))
        others = [s for s in started.services if s.name != "voting"]
        choices = sum(FINALISTS.values())
        until(lambda: vote_open_on(voting.url, public_site.vote_contest_id, choices))
        (portal,) = start_services(
            *args, portal_environment([*others, voting], secrets.token_urlsafe(32)), (PORTAL,)
        )
        yield replace(public_site, url=portal.url)


def _contest_with_projects(
    intake_url: str, auth: AuthSettings
) -> tuple[str, list[dict[str, Any]], int]:
    """The demo contest under a new id, submission open now, and its applications filed."""
    definition = rebased(demo_definition(), datetime.now(UTC))
    contest_id = f"portal-demo-{uuid.uuid4().hex[:6]}"
    definition = definition.model_copy(update={"contest_id": contest_id})
    operator = mint(auth, subject="operator", roles=[Role.OPERATOR])
    people = People(seed=15)
    filed: list[dict[str, Any]] = []
    with httpx.Client(base_url=intake_url, timeout=30) as intake:
        defined = intake.post(
            "/contests",
            content=definition.model_dump_json(),
            headers={"Authorization": f"Bearer {operator}", "Content-Type": "application/json"},
        )
        assert defined.status_code == 201, defined.text
        forms = [
            people.project_form(nomination, region)
            for (nomination, region), count in PROJECTS.items()
            for _ in range(count)
        ]
        workers = [people.worker_form("social-pedagogue", "KZ-71")]
        for number, form in enumerate(forms + workers):
            applicant = mint(auth, subject=f"applicant-{number}", roles=[Role.APPLICANT])
            answer = intake.post(
                f"/contests/{contest_id}/applications",
                json={**form, "submit": True},
                headers={"Authorization": f"Bearer {applicant}"},
            )
            assert answer.status_code in (200, 201), answer.text
            if number < len(forms):
                filed.append({"application_id": answer.json()["application_id"], "form": form})
    return contest_id, filed, len(workers)


RESULTS_SCALE = Scale(
    applications=14,
    empty_cells=0,
    ineligible=1,
    regional_jurors=3,
    republican_jurors=3,
    voters=16,
)
"""The smallest edition with every kind of award: six regions' finalists (one each) in a
workers' and a projects' nomination, so that each has a first, two second and two third
places and one finalist left for the commission's special prize; voters for the people's
choice."""

SPECIAL_PRIZE_REASON = "+ новые методы работы с семьями"
"""The commission's reason: it starts as a spreadsheet formula would (CSV injection)."""


@dataclass(frozen=True)
class PublishedContest:
    """A contest played to its published results through the services' APIs."""

    contest_id: str
    results: dict[str, Any]
    """What judging published (`GET /contests/{id}/results`)."""
    definition: ContestDefinition


@pytest.fixture(scope="session")
def published_contest(public_site: PublicSite) -> PublishedContest:
    """An edition played to its results on the portal's services, as `./dev run`'s demo
    plays one (`contest_local.edition`): commissions, applications, screening, both judging
    stages with jurors' sheets, the public vote verified by SMS and certified, a special
    prize, the results published. Played once, by the tests that ask for it."""
    demo = demo_definition()
    definition = demo.model_copy(
        update={
            "title": LocalizedText(
                ru="Итоги: лучший социальный проект года",
                kk="Қорытынды: жылдың үздік әлеуметтік жобасы",
                en="Results: the best social project of the year",
            ),
            "regions": demo.regions[:6],
            "nominations": demo.nominations[:2],
        }
    )
    plan = plan_edition(definition, RESULTS_SCALE, seed=1515)

    async def play() -> tuple[str, dict[str, Any], ContestDefinition]:
        callers = {name: Service(url) for name, url in public_site.services.items()}
        inbox = Service(public_site.inbox.url)
        try:
            platform = Platform(
                callers["intake"], callers["judging"], callers["voting"], inbox, public_site.auth
            )
            edition = Edition(plan, platform, f"portal-results-{uuid.uuid4().hex[:6]}")
            edition.special_prize_reason = SPECIAL_PRIZE_REASON
            played = await edition.play()
            return played.contest_id, played.results, edition.definition
        finally:
            for caller in (*callers.values(), inbox):
                caller.close()

    contest_id, results, played_definition = asyncio.run(play())
    return PublishedContest(contest_id, results, played_definition)


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the whole session."""
    assert os.path.exists(CHROMIUM), (  # noqa: ASYNC240  (once, at the start)
        f"{CHROMIUM} is missing: `apt-get install chromium` (./dev test does it as root)"
    )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


def screen(width: int) -> dict[str, Any]:
    """A browser context's options for a screen ``width`` px wide: a phone at 360 px (touch),
    a desktop above."""
    return {
        "viewport": {"width": width, "height": 800 if width > 360 else 740},
        "device_scale_factor": 1,
        "is_mobile": width == 360,
        "has_touch": width == 360,
    }


def watch_csp(page: Page) -> None:
    """Record on ``page.csp_refusals`` what the Content-Security-Policy refuses (its console
    says so): :func:`scanned` fails on any."""
    refusals: list[str] = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.csp_refusals = refusals  # type: ignore[attr-defined]


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def pages(browser: Browser) -> AsyncIterator[dict[int, Page]]:
    """A page per screen width (a 360 px phone, a 1280 px desktop), reused by every test.
    Each records the Content-Security-Policy refusals its console reports."""
    opened: dict[int, Page] = {}
    for width in WIDTHS:
        context = await browser.new_context(**screen(width))
        page = await context.new_page()
        watch_csp(page)
        opened[width] = page
    yield opened
    for page in opened.values():
        await page.context.close()


AXE = Axe()
Checked = Callable[[Page, str, str, Path | None], Awaitable[None]]


async def checked_page(page: Page, url: str, lang: str, shot: Path | None) -> None:
    """Open ``url``: a 200, then :func:`scanned`."""
    response = await page.goto(url)
    assert response is not None and response.status == 200, url
    await scanned(page, lang, shot)


async def scanned(page: Page, lang: str, shot: Path | None) -> None:
    """The page shown now: in ``lang`` with one h1, no serious or critical axe violation,
    nothing refused by the Content-Security-Policy; a full-page screenshot at ``shot``."""
    assert await page.get_attribute("html", "lang") == lang
    assert await page.locator("h1").count() == 1
    assert await page.locator("main#main").count() == 1
    results = await AXE.run(page)
    grave = [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not grave, f"{page.url}: {grave}"
    refusals: list[str] = getattr(page, "csp_refusals", [])
    assert not refusals, refusals
    if shot is not None:
        await page.screenshot(path=shot, full_page=True)


@pytest.fixture(scope="session")
def checked() -> Checked:
    """Open a page, check it (its language, one h1, axe, the CSP) and screenshot it."""
    return checked_page


@pytest.fixture(scope="session")
def screens() -> Callable[[int], dict[str, Any]]:
    """A browser context's options for a screen of a width (:func:`screen`)."""
    return screen


@pytest.fixture(scope="session")
def csp_watch() -> Callable[[Page], None]:
    """Record what a page's Content-Security-Policy refuses (:func:`watch_csp`)."""
    return watch_csp


@pytest.fixture(scope="session")
def scan() -> Callable[[Page, str, Path | None], Awaitable[None]]:
    """Check the page shown now (its language, one h1, axe, the CSP), and screenshot it."""
    return scanned


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests leave their screenshots (kept between runs, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, when the browser tests took any."""
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"portal screenshots: {SCREENSHOTS}")
