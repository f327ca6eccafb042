"""The public pages over plain HTTP, on the real services: what a cache in front needs
(Cache-Control, a weak ETag, 304 on revalidation) and the security headers on every one;
refusals as pages, never raw errors."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.infra

CSP = "default-src 'self'"


def public_pages(site: Any) -> list[str]:
    contest = f"/contests/{site.contest_id}"
    card = site.project("ngo-inclusion-project", "KZ-71")
    return [
        path
        for lang in ("kk", "ru", "en")
        for path in (
            f"/{lang}/",
            f"/{lang}{contest}",
            f"/{lang}{contest}/exhibition",
            f"/{lang}{contest}/exhibition?region=KZ-75",
            f"/{lang}{contest}/exhibition/ngo-inclusion-project/KZ-71/{card['application_id']}",
        )
    ]


def test_every_page_answers_200_with_a_weak_etag_and_304_when_revalidated(
    public_site: Any,
) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        for path in public_pages(public_site):
            page = portal.get(path)
            assert page.status_code == 200, path
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            tag = page.headers["etag"]
            assert tag.startswith('W/"'), tag
            assert page.headers["cache-control"].startswith("public, max-age=")
            assert page.headers["content-security-policy"].startswith(CSP)
            assert page.headers["x-content-type-options"] == "nosniff"
            assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
            again = portal.get(path, headers={"If-None-Match": tag})
            assert again.status_code == 304, path
            assert again.content == b"" and again.headers["etag"] == tag
            other = portal.get(path, headers={"If-None-Match": 'W/"another"'})
            assert other.status_code == 200 and other.content == page.content


def test_languages_differ_and_the_static_style_sheet_is_kept_for_a_year(
    public_site: Any,
) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        tags = {portal.get(f"/{lang}/").headers["etag"] for lang in ("kk", "ru", "en")}
        assert len(tags) == 3
        page = portal.get("/ru/").text
        sheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert sheet.startswith("/static/portal.css?v=")
        css = portal.get(sheet)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
        # Nothing inline for the CSP: every script comes from a file of the site.
        assert "style=" not in page
        scripts = re.findall(r"<script[^>]*>", page)
        assert scripts and all(
            re.fullmatch(r'<script src="/static/[^"]+" defer>', s) for s in scripts
        )
        assert "</script>" in page and not re.search(r"<script[^>]*>[^<]+</script>", page)


def test_the_way_in_follows_the_cookie_then_accept_language_then_russian(
    public_site: Any,
) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        assert portal.get("/").headers["location"] == "/ru/"
        english = portal.get("/", headers={"Accept-Language": "de;q=1, en-GB;q=0.8"})
        assert english.headers["location"] == "/en/"
        assert "private" in english.headers["cache-control"]
        chosen = portal.get("/", headers={"Accept-Language": "en", "Cookie": "lang=kk"})
        assert chosen.status_code == 303 and chosen.headers["location"] == "/kk/"


def test_the_language_switch_keeps_the_choice_and_never_leaves_the_site(
    public_site: Any,
) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        switched = portal.get("/language/en", params={"next": "/contests/x?region=KZ-71"})
        assert switched.status_code == 303
        assert switched.headers["location"] == "/en/contests/x?region=KZ-71"
        cookie = switched.headers["set-cookie"]
        assert "lang=en" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        assert "Secure" not in cookie  # on loopback only; anywhere else the cookie is Secure
        for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example", "x"):
            away = portal.get("/language/kk", params={"next": elsewhere})
            assert away.headers["location"] == "/kk/", elsewhere
        assert portal.get("/language/de").status_code == 404


def test_what_does_not_exist_is_a_page_in_the_readers_language_kept_by_nobody(
    public_site: Any,
) -> None:
    contest = f"/contests/{public_site.contest_id}"
    with httpx.Client(base_url=public_site.url) as portal:
        for path, words in (
            ("/kk/contests/no-such-contest", "Бет табылмады"),
            ("/ru/contests/no-such-contest/exhibition", "Страница не найдена"),
            (f"/en{contest}/exhibition/social-project/KZ-71/no-such-project", "Page not found"),
            (f"/en{contest}/exhibition/social-project/KZ-99/x", "Page not found"),
            ("/de/", "Страница не найдена"),
            ("/ru/nothing/here", "Страница не найдена"),
        ):
            page = portal.get(path)
            assert page.status_code == 404, path
            assert words in page.text, path
            assert page.headers["cache-control"] == "no-store"
            assert page.headers["content-security-policy"].startswith(CSP)
        # A filter the contest does not have is no filter, not an error.
        assert portal.get(f"/ru{contest}/exhibition?region=nowhere").status_code == 200


def test_an_address_the_page_cannot_read_is_a_page_in_the_readers_language(
    public_site: Any,
) -> None:
    contest = f"/contests/{public_site.contest_id}"
    with httpx.Client(base_url=public_site.url) as portal:
        for path, words in (
            (f"/kk{contest}/exhibition?after={'x' * 200}", "Бұл мекенжайда қате бар"),
            (f"/ru{contest}/exhibition?region={'y' * 65}", "В этом адресе ошибка"),
            (f"/en/receipts?receipt={'z' * 65}", "This address has a mistake in it"),
            (f"/language/ru?next=/{'n' * 2050}", "В этом адресе ошибка"),
        ):
            page = portal.get(path)
            assert page.status_code == 400, path
            assert page.headers["content-type"].startswith("text/html"), path
            assert words in page.text and "validation" not in page.text, path
            assert page.headers["cache-control"] == "no-store"


def test_the_exhibition_pages_through_every_project_and_shows_no_worker(
    public_site: Any,
) -> None:
    seen: list[str] = []
    path: str | None = f"/en/contests/{public_site.contest_id}/exhibition"
    with httpx.Client(base_url=public_site.url) as portal:
        while path is not None:
            page = portal.get(path).text
            seen += [
                part.split('"')[0].rsplit("/", 1)[1]
                for part in page.split('<h3 class="card__title"><a href="')[1:]
            ]
            path = (
                page.split('rel="next" href="')[1].split('"')[0] if 'rel="next"' in page else None
            )
            path = path.replace("&amp;", "&") if path else None
    assert len(seen) > public_site.page_size  # more than one page was read
    assert sorted(seen) == sorted(p["application_id"] for p in public_site.projects)
