"""The sign-in page's language and its catalogs: every message translated in kk, ru, en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from contest_contracts.common import Language
from contest_local.identity.languages import LANGUAGES, catalogs, chosen_language

PACKAGE = Path(__file__).resolve().parents[1]
LOCALES = PACKAGE / "src" / "contest_local" / "identity" / "locales"


def test_the_language_is_ui_locales_then_accept_language_then_russian() -> None:
    assert chosen_language("en-GB kk", "ru") == Language.EN
    assert chosen_language("de fr", "kk-KZ,ru;q=0.8") == Language.KK
    assert chosen_language(None, "de, en;q=0.5, ru;q=0.7") == Language.RU
    assert chosen_language(None, "de") == Language.RU
    assert chosen_language(None, None) == Language.RU


def messages_in_the_code() -> set[str | tuple[str, str]]:
    """Every message the provider's templates and code ask for, as pybabel extracts them."""
    mapping = [
        ("src/contest_local/identity/**.py", "python"),
        ("src/contest_local/identity/templates/**.html", "jinja2"),
    ]
    found: set[str | tuple[str, str]] = set()
    for _, _, message, _, _ in extract_from_dir(
        PACKAGE,
        method_map=mapping,
        options_map={"src/contest_local/identity/templates/**.html": {"trim_blocks": "true"}},
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


def test_minutes_follow_each_languages_plural_rules() -> None:
    compiled = catalogs()
    singular = "Too many failed attempts. Wait %(num)s minute, then try again."
    plural = "Too many failed attempts. Wait %(num)s minutes, then try again."
    russian = {
        n: compiled[Language.RU].ngettext(singular, plural, n) % {"num": n} for n in (1, 3, 15)
    }
    assert "1 минуту" in russian[1] and "3 минуты" in russian[3] and "15 минут" in russian[15]
    assert "15 минут" in compiled[Language.KK].ngettext(singular, plural, 15) % {"num": 15}
    assert "15 minutes" in compiled[Language.EN].ngettext(singular, plural, 15) % {"num": 15}
