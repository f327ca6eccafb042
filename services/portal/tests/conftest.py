"""Fixtures of the portal's tests: the real intake, judging and voting services (each its
own process, on the session's broker and store) with a contest and its projects, the
portal in front of them, and one headless Chromium for the session.

Chromium is Debian's (`/usr/bin/chromium`): Playwright cannot download its own browser on
these machines. `./dev test` installs the package when it is missing and it can.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright

from contest_intake.domain.definitions import demo_definition
from contest_local.demo import rebased
from contest_local.edition.people import People
from contest_local.infra import Endpoints
from contest_local.platform import PORTAL, portal_environment, start_services
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


@dataclass(frozen=True)
class PublicSite:
    """The portal in front of real services, and what the contest it shows holds."""

    url: str
    contest_id: str
    projects: list[dict[str, Any]]
    """What intake gave back for each project filed (application id, form)."""
    workers: int
    """Applications in worker nominations: never in the exhibition."""
    page_size: int = EXHIBITION_PAGE_SIZE

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
    """Intake, judging and voting as processes of their own, a contest defined and its
    projects filed through intake's API, and the portal reading them."""
    workdir = tmp_path_factory.mktemp("portal-site")
    auth = AuthSettings(jwt_key=secrets.token_urlsafe(32))
    run = f"portal-{uuid.uuid4().hex[:8]}"
    environment = {
        "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
        "VOTING_VOTER_KEY_SECRET": secrets.token_urlsafe(32),
        "VOTING_TOKEN_SECRET": secrets.token_urlsafe(32),
    }
    names = ("intake", "judging", "voting")
    for name in names:
        environment[f"{name.upper()}_MONGODB_DATABASE"] = f"{run}_{name}".replace("-", "_")
        environment[f"{name.upper()}_CONSUMER_GROUP"] = f"{run}-{name}"
    with ExitStack() as stack:
        services = start_services(stack, infrastructure, workdir, environment, names)
        intake = next(s for s in services if s.name == "intake")
        contest_id, projects, workers = _contest_with_projects(intake.url, auth)
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
        yield PublicSite(portal.url, contest_id, projects, workers)


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


@pytest_asyncio.fixture(loop_scope="session", scope="session")
async def pages(browser: Browser) -> AsyncIterator[dict[int, Page]]:
    """A page per screen width (a 360 px phone, a 1280 px desktop), reused by every test.
    Each records the Content-Security-Policy refusals its console reports."""
    opened: dict[int, Page] = {}
    for width in WIDTHS:
        context = await browser.new_context(
            viewport={"width": width, "height": 800 if width > 360 else 740},
            device_scale_factor=1,
            is_mobile=width == 360,
            has_touch=width == 360,
        )
        page = await context.new_page()
        refusals: list[str] = []
        page.on(
            "console",
            lambda message, seen=refusals: (
                seen.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        page.csp_refusals = refusals  # type: ignore[attr-defined]
        opened[width] = page
    yield opened
    for page in opened.values():
        await page.context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests leave their screenshots (kept between runs, not committed)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say where the screenshots are, when the browser tests took any."""
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"portal screenshots: {SCREENSHOTS}")
