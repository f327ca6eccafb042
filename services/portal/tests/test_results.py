"""The results page and file from a result table made here (pure: the templates and the
file alone): ties on a place shown as a shared place, in every language; the people's
choice votes with each language's plural; the grants added up; before publication, a
sentence; the file one award a row, with a byte order mark and no cell a spreadsheet would
run. The same page on the real services is in `test_results_http.py`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.requests import Request

from contest_contracts.common import Language
from contest_contracts.events.judging import (
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    ResultsPublished,
    SpecialPrize,
)
from contest_intake.domain.definitions import demo_definition
from contest_portal.awards import AwardKind, result_table, results_file, spreadsheet_cell
from contest_portal.languages import Catalogs
from contest_portal.pages.rendering import Renderer, StaticFiles
from contest_portal.pages.results import HEADINGS
from contest_portal.services.intake import Contest

RENDERER = Renderer(Catalogs.load(), StaticFiles(), 30)
DEFINITION = demo_definition()
PROJECTS, WORKERS = "social-project", "special-services-centre-worker"


def place(number: int, name: str, score: float, grant: int, region: str = "KZ-71") -> PlaceAward:
    return PlaceAward(
        place=number,
        application_id=f"app-{name}",
        title=f"Проект {name}",
        display_name=f"ОО «{name}»",
        region_code=region,
        score=score,
        grant_tenge=grant,
    )


def chosen(rank: int, name: str, votes: int) -> PeoplesChoiceAward:
    return PeoplesChoiceAward(
        rank=rank,
        application_id=f"app-{name}",
        title=f"Проект {name}",
        display_name=f"ОО «{name}»",
        votes=votes,
        grant_tenge=500_000,
    )


RESULTS = ResultsPublished(
    contest_id=DEFINITION.contest_id,
    published_at=datetime(2025, 10, 20, 9, 0, tzinfo=UTC),
    nominations=[
        # Given in another order than the definition's: the page follows the definition.
        NominationResult(
            nomination_code=PROJECTS,
            places=[
                place(3, "Гамма", 40.5, 2_000_000, "KZ-75"),
                place(1, "Альфа", 47.25, 3_000_000),
                # A tie: two second places with the very same score.
                place(2, "Бета", 44.0, 2_500_000, "KZ-79"),
                place(2, "Бета-2", 44.0, 2_500_000),
                # And a tie for the last third place: three thirds.
                place(3, "Дельта", 39.0, 2_000_000),
                place(3, "Дельта-2", 39.0, 2_000_000),
            ],
            special_prizes=[
                SpecialPrize(
                    application_id="app-special",
                    title="Проект <Особый>",
                    display_name="ОФ «Жігер»",
                    reason='За смелость & "новизну"',
                    grant_tenge=500_000,
                )
            ],
            peoples_choice=[
                chosen(2, "Народный-2", 2),
                chosen(1, "Народный", 5),
                chosen(2, "Народный-3", 2),
                chosen(4, "Народный-4", 1),
            ],
        ),
        NominationResult(
            nomination_code=WORKERS,
            places=[place(1, "Айгуль", 45.0, 3_000_000)],
        ),
    ],
)
GRANTS = 3_000_000 + 2 * 2_500_000 + 3 * 2_000_000 + 500_000 + 4 * 500_000 + 3_000_000


def page(language: Language, results: ResultsPublished | None = RESULTS) -> str:
    request = Request(
        {"type": "http", "path": f"/{language.value}/x", "query_string": b"", "headers": []}
    )
    contest = Contest(definition=DEFINITION, revision=1)
    response = RENDERER.page(
        request,
        language,
        "results.html",
        contest=contest,
        definition=DEFINITION,
        table=None if results is None else result_table(results, DEFINITION),
        regions={r.code: r.title for r in DEFINITION.regions},
        awards_stage=DEFINITION.stages[-1],
    )
    return bytes(response.body).decode("utf-8")


def sections(html: str) -> list[str]:
    return html.split('<section class="nomination-results"')[1:]


def test_the_table_groups_tied_winners_into_one_place_in_the_definitions_order() -> None:
    table = result_table(RESULTS, DEFINITION)
    assert [n.code for n in table.nominations] == [WORKERS, PROJECTS]
    projects = table.nominations[1]
    assert [(p.place, len(p.winners), p.shared) for p in projects.places] == [
        (1, 1, False),
        (2, 2, True),
        (3, 3, True),
    ]
    assert [c.rank for c in projects.peoples_choice] == [1, 2, 2, 4]
    assert table.grants_tenge == GRANTS


@pytest.mark.parametrize(
    ("language", "second", "shared_two", "shared_three", "votes"),
    [
        (Language.RU, "2 место", "делят 2 победителя", "делят 3 победителя",
         ["5 голосов", "2 голоса", "2 голоса", "1 голос"]),
        (Language.KK, "2-орын", "2 жеңімпазға ортақ", "3 жеңімпазға ортақ",
         ["5 дауыс", "2 дауыс", "2 дауыс", "1 дауыс"]),
        (Language.EN, "Place 2", "shared by 2 winners", "shared by 3 winners",
         ["5 votes", "2 votes", "2 votes", "1 vote"]),
    ],
)  # fmt: skip
def test_a_shared_place_is_shown_as_such_and_votes_take_the_languages_plural(
    language: Language, second: str, shared_two: str, shared_three: str, votes: list[str]
) -> None:
    html = page(language)
    assert f'<html lang="{language.value}">' in html
    workers, projects = sections(html)
    titles = {n.code: n.title for n in DEFINITION.nominations}
    assert getattr(titles[WORKERS], language.value) in workers
    assert getattr(titles[PROJECTS], language.value) in projects
    # Both second places are there, each said to be shared by two; the three thirds by three.
    assert projects.count(f'<th scope="row">{second}<span') == 2
    assert projects.count(shared_two) == 2 and projects.count(shared_three) == 3
    assert shared_two not in workers  # a place of one winner is no shared place
    order = [projects.index(f"Проект {n}<") for n in ("Альфа", "Бета", "Бета-2", "Гамма")]
    assert order == sorted(order)  # best first, whatever order judging gave
    cells = projects.split('<td class="awards__number awards__votes"')[1:]
    assert [cell.split(">", 1)[1].split("</td>")[0] for cell in cells] == votes
    # Texts from applicants and the commission are escaped, never markup.
    assert "Проект &lt;Особый&gt;" in projects and "&amp; &#34;новизну&#34;" in projects


def test_regions_scores_and_grants_are_in_the_readers_formats() -> None:
    russian, english = page(Language.RU), page(Language.EN)
    assert "г. Алматы" in russian and "Almaty" in english
    assert "47,25" in russian and "47.25" in english
    total = f"{GRANTS:,}".replace(",", "\N{NO-BREAK SPACE}")
    assert f"Гранты во всех номинациях: {total}\N{NO-BREAK SPACE}₸" in russian
    assert f"Grants in all nominations: KZT\N{NO-BREAK SPACE}{GRANTS:,}" in english


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (Language.RU, "Результаты ещё не опубликованы."),
        (Language.KK, "Нәтижелер әлі жарияланған жоқ."),
        (Language.EN, "The results are not published yet."),
    ],
)
def test_before_publication_the_page_says_so(language: Language, words: str) -> None:
    html = page(language, None)
    assert words in html and "nomination-results" not in html and ".csv" not in html


def read(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the byte order mark: Excel reads UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_the_file_has_one_row_per_award_with_a_shared_place_twice() -> None:
    kinds = {AwardKind.PLACE: "P", AwardKind.SPECIAL_PRIZE: "S", AwardKind.PEOPLES_CHOICE: "C"}
    rows = read(
        results_file(
            result_table(RESULTS, DEFINITION),
            list(HEADINGS),
            kinds.__getitem__,
            lambda n: n.code,
            lambda code: f"region {code}",
        )
    )
    assert rows[0] == list(HEADINGS)
    body = rows[1:]
    assert len(body) == 1 + 6 + 1 + 4
    assert body[0][:3] == [WORKERS, "P", "1"]
    places = [(r[2], r[3]) for r in body if r[0] == PROJECTS and r[1] == "P"]
    assert places[1:3] == [("2", "Проект Бета"), ("2", "Проект Бета-2")]
    special = next(r for r in body if r[1] == "S")
    assert special[2] == "" and special[9] == 'За смелость & "новизну"'
    assert body[2][5:9] == ["region KZ-79", "44.00", "", "2500000"]
    votes = [(r[2], r[7]) for r in body if r[1] == "C"]
    assert votes == [("1", "5"), ("2", "2"), ("2", "2"), ("4", "1")]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", " =", "\n+"])
def test_no_cell_of_the_file_can_be_a_formula(start: str) -> None:
    planted = f'{start}HYPERLINK("http://evil.example","Подробнее")'
    results = RESULTS.model_copy(
        update={
            "nominations": [
                NominationResult(
                    nomination_code=PROJECTS,
                    places=[
                        place(1, "x", 1.0, 0).model_copy(
                            update={"title": planted, "display_name": planted}
                        )
                    ],
                    special_prizes=[
                        SpecialPrize(
                            application_id="a", title="t", display_name="d", reason=planted
                        )
                    ],
                )
            ]
        }
    )
    rows = read(
        results_file(
            result_table(results, DEFINITION),
            [planted, "Title"],
            lambda kind: planted,
            lambda n: planted,
            lambda code: planted,
        )
    )
    cells: list[Any] = [cell for row in rows for cell in row]
    assert rows[0] == [f"'{planted}", "Title"]
    planted_cells = [cell for cell in cells if planted in cell]
    # A heading; the place's nomination, kind, title, name, region; the prize's reason too.
    assert len(planted_cells) == 1 + 5 + 3
    assert all(cell == f"'{planted}" for cell in planted_cells)
    assert spreadsheet_cell("Спорт") == "Спорт" and spreadsheet_cell("") == ""
    assert spreadsheet_cell("2 500 000") == "2 500 000"
