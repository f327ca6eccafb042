"""Who hears what: the rules for applicants, on the contracts' sample results."""

from __future__ import annotations

from contest_contracts.common import Language, LocalizedText
from contest_contracts.events.judging import ResultsPublished
from contest_contracts.samples import APPLICATION_ID, SAMPLES
from contest_notifications.domain import rules

TITLE = LocalizedText(ru="Конкурс", kk="Байқау", en="Contest")


def applicant(application_id: str, **changes: object) -> rules.Applicant:
    fields: dict[str, object] = {
        "application_id": application_id,
        "contest_id": "c",
        "name": "N",
        "title": "T",
        "email": f"{application_id}@example.kz",
        "language": Language.KK,
        **changes,
    }
    return rules.Applicant(**fields)  # type: ignore[arg-type]


def test_finalists_are_told_and_the_rest_still_competing_too_but_not_those_who_left() -> None:
    intents = rules.finalists_announced(
        [applicant("a"), applicant("b"), applicant("gone", left=True)], {"a"}, "c", TITLE
    )
    assert [(i.recipient_id, i.template) for i in intents] == [
        ("applicant-a", "finalist"),
        ("applicant-b", "not_selected"),
    ]
    assert intents[0].parameters["contest"] == "Байқау"


def test_each_award_is_one_message_and_a_finalist_without_one_hears_that_too() -> None:
    results: ResultsPublished = SAMPLES[ResultsPublished]  # type: ignore[assignment]
    intents = rules.results_announced(
        [
            applicant(APPLICATION_ID, finalist=True),
            applicant("app-0002", finalist=True),
            applicant("app-0003", finalist=True),
            applicant("app-0004"),  # not a finalist: results are not its news
        ],
        results,
        TITLE,
    )
    assert sorted((i.recipient_id, i.template) for i in intents) == [
        (f"applicant-{APPLICATION_ID}", "awarded_peoples_choice"),
        (f"applicant-{APPLICATION_ID}", "awarded_place"),
        ("applicant-app-0002", "awarded_special_prize"),
        ("applicant-app-0003", "not_awarded"),
    ]
    assert len({i.notification_id for i in intents}) == len(intents)
