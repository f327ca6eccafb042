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
  them, the event itself (see ``webhooks``);
- ApplicationSubmitted: the secretaries of the application's region (from the staff
  directory), by email, ``application_to_screen``;
- JurorAssigned: the juror (from the staff directory), by email, ``juror_assigned``, and a
  ``sheet_due`` reminder before the sheet is due, which the juror's ScoreRecorded cancels.

Each message has a notification id derived from what it announces, so the same event
delivered twice, or the same list published again, sends nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from contest_contracts.common import Language, LocalizedText
from contest_contracts.events.applications import ScreeningDecision
from contest_contracts.events.judging import JurorAssigned, ResultsPublished


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


class StaffRole(StrEnum):
    """What a person in the staff directory is written to about."""

    JUROR = "juror"
    SECRETARY = "secretary"


@dataclass(frozen=True)
class StaffMember:
    """A juror or secretary as the staff directory knows them."""

    person_id: str
    name: str
    email: str
    language: Language
    roles: frozenset[StaffRole]
    region_code: str | None = None


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


def to_screen(
    staff: Iterable[StaffMember], applicant: Applicant, region_code: str, contest: LocalizedText
) -> list[Intent]:
    """The secretaries of the region hear of an application to screen."""
    return [
        _to_staff(
            person,
            f"to-screen-{applicant.application_id}",
            "application_to_screen",
            contest,
            title=applicant.title,
            application_id=applicant.application_id,
        )
        for person in staff
        if StaffRole.SECRETARY in person.roles and person.region_code == region_code
    ]


def juror_assigned(
    juror: StaffMember, assigned: JurorAssigned, title: str, contest: LocalizedText
) -> tuple[Intent, Intent | None]:
    """The juror hears of the assignment, and (when it has a due date) is reminded before
    it unless the sheet comes first."""
    parameters = {
        "title": title,
        "stage": assigned.stage.value,
        # Worded when rendered, in the language it is sent in (domain.wording).
        "due": assigned.due_at.isoformat() if assigned.due_at else "-",
    }
    notice = _to_staff(
        juror, f"assigned-{assigned.assignment_id}", "juror_assigned", contest, **parameters
    )
    if assigned.due_at is None:
        return notice, None
    reminder = _to_staff(
        juror,
        sheet_reminder_id(
            assigned.contest_id, assigned.stage.value, assigned.application_id, juror.person_id
        ),
        "sheet_due",
        contest,
        title=title,
        due=parameters["due"],
    )
    return notice, reminder


def sheet_reminder_id(contest_id: str, stage: str, application_id: str, juror_id: str) -> str:
    """The reminder of one sheet (what a ScoreRecorded for it cancels)."""
    return f"sheet-due-{contest_id}-{stage}-{application_id}-{juror_id}"


def _to(
    applicant: Applicant,
    notification_id: str,
    template: str,
    contest: LocalizedText,
    **parameters: str,
) -> Intent:
    return _intent(
        f"applicant-{applicant.application_id}",
        applicant.email,
        applicant.language,
        notification_id,
        template,
        contest,
        name=applicant.name,
        title=applicant.title,
        **parameters,
    )


def _to_staff(
    person: StaffMember,
    notification_id: str,
    template: str,
    contest: LocalizedText,
    **parameters: str,
) -> Intent:
    return _intent(
        person.person_id,
        person.email,
        person.language,
        notification_id,
        template,
        contest,
        name=person.name,
        **parameters,
    )


def _intent(
    recipient_id: str,
    address: str,
    language: Language,
    notification_id: str,
    template: str,
    contest: LocalizedText,
    **parameters: str,
) -> Intent:
    return Intent(
        notification_id=notification_id,
        recipient_id=recipient_id,
        address=address,
        language=language,
        template=template,
        parameters={"contest": getattr(contest, language.value) or contest.ru, **parameters},
    )
