"""The values a person reads, in the message's language (Babel: CLDR plural rules, number
and date formats).

The rules keep what they announce as plain values (a count of votes, a place, a stage's
code, a due time in ISO 8601), since a message is rendered when it is sent and in the
language it is sent in (a recipient's language may fall back to another). Rendering words
them here: counts with the language's plural form and digit grouping, a stage by its name,
a time in Kazakhstan time (Asia/Almaty, UTC+5, the whole country's time since 2024) with
the zone said. A value that is not of the expected form (a hyphen for "none") is left as it
is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal

from contest_contracts.common import Language, StageKind

KAZAKHSTAN_TIME = timezone(timedelta(hours=5), "Asia/Almaty")

_VOTES: dict[Language, dict[str, str]] = {
    Language.KK: {"one": "дауыс", "other": "дауыс"},  # a noun after a numeral stays singular
    Language.RU: {"one": "голос", "few": "голоса", "many": "голосов", "other": "голоса"},
    Language.EN: {"one": "vote", "other": "votes"},
}
_STAGES: dict[StageKind, dict[Language, str]] = {
    # As the templates use them: Kazakh after a genitive ("байқауының … кезеңі"), Russian and
    # English before one ("… этап конкурса", "… stage of the contest").
    StageKind.SUBMISSION: {
        Language.KK: "өтінім қабылдау кезеңі",
        Language.RU: "этап приёма заявок",
        Language.EN: "submission stage",
    },
    StageKind.REGIONAL: {
        Language.KK: "өңірлік кезеңі",
        Language.RU: "региональный этап",
        Language.EN: "regional stage",
    },
    StageKind.REPUBLICAN: {
        Language.KK: "республикалық кезеңі",
        Language.RU: "республиканский этап",
        Language.EN: "national stage",
    },
    StageKind.PUBLIC_VOTE: {
        Language.KK: "халық дауыс беру кезеңі",
        Language.RU: "этап народного голосования",
        Language.EN: "public vote",
    },
    StageKind.AWARDS: {
        Language.KK: "марапаттау кезеңі",
        Language.RU: "этап награждения",
        Language.EN: "awards stage",
    },
}
_TIME_ZONE = {
    Language.KK: "Астана уақытымен",
    Language.RU: "по времени Астаны",
    Language.EN: "Astana time",
}


def worded(parameters: Mapping[str, str], language: Language) -> dict[str, str]:
    """``parameters`` with ``votes``, ``place``, ``stage`` and ``due`` as ``language``
    writes them; every other parameter as it is."""
    locale = Locale.parse(language.value)
    words = dict(parameters)
    if (votes := _count(parameters.get("votes"))) is not None:
        noun = _VOTES[language][locale.plural_form(votes)]
        words["votes"] = f"{format_decimal(votes, locale=locale)} {noun}"
    if (place := _count(parameters.get("place"))) is not None:
        words["place"] = format_decimal(place, locale=locale)
    stage = parameters.get("stage")
    if stage is not None and stage in StageKind.__members__.values():
        words["stage"] = _STAGES[StageKind(stage)][language]
    if (due := _time(parameters.get("due"))) is not None:
        when = format_datetime(due, "d MMMM y, HH:mm", tzinfo=KAZAKHSTAN_TIME, locale=locale)
        words["due"] = f"{when} {_TIME_ZONE[language]}"
    return words


def _count(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _time(value: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None
