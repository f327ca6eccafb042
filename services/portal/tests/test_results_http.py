"""The results of a contest played to the end on the real services (`published_contest`),
over plain HTTP: the contest page links to them once published and not before; the page
shows every award judging published, in each language, with what a cache needs; the file
is a CSV attachment with a byte order mark, headings in the reader's language, one row per
award and the commission's reason kept from running as a formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.infra

HEADINGS = {
    "kk": ["Номинация", "Марапат", "Орын немесе реттік нөмір", "Атауы", "Аты", "Өңір"],
    "ru": ["Номинация", "Награда", "Место или ранг", "Название", "Имя", "Регион"],
    "en": ["Nomination", "Award", "Place or rank", "Title", "Name", "Region"],
}
NOT_YET = {
    "kk": "Нәтижелер әлі жарияланған жоқ.",
    "ru": "Результаты ещё не опубликованы.",
    "en": "The results are not published yet.",
}


def awards(results: dict[str, Any]) -> int:
    return sum(
        len(n["places"]) + len(n["special_prizes"]) + len(n["peoples_choice"])
        for n in results["nominations"]
    )


def test_the_contest_links_to_its_results_only_once_they_are_published(
    public_site: Any, published_contest: Any
) -> None:
    with httpx.Client(base_url=public_site.url) as portal:
        done = portal.get(f"/ru/contests/{published_contest.contest_id}").text
        assert f'href="/ru/contests/{published_contest.contest_id}/results"' in done
        for lang in ("kk", "ru", "en"):
            path = f"/{lang}/contests/{public_site.contest_id}"
            assert f'{path}/results"' not in portal.get(path).text
            waiting = portal.get(f"{path}/results")
            assert waiting.status_code == 200 and NOT_YET[lang] in waiting.text
            assert waiting.headers["cache-control"].startswith("public, max-age=")
            # No file before there are results: a 404 page in the reader's language.
            missing = portal.get(f"{path}/results.csv")
            assert missing.status_code == 404
            assert missing.headers["content-type"].startswith("text/html")
        assert portal.get("/en/contests/no-such-contest/results").status_code == 404
        assert portal.get("/en/contests/no-such-contest/results.csv").status_code == 404


def test_the_results_page_shows_every_award_in_each_language_and_revalidates(
    public_site: Any, published_contest: Any
) -> None:
    results = published_contest.results
    definition = published_contest.definition
    assert results["nominations"], results
    with httpx.Client(base_url=public_site.url) as portal:
        for lang in ("kk", "ru", "en"):
            path = f"/{lang}/contests/{published_contest.contest_id}/results"
            page = portal.get(path)
            assert page.status_code == 200, path
            assert page.headers["cache-control"].startswith("public, max-age=")
            again = portal.get(path, headers={"If-None-Match": page.headers["etag"]})
            assert again.status_code == 304
            html = page.text
            for nomination in definition.nominations:
                assert getattr(nomination.title, lang).replace('"', "&#34;") in html
            for nomination in results["nominations"]:
                for award in (
                    nomination["places"]
                    + nomination["special_prizes"]
                    + nomination["peoples_choice"]
                ):
                    assert award["title"].replace('"', "&#34;") in html, award
                # The prize structure gives two second places: one place shared by two.
                seconds = [p for p in nomination["places"] if p["place"] == 2]
                assert len(seconds) == 2, nomination
                second = {"kk": "2-орын", "ru": "2 место", "en": "Place 2"}[lang]
                assert html.count(f'<th scope="row">{second}<span') >= 2
            assert "+ новые методы работы с семьями" in html  # the commission's reason
            assert NOT_YET[lang] not in html


def test_the_results_file_is_a_csv_attachment_in_the_readers_language(
    public_site: Any, published_contest: Any
) -> None:
    contest_id = published_contest.contest_id
    with httpx.Client(base_url=public_site.url) as portal:
        for lang in ("kk", "ru", "en"):
            path = f"/{lang}/contests/{contest_id}/results.csv"
            answer = portal.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"] == "text/csv; charset=utf-8"
            disposition = answer.headers["content-disposition"]
            assert disposition.startswith(f'attachment; filename="results-{contest_id}-{lang}.csv"')
            assert answer.headers["cache-control"].startswith("public, max-age=")
            tag = answer.headers["etag"]
            assert tag.startswith('W/"')
            assert portal.get(path, headers={"If-None-Match": tag}).status_code == 304
            assert answer.content.startswith(b"\xef\xbb\xbf")
            rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
            assert rows[0][:6] == HEADINGS[lang]
            assert len(rows) == 1 + awards(published_contest.results)
            reasons = {row[9] for row in rows[1:] if row[9]}
            # The reason starts as a formula would: the file keeps it text.
            assert reasons == {"'+ новые методы работы с семьями"}
            assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
