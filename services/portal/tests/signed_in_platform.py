"""A platform whose services trust the local identity provider and a portal that signs
people in there, for the tests of sign-in and of the workspaces: its own databases and
consumer groups, and an account for each role. The run's static key also verifies (as in
`./dev run`), so that fixtures can set up what a test needs with minted tokens."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Page
from starlette.requests import Request

from contest_local.embedded import free_port
from contest_local.identity import Account, ProviderClient, identity_process
from contest_local.infra import Endpoints
from contest_local.platform import PLATFORM_SERVICES, PORTAL, portal_environment, start_services
from contest_portal.signins import SIGNED_IN, SignIns
from contest_runtime.auth import AuthSettings

OPERATOR = Account(
    username="operator-signin",
    password=secrets.token_urlsafe(12),
    name="Әлия Оператор",
    roles=("operator",),
)
SECRETARY = Account(
    username="secretary-kz-71",
    password=secrets.token_urlsafe(12),
    name="Айгерим Секретарь",
    roles=("secretary",),
    region="KZ-71",
)
JUROR = Account(
    username="juror-kz-71-1",
    password=secrets.token_urlsafe(12),
    name="Ерлан Жюри",
    roles=("juror",),
    region="KZ-71",
)
COMMISSION_SECRETARY = Account(
    username="commission-kz-71",
    password=secrets.token_urlsafe(12),
    name="Гүлнар Хатшы",
    roles=("commission_secretary",),
    region="KZ-71",
)
APPLICANT = Account(
    username="applicant-signin",
    password=secrets.token_urlsafe(12),
    name="Алия Өтінішкер",
    roles=("applicant",),
    region="KZ-71",
    iin_bin="990101300122",  # a valid check digit: intake refuses others
    language="kk",
)
ACCOUNTS = (OPERATOR, SECRETARY, JUROR, COMMISSION_SECRETARY, APPLICANT)


@dataclass(frozen=True)
class SignInSite:
    """The portal, the provider and the services trusting it."""

    portal: str
    provider: str
    services: dict[str, str]
    session_secret: str
    ministry_secret: str
    logs: Path
    auth: AuthSettings
    """The run's static key: fixtures mint tokens with it to set up what a test needs."""
    voter_secrets: tuple[str, str] = ("", "")
    """Voting's voter key and voter token secrets: fixtures make voters with them (this
    platform has no inbox to read one-time codes from)."""


@contextmanager
def signed_in_platform(infrastructure: Endpoints, workdir: Path) -> Iterator[SignInSite]:
    """Start the provider, the four services trusting it, and the portal as its client."""
    portal_port = free_port()
    portal = f"http://127.0.0.1:{portal_port}"
    session_secret, portal_secret, ministry_secret = (secrets.token_urlsafe(32) for _ in "abc")
    auth = AuthSettings(jwt_key=secrets.token_urlsafe(32))
    voter_key_secret, voter_token_secret = (secrets.token_urlsafe(32) for _ in "ab")
    clients = [
        ProviderClient(
            client_id="portal",
            secret=portal_secret,
            redirect_uris=(f"{portal}/auth/callback",),
            post_logout_redirect_uris=(f"{portal}/",),
            grant_types=("authorization_code", "refresh_token"),
        ),
        ProviderClient(
            client_id="ministry",
            secret=ministry_secret,
            roles=("operator",),
            grant_types=("client_credentials",),
        ),
    ]
    identity = identity_process(workdir, clients, ACCOUNTS)
    run = f"signin-{uuid.uuid4().hex[:8]}"
    environment = {
        **identity.services_environment(),
        "AUTH_JWT_KEY": auth.jwt_key.get_secret_value(),
        "AUTH_STATIC_KEY_ALONGSIDE": "true",
        "VOTING_VOTER_KEY_SECRET": voter_key_secret,
        "VOTING_TOKEN_SECRET": voter_token_secret,
        # A delivery that cannot go through fails within a second or two, not minutes: the
        # console's delivery log is tested with a webhook failing for real.
        "NOTIFICATIONS_MAX_ATTEMPTS": "2",
        "NOTIFICATIONS_RETRY_BASE_S": "0.2",
        "NOTIFICATIONS_RETRY_CAP_S": "0.5",
        "NOTIFICATIONS_DISPATCH_INTERVAL_S": "0.2",
    }
    for name in PLATFORM_SERVICES:
        environment[f"{name.upper()}_MONGODB_DATABASE"] = f"{run}_{name}".replace("-", "_")
        environment[f"{name.upper()}_CONSUMER_GROUP"] = f"{run}-{name}"
    with ExitStack() as stack:
        identity.process.start()
        stack.callback(identity.process.stop)
        services = start_services(stack, infrastructure, workdir, environment)
        start_services(
            stack,
            infrastructure,
            workdir,
            {
                **environment,
                **portal_environment(services, session_secret),
                "PORTAL_OIDC_ISSUER": identity.url,
                "PORTAL_OIDC_CLIENT_ID": "portal",
                "PORTAL_OIDC_CLIENT_SECRET": portal_secret,
            },
            (PORTAL,),
            ports={PORTAL: portal_port},
        )
        yield SignInSite(
            portal=portal,
            provider=identity.url,
            services={s.name: s.url for s in services},
            session_secret=session_secret,
            ministry_secret=ministry_secret,
            logs=workdir,
            auth=auth,
            voter_secrets=(voter_key_secret, voter_token_secret),
        )


async def sign_in(page: Page, site: SignInSite, lang: str, account: Account) -> None:
    """From the portal's account page through the provider's sign-in page and back."""
    await page.goto(f"{site.portal}/{lang}/account")
    assert page.url.startswith(site.provider), page.url  # sent to sign in
    assert await page.get_attribute("html", "lang") == lang
    await page.fill("#username", account.username)
    await page.fill("#password", account.password)
    await page.locator("form button[type=submit]").first.click()
    await page.wait_for_url(f"{site.portal}/{lang}/account")


def with_cookie(value: str) -> Request:
    """A request that carries the sign-in cookie ``value``."""
    return Request({"type": "http", "headers": [(b"cookie", f"{SIGNED_IN}={value}".encode())]})


def access_token(cookies: list[dict[str, str]], site: SignInSite) -> str:
    """The access token the portal keeps in the person's sign-in cookie."""
    value = next(c["value"] for c in cookies if c["name"] == SIGNED_IN)
    person = SignIns(site.session_secret).read(with_cookie(value))
    assert person is not None
    return person.access_token
