"""Every template renders in every language, with the parameters the rules derive from the
contracts' sample events; the recipient's language falls back in the configured order. Each
reads as a sentence for the counts 1, 2, 5 and 21: CLDR plurals, dates in Kazakhstan time,
labels for what the contracts keep as codes, and no "(а)" standing in for a gender."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from contest_contracts.common import Language, NominationKind, StageKind
from contest_contracts.events.applications import ApplicationSubmitted, ScreeningDecision
from contest_contracts.events.judging import JurorAssigned, ResultsPublished
from contest_contracts.events.notifications import Channel, NotificationRequested
from contest_contracts.samples import DEFINITION, SAMPLES
from contest_notifications.domain import rules
from contest_notifications.domain.templates import TemplateProblem, Templates
from contest_notifications.domain.wording import worded

TEMPLATES = Templates.packaged()


def sample_intents() -> list[rules.Intent]:
    """One message of every kind the rules send, from the sample events."""
    submitted: ApplicationSubmitted = SAMPLES[ApplicationSubmitted]  # type: ignore[assignment]
    results: ResultsPublished = SAMPLES[ResultsPublished]  # type: ignore[assignment]
    snapshot = submitted.application
    applicant = rules.Applicant(
        application_id=snapshot.application_id,
        contest_id=snapshot.contest_id,
        name=snapshot.applicant.display_name,
        title=snapshot.title,
        email=str(snapshot.contact.email),
        language=snapshot.contact.language,
        finalist=True,
    )
    special = rules.Applicant(**{**applicant.__dict__, "application_id": "app-0002"})
    unawarded = rules.Applicant(**{**applicant.__dict__, "application_id": "app-0003"})
    title = DEFINITION.title
    assigned: JurorAssigned = SAMPLES[JurorAssigned]  # type: ignore[assignment]
    juror = rules.StaffMember(
        person_id=assigned.juror_id,
        name="Айгуль Нурланова",
        email="juror@example.kz",
        language=Language.KK,
        roles=frozenset({rules.StaffRole.JUROR, rules.StaffRole.SECRETARY}),
        region_code="KZ-71",
    )
    due = assigned.model_copy(update={"due_at": assigned.assigned_at + timedelta(days=14)})
    notice, reminder = rules.juror_assigned(juror, due, snapshot.title, title)
    assert reminder is not None
    return [
        notice,
        reminder,
        *rules.to_screen([juror], applicant, "KZ-71", title),
        rules.received(applicant, title),
        rules.screened(applicant, ScreeningDecision.ELIGIBLE, None, title),
        rules.screened(applicant, ScreeningDecision.INELIGIBLE, "no budget attached", title),
        *rules.finalists_announced([applicant, unawarded], {"app-0003"}, "c", title),
        *rules.results_announced([applicant, special, unawarded], results, title),
    ]


PARAMETERS: dict[str, dict[str, str]] = {
    intent.template: intent.parameters for intent in sample_intents()
} | {
    "voter_code": {"code": "123456", "minutes": "5"},  # what voting asks for
}


def test_the_rules_use_every_template_and_only_templates_that_exist() -> None:
    assert TEMPLATES.names() == set(PARAMETERS)
    request: NotificationRequested = SAMPLES[NotificationRequested]  # type: ignore[assignment]
    assert request.template in TEMPLATES.names()


@pytest.mark.parametrize("name", sorted(PARAMETERS))
@pytest.mark.parametrize("language", list(Language))
def test_every_template_renders_in_every_language(name: str, language: Language) -> None:
    assert TEMPLATES.languages(name) == set(Language)
    message = TEMPLATES.render(name, language, [Language.RU], PARAMETERS[name])
    assert message.language == language
    assert message.subject and message.body
    assert "$" not in message.subject + message.body
    # Every value is said, as the language words it (a count with its plural, a stage by its
    # name, a time in Kazakhstan time); a code's SMS in kk and ru leaves out its minutes to
    # stay one segment.
    for key, value in worded(PARAMETERS[name], language).items():
        if (name, key, language != Language.EN) != ("voter_code", "minutes", True):
            assert value in message.subject + message.body, key


def test_a_language_without_the_template_falls_back_in_order() -> None:
    templates = Templates(
        {
            ("greeting", Language.KK): "Subject: Сәлем\n\n$name",
            ("greeting", Language.EN): "Subject: Hi\n\n$name",
        }
    )
    message = templates.render("greeting", Language.RU, [Language.EN, Language.KK], {"name": "A"})
    assert (message.language, message.subject) == (Language.EN, "Hi")


def test_a_missing_parameter_or_template_is_a_problem() -> None:
    with pytest.raises(TemplateProblem, match="code"):
        TEMPLATES.render("voter_code", Language.RU, [], {"minutes": "5"})
    with pytest.raises(TemplateProblem, match="no template"):
        TEMPLATES.render("nothing", Language.RU, [Language.KK], {})


CODES = {
    value
    for kind in (StageKind, ScreeningDecision, NominationKind, Channel)
    for value in kind.__members__.values()
}
VOTES = {
    Language.RU: {1: "1 голос", 2: "2 голоса", 5: "5 голосов", 21: "21 голос"},
    Language.KK: {1: "1 дауыс", 2: "2 дауыс", 5: "5 дауыс", 21: "21 дауыс"},
    Language.EN: {1: "1 vote", 2: "2 votes", 5: "5 votes", 21: "21 votes"},
}


def counted(parameters: dict[str, str], count: int) -> dict[str, str]:
    counts = {"votes", "place", "minutes"}
    return {k: str(count) if k in counts else v for k, v in parameters.items()}


@pytest.mark.parametrize("count", [1, 2, 5, 21])
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_every_template_reads_as_a_sentence_for_every_count(
    name: str, language: Language, count: int
) -> None:
    message = TEMPLATES.render(name, language, [], counted(PARAMETERS[name], count))
    text = f"{message.subject}\n{message.body}"
    assert "$" not in text
    assert "(а)" not in text and "(a)" not in text
    assert " UTC" not in text
    words = set(re.findall(r"[a-z_]+", text))
    if language != Language.EN:
        assert not words & CODES, words & CODES  # no code inside a kk or ru sentence
    else:
        assert not {c for c in CODES if "_" in c} & words
    if name == "awarded_peoples_choice":
        assert VOTES[language][count] in message.body


def test_counts_and_dates_follow_the_language() -> None:
    assert worded({"votes": "1234"}, Language.RU)["votes"] == "1\xa0234 голоса"
    assert worded({"votes": "1234"}, Language.EN)["votes"] == "1,234 votes"
    due = datetime(2027, 1, 15, 13, 0, tzinfo=UTC).isoformat()
    assert worded({"due": due}, Language.RU)["due"] == "15 января 2027, 18:00 по времени Астаны"
    assert worded({"due": due}, Language.KK)["due"] == "15 қаңтар 2027, 18:00 Астана уақытымен"
    assert worded({"due": due}, Language.EN)["due"] == "15 January 2027, 18:00 Astana time"
    assert worded({"stage": "regional"}, Language.RU)["stage"] == "региональный этап"
    assert worded({"due": "-", "stage": "-"}, Language.RU) == {"due": "-", "stage": "-"}
