"""Every template renders in every language, with the parameters the rules derive from the
contracts' sample events; the recipient's language falls back in the configured order."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contest_contracts.common import Language
from contest_contracts.events.applications import ApplicationSubmitted, ScreeningDecision
from contest_contracts.events.judging import JurorAssigned, ResultsPublished
from contest_contracts.events.notifications import NotificationRequested
from contest_contracts.samples import DEFINITION, SAMPLES
from contest_notifications.domain import rules
from contest_notifications.domain.templates import TemplateProblem, Templates

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
    for value in PARAMETERS[name].values():
        assert value in message.subject + message.body


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
