"""Every refusal of the vote is a sentence in each language, never voting's code; what
`accepted` and `uncertain` mean is said on the receipt (pure: the templates alone)."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from contest_contracts.common import Language, NominationKind
from contest_intake.domain.definitions import demo_definition
from contest_portal.languages import Catalogs
from contest_portal.pages.rendering import Renderer, StaticFiles
from contest_portal.pages.vote import Ballot
from contest_portal.services.intake import Contest
from contest_portal.sessions import Receipt

REFUSALS = (
    "phone_missing",
    "invalid_phone",
    "rate_limited",
    "challenge_required",
    "challenge_expired",
    "challenge_unsolved",
    "challenge_spent",
    "code_format",
    "wrong_code",
    "code_expired",
    "vote_not_open",
    "vote_closed",
    "already_voted",
    "not_a_choice",
    "unknown_nomination",
    "broker_unavailable",
    "not_a_receipt",
)
RENDERER = Renderer(Catalogs.load(), StaticFiles(), 30)


def words(language: Language, code: str, wait_minutes: int = 1) -> str:
    request = Request(
        {"type": "http", "path": f"/{language.value}/", "query_string": b"", "headers": []}
    )
    macros = RENDERER.environment.get_template("vote_macros.html").make_module(
        RENDERER.context(request, language)
    )
    return str(macros.refusal(code, wait_minutes)).strip()  # type: ignore[attr-defined]


@pytest.mark.parametrize("code", REFUSALS)
def test_each_refusal_is_its_own_sentence_in_every_language(code: str) -> None:
    english = words(Language.EN, code)
    assert english.endswith(".") and code not in english
    assert english != words(Language.EN, "something_new")  # not the catch-all
    for language in (Language.KK, Language.RU):
        translated = words(language, code)
        assert translated != english and code not in translated, (language, code)


def test_the_sentences_differ_from_each_other() -> None:
    for language in (Language.KK, Language.RU, Language.EN):
        sentences = {words(language, code) for code in REFUSALS}
        assert len(sentences) == len(REFUSALS), language


@pytest.mark.parametrize(
    ("language", "minutes", "expected"),
    [
        (Language.RU, 1, "через 1 минуту."),
        (Language.RU, 3, "через 3 минуты."),
        (Language.RU, 25, "через 25 минут."),
        (Language.RU, 21, "через 21 минуту."),
        (Language.KK, 5, "5 минуттан кейін"),
        (Language.EN, 1, "in 1 minute."),
        (Language.EN, 40, "in 40 minutes."),
    ],
)
def test_the_wait_of_a_429_is_in_minutes_with_the_language_s_plural(
    language: Language, minutes: int, expected: str
) -> None:
    assert expected in words(language, "rate_limited", minutes)


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("accepted", "Your vote is recorded and is counted within seconds."),
        ("uncertain", "Do not vote again."),
    ],
)
def test_the_receipt_says_what_accepted_and_uncertain_mean(status: str, says: str) -> None:
    definition = demo_definition()
    nomination = next(n for n in definition.nominations if n.kind is NominationKind.PROJECT)
    found = Ballot(Contest(definition=definition, revision=1), nomination, None, [])
    receipt = Receipt(definition.contest_id, nomination.code, "app-1", status, "0190-receipt")
    request = Request({"type": "http", "path": "/en/", "query_string": b"", "headers": []})
    page = RENDERER.page(
        request,
        Language.EN,
        "vote_receipt.html",
        personal=True,
        ballot=found,
        project=None,
        receipt=receipt,
        others=[],
    )
    text = bytes(page.body).decode()
    assert says in text and "0190-receipt" in text
    assert page.headers["cache-control"] == "private, no-store"
    other = "uncertain" if status == "accepted" else "accepted"
    assert other not in text.split('<main id="main"', 1)[1]


@pytest.mark.parametrize("language", [Language.KK, Language.RU, Language.EN])
def test_a_request_without_the_browser_s_check_says_javascript_is_needed(
    language: Language,
) -> None:
    assert "JavaScript" in words(language, "challenge_required")
    for code in ("challenge_expired", "challenge_unsolved", "challenge_spent"):
        assert words(language, code) != words(language, "challenge_required")
