"""Exports and documents over HTTP, on the signed-in platform: a small edition played to its
published results through the services' APIs (no voters: the people's choice is certified
with no votes), then each file read back (csv, openpyxl, pypdf) and compared with what the
services answer the same person; who may not is sent to sign in or gets the 403 page."""

from __future__ import annotations

import asyncio
import csv
import io
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from playwright.async_api import Browser
from pypdf import PdfReader
from signed_in_platform import APPLICANT, OPERATOR, SignInSite, sign_in

from contest_contracts.common import Language, LocalizedText
from contest_contracts.events.contest import ContestDefinition
from contest_intake.domain.definitions import demo_definition
from contest_local.calls import Service
from contest_local.edition.plan import Scale, plan_edition
from contest_local.edition.play import Edition, Platform
from contest_portal import formats
from contest_portal.app import create_app
from contest_portal.services.identity import SignedIn
from contest_portal.settings import PortalSettings
from contest_portal.signins import SIGNED_IN, SignIns
from contest_runtime.auth import Role, mint

SCALE = Scale(
    applications=14, empty_cells=0, ineligible=1, regional_jurors=3, republican_jurors=3, voters=0
)
"""Six regions' finalists in two nominations (more than the places: a special prize), no
voters (so no SMS)."""

MARKED_REASON = '=HYPERLINK("http://example.invalid")'
"""A special prize's reason a spreadsheet would run: the files must show it as text."""


@dataclass(frozen=True)
class Played:
    contest_id: str
    results: dict[str, Any]
    definition: ContestDefinition
    region: str
    """A region of the edition: the secretary's and commission secretary's."""


@pytest.fixture(scope="module")
def played(signin_site: SignInSite) -> Played:
    """An edition on the signed-in platform's services, from definition to results."""
    demo = demo_definition()
    definition = demo.model_copy(
        update={
            "title": LocalizedText(
                ru="Выгрузки: лучший проект", kk="Экспорт: үздік жоба", en="Exports: best project"
            ),
            "regions": demo.regions[:6],
            "nominations": demo.nominations[:2],
        }
    )
    plan = plan_edition(definition, SCALE, seed=1717)

    async def play() -> Played:
        callers = {name: Service(url) for name, url in signin_site.services.items()}
        try:
            platform = Platform(
                callers["intake"],
                callers["judging"],
                callers["voting"],
                callers["notifications"],  # the inbox: never asked, there are no voters
                signin_site.auth,
            )
            edition = Edition(plan, platform, f"exports-{uuid.uuid4().hex[:6]}")
            edition.special_prize_reason = MARKED_REASON
            done = await edition.play()
            return Played(
                done.contest_id,
                done.results,
                edition.definition,
                edition.definition.regions[0].code,
            )
        finally:
            for caller in callers.values():
                caller.close()

    return asyncio.run(play())


def token(site: SignInSite, subject: str, role: Role, region: str | None = None) -> str:
    return mint(site.auth, subject=subject, roles=[role], region_code=region)


def signed_in(
    site: SignInSite, subject: str, role: Role, region: str | None = None
) -> dict[str, str]:
    """The portal's sign-in cookie for a person of ``role`` (what its callback writes), with a
    token the services take (the run's static key)."""
    person = SignedIn(
        subject=subject,
        name=f"Тест {subject}",
        roles=(role.value,),
        region=region,
        access_token=token(site, subject, role, region),
        expires_at=time.time() + 3600,
        refresh_token=None,
        id_token="",
    )
    return {SIGNED_IN: SignIns(site.session_secret).signed.dumps(asdict(person))}


def portal(site: SignInSite, cookies: dict[str, str] | None = None) -> httpx.Client:
    return httpx.Client(base_url=site.portal, cookies=cookies or {}, timeout=30)


def api(site: SignInSite, service: str, path: str, bearer: str, **params: Any) -> Any:
    answer = httpx.get(
        site.services[service] + path,
        params=params,
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(body: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(body))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (a PDF wraps lines)."""
    return " ".join(text.split())


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_the_results_as_csv_and_xlsx_are_the_public_files_rows(
    signin_site: SignInSite, played: Played
) -> None:
    base = f"/ru/exports/contests/{played.contest_id}/results"
    with portal(signin_site, signed_in(signin_site, "op-1", Role.OPERATOR)) as http:
        as_csv = http.get(base + ".csv")
        as_xlsx = http.get(base + ".xlsx")
        public = http.get(f"/ru/contests/{played.contest_id}/results.csv")
    assert as_csv.status_code == 200
    assert as_csv.headers["cache-control"] == "private, no-store"
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.content == public.content  # one way to make the CSV
    rows = read_csv(as_csv.content)
    awards = sum(
        len(n["places"]) + len(n["special_prizes"]) + len(n["peoples_choice"])
        for n in played.results["nominations"]
    )
    assert len(rows) == 1 + awards
    names = {
        a["display_name"]
        for n in played.results["nominations"]
        for kind in ("places", "special_prizes", "peoples_choice")
        for a in n[kind]
    }
    assert {row[4] for row in rows[1:]} == names
    assert as_xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="results-' in as_xlsx.headers["content-disposition"]
    (sheet,) = read_xlsx(as_xlsx.content).values()
    assert sheet[0] == rows[0]
    assert len(sheet) == len(rows)
    # Numbers stay numbers, and the formula-like reason stays text in both files.
    assert all(isinstance(row[8], int) for row in sheet[1:])
    assert "'" + MARKED_REASON in {row[9] for row in sheet[1:]}
    assert "'" + MARKED_REASON in {row[9] for row in rows[1:]}


def test_applications_are_those_intake_lists_the_person(
    signin_site: SignInSite, played: Played
) -> None:
    path = f"/contests/{played.contest_id}/applications"
    operator = token(signin_site, "op-1", Role.OPERATOR)
    every = api(signin_site, "intake", path, operator, limit=500)["items"]
    with portal(signin_site, signed_in(signin_site, "op-1", Role.OPERATOR)) as http:
        rows = read_csv(
            http.get(f"/en/exports/contests/{played.contest_id}/applications.csv").content
        )
    assert rows[0][:3] == ["Application", "Nomination", "Region"]
    assert {row[0] for row in rows[1:]} == {a["application_id"] for a in every}
    assert not any(a["form"]["applicant"]["identifier"] in row for a in every for row in rows)

    secretary = token(signin_site, "sec-1", Role.SECRETARY, played.region)
    theirs = api(signin_site, "intake", path, secretary, limit=500)["items"]
    assert 0 < len(theirs) < len(every)
    cookies = signed_in(signin_site, "sec-1", Role.SECRETARY, played.region)
    with portal(signin_site, cookies) as http:
        sheets = read_xlsx(
            http.get(f"/ru/exports/contests/{played.contest_id}/applications.xlsx").content
        )
    (sheet,) = sheets.values()
    assert {row[0] for row in sheet[1:]} == {a["application_id"] for a in theirs}


def test_the_audit_log_is_judgings_entry_by_entry_and_an_operators_alone(
    signin_site: SignInSite, played: Played
) -> None:
    operator = token(signin_site, "op-1", Role.OPERATOR)
    entries = api(
        signin_site, "judging", f"/contests/{played.contest_id}/audit", operator, limit=1000
    )
    address = f"/kk/exports/contests/{played.contest_id}/audit.csv"
    with portal(signin_site, signed_in(signin_site, "op-1", Role.OPERATOR)) as http:
        rows = read_csv(http.get(address).content)
    assert [row[2] for row in rows[1:]] == [e["action"] for e in entries]
    assert "stage.closed" in {row[2] for row in rows[1:]}
    with portal(signin_site) as http:
        anonymous = http.get(address)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/kk/sign-in?next=")
    cookies = signed_in(signin_site, "sec-1", Role.SECRETARY, played.region)
    with portal(signin_site, cookies) as http:
        refused = http.get(address)
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]


def test_tallies_are_votings_published_views(signin_site: SignInSite, played: Played) -> None:
    views = httpx.get(
        f"{signin_site.services['voting']}/contests/{played.contest_id}/tallies"
    ).json()
    cookies = signed_in(signin_site, "cs-1", Role.COMMISSION_SECRETARY, played.region)
    with portal(signin_site, cookies) as http:
        sheets = read_xlsx(
            http.get(f"/en/exports/contests/{played.contest_id}/tallies.xlsx").content
        )
    (sheet,) = sheets.values()
    assert sheet[0][:3] == ["Nomination", "Rank", "Application"]
    assert sorted(row[2] for row in sheet[1:]) == sorted(
        e["application_id"] for v in views for e in v["entries"]
    )
    assert {row[5] for row in sheet[1:]} == {"Yes"}  # certified
    assert all(row[4] == 0 for row in sheet[1:])  # no voters
    with portal(signin_site, signed_in(signin_site, "j-1", Role.JUROR, played.region)) as http:
        assert http.get(f"/en/exports/contests/{played.contest_id}/tallies.csv").status_code == 403


def test_a_ranking_sheet_by_sheet_and_its_protocol(signin_site: SignInSite, played: Played) -> None:
    nomination = played.definition.nominations[0]
    operator = token(signin_site, "op-1", Role.OPERATOR)
    ranking = api(
        signin_site,
        "judging",
        f"/contests/{played.contest_id}/stages/republican/rankings",
        operator,
        nomination=nomination.code,
    )
    commissions = api(
        signin_site, "judging", f"/contests/{played.contest_id}/commissions", operator
    )
    (republican,) = [c for c in commissions if c["level"] == "republican"]
    base = f"/ru/exports/contests/{played.contest_id}"
    query = {"nomination": nomination.code}
    with portal(signin_site, signed_in(signin_site, "op-1", Role.OPERATOR)) as http:
        rows = read_csv(http.get(base + "/rankings/republican.csv", params=query).content)
        sheets = read_xlsx(http.get(base + "/rankings/republican.xlsx", params=query).content)
        protocol = http.get(base + "/protocols/republican.pdf", params=query)
        kazakh = http.get(base.replace("/ru/", "/kk/") + "/protocols/republican.pdf", params=query)
        regional_without_region = http.get(base + "/rankings/regional.csv", params=query)
    # The CSV: one row per juror's sheet, as judging explains it.
    sheet_values = [(e["application_id"], v) for e in ranking["entries"] for v in e["sheet_values"]]
    assert len(rows) == 1 + len(sheet_values)
    assert [(row[1], row[3]) for row in rows[1:]] == [(a, v["juror_id"]) for a, v in sheet_values]
    assert rows[0][4] == nomination.rubric[0].title.ru
    assert [int(row[4]) for row in rows[1:]] == [
        v["scores"][nomination.rubric[0].code] for _, v in sheet_values
    ]
    # The workbook: the ranking first, then the same sheets.
    standings, by_sheet = sheets.values()
    assert [row[1] for row in standings[1:]] == [e["application_id"] for e in ranking["entries"]]
    assert [row[3] for row in standings[1:]] == pytest.approx(
        [e["score"] for e in ranking["entries"]]
    )
    assert len(by_sheet) == len(rows)
    assert regional_without_region.status_code == 404
    # The protocol: the contest, the nomination, the date, the members, the ranking.
    assert protocol.status_code == 200
    assert protocol.headers["content-type"] == "application/pdf"
    text = flat(pdf_text(protocol.content))
    closed_at = datetime.fromisoformat(ranking["closed_at"]).replace(tzinfo=UTC)
    for expected in (
        "Протокол комиссии",
        played.definition.title.ru,
        nomination.title.ru,
        "Республиканский этап",
        formats.local_datetime(closed_at, Language.RU),
        *(m["name"] for m in republican["members"]),
        *(e["title"] for e in ranking["entries"]),
        "Председатель",
    ):
        assert flat(expected) in text, expected
    kazakh_text = flat(pdf_text(kazakh.content))
    assert "Комиссия хаттамасы" in kazakh_text
    assert flat(formats.local_datetime(closed_at, Language.KK)) in kazakh_text
    # A commission secretary who is no member of that commission: judging refuses, a 403 page.
    cookies = signed_in(signin_site, "cs-1", Role.COMMISSION_SECRETARY, played.region)
    with portal(signin_site, cookies) as http:
        refused = http.get(base + "/protocols/republican.pdf", params=query)
        sheet_refused = http.get(base + "/rankings/republican.csv", params=query)
    assert refused.status_code == sheet_refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]


def test_a_diploma_in_the_winners_language_whose_qr_code_leads_to_its_confirmation(
    signin_site: SignInSite, played: Played
) -> None:
    operator = token(signin_site, "op-1", Role.OPERATOR)
    nomination = played.results["nominations"][0]
    winner = nomination["places"][0]
    application = api(signin_site, "intake", f"/applications/{winner['application_id']}", operator)
    language = Language(application["form"]["contact"]["language"])
    place = f"/contests/{played.contest_id}/results/verify/place/{winner['application_id']}"
    address = (
        f"/en/exports/contests/{played.contest_id}/diplomas/place/{winner['application_id']}.pdf"
    )
    with portal(signin_site, signed_in(signin_site, "op-1", Role.OPERATOR)) as http:
        diploma = http.get(address)
        not_won = http.get(address.replace("/place/", "/special_prize/"))
    assert diploma.status_code == 200, diploma.text
    raw = pdf_text(diploma.content)
    text = flat(raw)
    words = {
        Language.RU: ("ДИПЛОМ", f"{winner['place']} место", "награждается"),
        Language.KK: ("ДИПЛОМ", f"{winner['place']} орын", "марапатталады"),
        Language.EN: ("DIPLOMA", f"{winner['place']} place", "is awarded to"),
    }[language]
    for expected in (
        *words,
        winner["display_name"],
        played.definition.title.ru
        if language is Language.RU
        else formats.in_language(played.definition.title, language),
    ):
        assert flat(expected) in text, expected
    published = datetime.fromisoformat(played.results["published_at"].replace("Z", "+00:00"))
    assert flat(formats.local_date(published, language)) in text
    # The QR code holds the address printed under it: the public page confirming the award.
    verify = f"{signin_site.portal}/{language.value}{place}"
    assert verify in raw.replace("\n", "")
    assert not_won.status_code == 404
    with portal(signin_site) as http:
        confirmed = http.get(verify)
        made_up = http.get(f"/ru/contests/{played.contest_id}/results/verify/place/nobody")
    assert confirmed.status_code == 200
    assert confirmed.headers["cache-control"].startswith("public")
    assert winner["display_name"] in confirmed.text
    assert winner["title"] in confirmed.text
    assert application["form"]["contact"]["email"] not in confirmed.text
    assert application["form"]["applicant"]["identifier"] not in confirmed.text
    assert made_up.status_code == 404
    # A juror may take no diploma; nobody signed in is sent to sign in.
    with portal(signin_site, signed_in(signin_site, "j-1", Role.JUROR, played.region)) as http:
        assert http.get(address).status_code == 403
    with portal(signin_site) as http:
        assert http.get(address).status_code == 303


def test_without_the_font_a_document_is_a_503_page_and_a_spreadsheet_still_works(
    signin_site: SignInSite, played: Played, tmp_path: Any
) -> None:
    settings = PortalSettings(
        intake_url=signin_site.services["intake"],
        judging_url=signin_site.services["judging"],
        voting_url=signin_site.services["voting"],
        session_secret=signin_site.session_secret,
        oidc_issuer=signin_site.provider,
        oidc_client_secret="not used: nobody signs in here",
        document_fonts=tmp_path,
    )
    cookies = signed_in(signin_site, "op-1", Role.OPERATOR)
    winner = played.results["nominations"][0]["places"][0]["application_id"]
    base = f"/ru/exports/contests/{played.contest_id}"
    app = create_app(settings)

    async def ask() -> tuple[httpx.Response, httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://127.0.0.1", cookies=cookies
            ) as http:
                return (
                    await http.get(f"{base}/diplomas/place/{winner}.pdf"),
                    await http.get(f"{base}/results.csv"),
                )

    diploma, spreadsheet = asyncio.run(ask())
    assert diploma.status_code == 503
    assert "не установлен шрифт" in diploma.text
    assert spreadsheet.status_code == 200


@pytest.mark.asyncio(loop_scope="session")
async def test_the_exports_pages_and_the_award_confirmation_in_a_browser(
    signin_site: SignInSite,
    played: Played,
    browser: Browser,
    screens: Any,
    csp_watch: Any,
    scan: Any,
    screenshots: Path,
) -> None:
    winner = played.results["nominations"][0]["places"][0]
    verify = f"/contests/{played.contest_id}/results/verify/place/{winner['application_id']}"
    for lang in ("kk", "ru", "en"):
        for width in (360, 1280):
            context = await browser.new_context(**screens(width))
            page = await context.new_page()
            csp_watch(page)
            await sign_in(page, signin_site, lang, OPERATOR)
            await page.click(f"a[href='/{lang}/exports']")
            await scan(page, lang, screenshots / f"exports-{lang}-{width}.png")
            await page.click(f"a[href='/{lang}/exports/contests/{played.contest_id}']")
            await scan(page, lang, screenshots / f"exports-contest-{lang}-{width}.png")
            assert await page.locator("a[href$='.pdf']").count() > 0
            assert await page.evaluate("document.documentElement.scrollWidth") <= width
            await page.goto(f"{signin_site.portal}/{lang}{verify}")
            await scan(page, lang, screenshots / f"award-verified-{lang}-{width}.png")
            assert winner["display_name"] in await page.inner_text("main")
            await context.close()
    # Someone signed in without an office role has no link, and the page is the 403 page.
    context = await browser.new_context(**screens(360))
    page = await context.new_page()
    await sign_in(page, signin_site, "ru", APPLICANT)
    assert await page.locator("a[href='/ru/exports']").count() == 0
    response = await page.goto(f"{signin_site.portal}/ru/exports")
    assert response is not None and response.status == 403
    await scan(page, "ru", None)
    await context.close()
