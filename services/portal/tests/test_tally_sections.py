"""A nomination's section of the live results, as each visibility allows, in each language
(pure: the template alone, with views made here)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from starlette.requests import Request

from contest_contracts.common import Language
from contest_contracts.events.contest import TallyVisibility
from contest_contracts.events.voting import TallyEntry, TallyUpdated
from contest_intake.domain.definitions import demo_definition
from contest_portal.languages import Catalogs
from contest_portal.pages.rendering import Renderer, StaticFiles
from contest_portal.pages.tallies import Standing
from contest_portal.services.intake import Project

RENDERER = Renderer(Catalogs.load(), StaticFiles(), 30)
NOMINATION = next(n for n in demo_definition().nominations if n.code == "social-project")
PROJECTS = {
    key: Project(
        application_id=key,
        nomination_code="social-project",
        region_code="KZ-71",
        title=title,
        author="ОФ «Қамқор»",
        summary="",
        target_group="",
        beneficiaries_reached=10,
        budget_tenge=100,
        period_start=date(2026, 1, 1),
    )
    for key, title in (("a1", "Ауыл мектебі"), ("a2", "Бірге"), ("a3", "Ақбота"))
}


def section(language: Language, visibility: TallyVisibility, **view: object) -> str:
    entries = view.pop("entries")
    shown = TallyUpdated(
        contest_id="c",
        nomination_code="social-project",
        visibility=visibility,
        entries=entries,  # type: ignore[arg-type]
        as_of=datetime(2026, 12, 1, 12, 30, tzinfo=UTC),
        **view,  # type: ignore[arg-type]
    )
    request = Request(
        {"type": "http", "path": f"/{language.value}/x", "query_string": b"", "headers": []}
    )
    standing = Standing(NOMINATION, shown, PROJECTS)
    return RENDERER.fragment(request, language, "tally.html", standing=standing)


def rows(html: str) -> list[str]:
    """Each row's text, tags and spacing gone."""
    return [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]
    ]


@pytest.mark.parametrize(
    ("language", "counted"),
    [
        (Language.RU, "Подсчитано 1 234 голоса"),
        (Language.KK, "1 234 дауыс саналды"),
        (Language.EN, "1,234 votes counted"),
    ],
)
def test_a_live_count_shows_votes_by_rank_with_the_language_s_plural(
    language: Language, counted: str
) -> None:
    html = section(
        language,
        TallyVisibility.LIVE,
        participation=1234,
        entries=[
            TallyEntry(application_id="a2", rank=2, votes=500),
            TallyEntry(application_id="a1", rank=1, votes=734),
            TallyEntry(application_id="a3", rank=2, votes=500),
        ],
    )
    assert counted in " ".join(html.replace("\xa0", " ").split())
    assert 'id="tally-social-project"' in html
    shown = [r.replace("\xa0", " ") for r in rows(html)]
    assert shown[0].startswith("1 Ауыл мектебі") and shown[0].endswith("734")
    # A shared rank is shown twice, in title order.
    assert shown[1].startswith("2 Ақбота") and shown[2].startswith("2 Бірге")


def test_one_vote_is_singular_in_russian() -> None:
    html = section(
        Language.RU,
        TallyVisibility.LIVE,
        participation=21,
        entries=[TallyEntry(application_id="a1", rank=1, votes=21)],
    )
    assert "Подсчитан 21 голос" in html


def test_ranks_only_shows_the_order_and_no_count() -> None:
    html = section(
        Language.EN,
        TallyVisibility.RANKS_ONLY,
        participation=0,
        entries=[
            TallyEntry(application_id="a2", rank=1),
            TallyEntry(application_id="a1", rank=2),
        ],
    )
    assert "Only the order is shown" in html
    assert "counted" not in html and "<meter" not in html and ">Votes<" not in html
    assert [r.split()[0] for r in rows(html)] == ["1", "2"]
    assert rows(html)[0].startswith("1 Бірге")


def test_a_hidden_count_lists_the_finalists_by_title_alone() -> None:
    html = section(
        Language.RU,
        TallyVisibility.HIDDEN,
        participation=0,
        entries=[TallyEntry(application_id=key) for key in ("a2", "a1", "a3")],
    )
    assert "Подсчёт не раскрывается" in html
    assert ">Место<" not in html and ">Голоса<" not in html and "<meter" not in html
    assert [r.split(" ОФ")[0] for r in rows(html)] == ["Ауыл мектебі", "Ақбота", "Бірге"]


def test_the_certified_count_says_so_in_every_language() -> None:
    for language, word in (
        (Language.KK, "Расталды"),
        (Language.RU, "Заверено"),
        (Language.EN, "Certified"),
    ):
        html = section(
            language,
            TallyVisibility.HIDDEN,
            certified=True,
            participation=3,
            entries=[TallyEntry(application_id="a1", rank=1, votes=3)],
        )
        assert word in html and "<meter" in html
