"""The language a page is read in, the words of each catalog and their plural forms, and
the formats of each language (pure: no service needed)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from contest_contracts.common import Language, LocalizedText
from contest_portal import formats
from contest_portal.languages import LANGUAGES, Catalogs, chosen_language
from contest_portal.pages.rendering import matches, weak_etag

PACKAGE = Path(__file__).resolve().parents[1]
LOCALES = PACKAGE / "src" / "contest_portal" / "locales"


@pytest.mark.parametrize(
    ("cookie", "accept_language", "expected"),
    [
        (None, None, Language.RU),
        (None, "", Language.RU),
        (None, "kk-KZ,kk;q=0.9,ru;q=0.8", Language.KK),
        (None, "de-DE, en-GB;q=0.7, ru;q=0.9", Language.RU),  # by quality, not by order
        (None, "en-US,en;q=0.9", Language.EN),
        (None, "fr, de;q=0.5", Language.RU),  # nothing the portal speaks
        (None, "kk;q=0, en;q=0.1", Language.EN),  # q=0 refuses
        (None, "kk;q=abc, en;q=0.1", Language.EN),  # a broken quality refuses
        (None, "*", Language.RU),
        ("en", "kk", Language.EN),  # the person's choice first
        ("de", "kk", Language.KK),  # a cookie of no language the portal speaks is ignored
        ("", None, Language.RU),
    ],
)
def test_the_language_is_the_cookie_then_accept_language_then_russian(
    cookie: str | None, accept_language: str | None, expected: Language
) -> None:
    assert chosen_language(cookie, accept_language) is expected


def test_a_long_accept_language_is_read_only_so_far() -> None:
    header = ", ".join(["de"] * 40 + ["kk"])
    assert chosen_language(None, header) is Language.RU


def messages_in_the_code() -> set[str | tuple[str, str]]:
    """Every message the templates and the code ask for, as pybabel extracts them."""
    mapping = [
        ("src/contest_portal/**.py", "python"),
        ("src/contest_portal/templates/**.html", "jinja2"),
    ]
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        PACKAGE,
        method_map=mapping,
        options_map={"src/contest_portal/templates/**.html": {"trim_blocks": "true"}},
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.value)
def test_every_message_is_in_each_catalog_translated_with_its_placeholders(
    language: Language,
) -> None:
    with (LOCALES / language.value / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=language.value)
    entries = {message.id: message for message in catalog if message.id}
    wanted = messages_in_the_code()
    assert wanted, "the extraction found nothing"
    assert set(entries) == wanted, (wanted - set(entries), set(entries) - wanted)
    placeholder = re.compile(r"%\((\w+)\)s")
    for key, message in entries.items():
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language.value}: {key!r} is not translated"
        source_text = key[1] if isinstance(key, tuple) else key
        for string in strings:
            assert set(placeholder.findall(string)) <= set(placeholder.findall(source_text)), key
        assert not message.fuzzy, key


def test_plurals_follow_each_languages_rules() -> None:
    catalogs = Catalogs.load()
    singular, plural = "%(num)s nomination", "%(num)s nominations"

    def said(language: Language, count: int) -> str:
        return catalogs[language].ngettext(singular, plural, count) % {"num": count}

    assert [said(Language.RU, n) for n in (1, 2, 5, 11, 21, 22, 25)] == [
        "1 номинация",
        "2 номинации",
        "5 номинаций",
        "11 номинаций",
        "21 номинация",
        "22 номинации",
        "25 номинаций",
    ]
    assert [said(Language.KK, n) for n in (1, 2, 5)] == [
        "1 номинация",
        "2 номинация",
        "5 номинация",
    ]
    assert [said(Language.EN, n) for n in (1, 2)] == ["1 nomination", "2 nominations"]


def test_times_are_kazakhstan_time_written_in_each_language() -> None:
    moment = datetime(2025, 10, 20, 13, 0, tzinfo=UTC)  # 18:00 in Astana
    assert formats.local_datetime(moment, Language.RU) == "20 октября 2025\u202fг., 18:00"
    assert formats.local_datetime(moment, Language.KK) == "2025\u202fж. 20 қазан, 18:00"
    assert formats.local_datetime(moment, Language.EN) == "October 20, 2025, 6:00\u202fPM"
    late = datetime(2025, 10, 20, 20, 30, tzinfo=UTC)  # already the 21st in Kazakhstan
    assert formats.local_date(late, Language.EN) == "October 21, 2025"
    assert formats.local_date(date(2021, 11, 20), Language.RU) == "20 ноября 2021\u202fг."


def test_tenge_and_numbers_are_written_as_each_language_writes_them() -> None:
    assert formats.tenge(2_500_000, Language.RU) == "2\u00a0500\u00a0000\u00a0₸"
    assert formats.tenge(2_500_000, Language.KK) == "2\u00a0500\u00a0000\u00a0₸"
    assert formats.tenge(2_500_000, Language.EN) == "KZT\u00a02,500,000"
    assert formats.number(1041, Language.RU) == "1\u00a0041"
    assert formats.number(1041, Language.EN) == "1,041"


def test_a_contest_text_is_in_the_readers_language_else_in_russian() -> None:
    text = LocalizedText(ru="Лучший проект", kk="Үздік жоба")
    assert formats.in_language(text, Language.KK) == "Үздік жоба"
    assert formats.in_language(text, Language.EN) == "Лучший проект"
    assert formats.in_language(LocalizedText(ru="Проект", en=""), Language.EN) == "Проект"


def test_a_weak_etag_is_the_bodys_and_revalidation_compares_weakly() -> None:
    tag = weak_etag(b"<html>one</html>")
    assert tag == weak_etag(b"<html>one</html>") != weak_etag(b"<html>two</html>")
    assert tag.startswith('W/"') and tag.endswith('"')
    assert matches(tag, tag)
    assert matches(tag.removeprefix("W/"), tag)  # a strong form of the same tag
    assert matches(f'W/"other", {tag}', tag)
    assert matches("*", tag)
    assert not matches('W/"other"', tag)
    assert not matches(None, tag) and not matches("", tag)
