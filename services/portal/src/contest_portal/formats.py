"""Dates, numbers, money and contest texts as each language writes them (CLDR, by Babel).

Times are shown in Kazakhstan's time: the whole country keeps UTC+5 all year since
1 March 2024. A fixed offset says so without depending on the machine's time zone database
(slim images have none).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from contest_contracts.common import Language, LocalizedText

KAZAKHSTAN_TIME = timezone(timedelta(hours=5), "Asia/Almaty")

_LOCALES = {Language.KK: "kk_KZ", Language.RU: "ru_KZ", Language.EN: "en"}
"""The CLDR locale each language is formatted in: Kazakh and Russian as written in
Kazakhstan (the tenge sign ₸); English as English (the code KZT)."""

_TENGE_PATTERNS = {
    Language.KK: "#,##0\u00a0¤",
    Language.RU: "#,##0\u00a0¤",
    Language.EN: "¤\u00a0#,##0",
}
"""The locales' currency patterns without minor units: amounts are whole tenge."""


def babel_locale(language: Language) -> str:
    """The CLDR locale a language's numbers and dates are written in."""
    return _LOCALES[language]


def in_language(text: LocalizedText, language: Language) -> str:
    """A contest text in ``language``, in Russian where it has no translation."""
    translated: str | None = getattr(text, language.value)
    return translated or text.ru


def local_date(moment: datetime | date, language: Language) -> str:
    """A day, written out: `20 октября 2025 г.`, `2025 ж. 20 қазан`, `October 20, 2025`."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(KAZAKHSTAN_TIME).date()
    return format_date(moment, "long", locale=_LOCALES[language])


def local_time(moment: datetime, language: Language) -> str:
    """The time of day in Kazakhstan: `18:00`, `6:00 PM`."""
    return format_time(moment, "short", tzinfo=KAZAKHSTAN_TIME, locale=_LOCALES[language])


def local_datetime(moment: datetime, language: Language) -> str:
    """A day and a time in Kazakhstan."""
    return f"{local_date(moment, language)}, {local_time(moment, language)}"


def number(value: int, language: Language) -> str:
    """A whole number with the language's grouping: `1 041`, `1,041`."""
    return format_decimal(value, locale=_LOCALES[language])


def score(value: float, language: Language) -> str:
    """A score with two decimals and the language's separators: `42,33`, `42.33`."""
    return format_decimal(value, format="#,##0.00", locale=_LOCALES[language])


def tenge(amount: int, language: Language) -> str:
    """An amount of whole tenge: `2 500 000 ₸`, `KZT 2,500,000`."""
    return format_currency(
        amount,
        "KZT",
        format=_TENGE_PATTERNS[language],
        locale=_LOCALES[language],
        currency_digits=False,
    )
