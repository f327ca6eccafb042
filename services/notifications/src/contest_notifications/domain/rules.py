"""The rules, in one place: which contest event sends which message to whom.

- a requested notification (e.g. a voter's one-time code): as requested;
- ApplicationSubmitted: the applicant, by email, ``application_received``;
- ApplicationScreened: the applicant, by email, ``application_screened_eligible`` or
  ``application_screened_ineligible`` (with the reason);
- FinalistsSelected: every applicant still in the competition, by email, ``finalist`` or
  ``not_selected``;
- ResultsPublished: every finalist, by email, ``awarded_place``, ``awarded_special_prize``,
  ``awarded_peoples_choice`` (one per award), or ``not_awarded``;
- the public events (stages, finalists, tallies, results): webhook subscriptions that want
  them, the event itself (see ``webhooks``).

Each message has a notification id derived from what it announces, so the same event
delivered twice, or the same list published again, sends nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contest_contracts.common import Language, LocalizedText
from contest_contracts.events.applications import ScreeningDecision
from contest_contracts.events.judging import ResultsPublished


@dataclass(frozen=True)
class Applicant:
    """What notifications keeps of an application to write to its applicant."""

    application_id: str
    contest_id: str
    name: str
    title: str
    email: str
    language: Language
    left: bool = False
    """Withdrawn or screened ineligible: no longer in the competition."""
    finalist: bool = False


@dataclass(frozen=True)
class Intent:
    """A message a rule asks for."""

    notification_id: str
    recipient_id: str
    address: str
    language: Language
    template: str
    parameters: dict[str, str]


def received(applicant: Applicant, contest: LocalizedText) -> Intent:
    """The applicant hears that their application arrived."""
    return _to(
        applicant,
        f"application-received-{applicant.application_id}",
        "application_received",
        contest,
        application_id=applicant.application_id,
    )


def screened(
    applicant: Applicant, decision: ScreeningDecision, reason: str | None, contest: LocalizedText
) -> Intent:
    """The applicant hears the screening decision (with its reason when ineligible)."""
    notification = f"screened-{applicant.application_id}"
    if decision == ScreeningDecision.ELIGIBLE:
        return _to(applicant, notification, "application_screened_eligible", contest)
    return _to(
        applicant, notification, "application_screened_ineligible", contest, reason=reason or "-"
    )


def finalists_announced(
    applicants: Iterable[Applicant], finalists: set[str], contest_id: str, contest: LocalizedText
) -> list[Intent]:
    """Every applicant still in the competition hears whether they are a finalist."""
    return [
        _to(
            applicant,
            f"finalists-{contest_id}-{applicant.application_id}",
            "finalist" if applicant.application_id in finalists else "not_selected",
            contest,
        )
        for applicant in applicants
        if not applicant.left
    ]


def results_announced(
    applicants: Iterable[Applicant], results: ResultsPublished, contest: LocalizedText
) -> list[Intent]:
    """Every finalist hears each award they won, or that they won none."""
    awards: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for nomination in results.nominations:
        for place in nomination.places:
            awards.setdefault(place.application_id, []).append(
                ("awarded_place", {"place": str(place.place)})
            )
        for prize in nomination.special_prizes:
            awards.setdefault(prize.application_id, []).append(
                ("awarded_special_prize", {"reason": prize.reason})
            )
        for choice in nomination.peoples_choice:
            awards.setdefault(choice.application_id, []).append(
                ("awarded_peoples_choice", {"votes": str(choice.votes)})
            )
    intents = []
    for applicant in applicants:
        won = awards.get(applicant.application_id)
        if not applicant.finalist and not won:
            continue
        for template, parameters in won or [("not_awarded", {})]:
            notification = f"results-{results.contest_id}-{applicant.application_id}-{template}"
            intents.append(_to(applicant, notification, template, contest, **parameters))
    return intents


def _to(
    applicant: Applicant,
    notification_id: str,
    template: str,
    contest: LocalizedText,
    **parameters: str,
) -> Intent:
    title = getattr(contest, applicant.language.value) or contest.ru
    return Intent(
        notification_id=notification_id,
        recipient_id=f"applicant-{applicant.application_id}",
        address=applicant.email,
        language=applicant.language,
        template=template,
        parameters={
            "name": applicant.name,
            "title": applicant.title,
            "contest": title,
            **parameters,
        },
    )
