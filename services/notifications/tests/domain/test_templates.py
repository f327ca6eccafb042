"""Every template renders in every language from the contracts' sample events, and the
recipient's language falls back in the configured order."""

from __future__ import annotations

import pytest

from contest_contracts.common import Language
from contest_contracts.events.notifications import NotificationRequested
from contest_contracts.samples import SAMPLES
from contest_notifications.domain.templates import TemplateProblem, Templates

TEMPLATES = Templates.packaged()

# What the platform's producers put in each template's parameters: intake's (through the
# contracts' sample request) and voting's one-time code.
PARAMETERS = {
    "application_received": SAMPLES[NotificationRequested].parameters,  # type: ignore[attr-defined]
    "voter_code": {"code": "123456", "minutes": "5"},
}


def test_every_template_has_sample_parameters() -> None:
    assert TEMPLATES.names() == set(PARAMETERS)


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
