"""The operator's notifications: the delivery log with the replay of a failed delivery, the
webhook subscriptions of regional systems, and the staff directory of jurors and
secretaries (notifications' API, with the operator's token). Notifications' refusals are
said next to the field they concern, and the form keeps what was typed."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.pages.forms import posted
from contest_portal.pages.operator.contests import Operator
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import workspace_page
from contest_portal.services import notifications_console as console
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn

router = APIRouter()

LOG_FILTERS = ("status", "recipient_id", "notification_id", "event_id")
FILTER_LENGTH = 200
"""Longer is no id of notifications': such a filter is dropped."""
REPLAY_OUTCOMES = ("sent", "retried", "not_failed", "unknown")
WEBHOOK_FIELDS = ("url", "secret", "regions")
STAFF_FIELDS = ("person_id", "name", "email", "language", "region_code")
LANGUAGES = ("kk", "ru", "en")

WEBHOOK_REFUSALS = {
    "url": "webhook_url_invalid",
    "secret": "webhook_secret_short",
    "event_types": "webhook_events_missing",
    "regions": "webhook_regions_invalid",
}
STAFF_REFUSALS = {
    "name": "name_invalid",
    "email": "email_invalid",
    "language": "language_invalid",
    "roles": "roles_missing",
    "region_code": "region_required",
}
"""Which sentence a refusal of a field says (the field by its name in notifications' body)."""


def log_filters(given: dict[str, str]) -> dict[str, str]:
    """The delivery log's filters from a query or form: a status notifications does not
    have, or an id too long to be one, is no filter."""
    filters = {name: given.get(name, "").strip() for name in LOG_FILTERS}
    if filters["status"] not in console.DELIVERY_STATUSES:
        filters["status"] = ""
    for name in LOG_FILTERS:
        if len(filters[name]) > FILTER_LENGTH:
            filters[name] = ""
    return filters


@router.get("/{lang}/operator/deliveries", response_class=Response)
async def deliveries_page(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """The delivery log, newest first, filtered; a failed delivery can be sent again. Who
    may use it: operators."""
    query = dict(request.query_params)
    filters = log_filters(query)
    outcome = query.get("outcome")
    log = await console.deliveries(portal.services.notifications, person.access_token, filters)
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_deliveries.html",
        filters=filters,
        statuses=console.DELIVERY_STATUSES,
        deliveries=log,
        outcome=outcome if outcome in REPLAY_OUTCOMES else None,
        replayed=query.get("key", "")[: FILTER_LENGTH * 3],
    )


@router.post("/{lang}/operator/deliveries/replay", response_class=Response)
async def replay(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """Send a failed delivery again now; back to the log (its filters kept) with what
    happened. Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    key = fields.get("key", "")
    try:
        delivery = await console.replay(portal.services.notifications, person.access_token, key)
        outcome = "sent" if delivery.status == "delivered" else "retried"
    except Refused as refused:
        if refused.status in (401, 403):
            raise
        outcome = "not_failed" if refused.code == "not_failed" else "unknown"
    query = {k: v for k, v in log_filters(fields).items() if v}
    address = f"/{lang.value}/operator/deliveries?" + urlencode(
        {**query, "outcome": outcome, "key": key}
    )
    return RedirectResponse(address, 303)


@router.get("/{lang}/operator/webhooks", response_class=Response)
async def webhooks_page(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
) -> Response:
    """The webhook subscriptions, a form to add one, a button to remove each. Who may use
    it: operators."""
    return await _webhooks(request, portal, lang, person, done=done)


@router.post("/{lang}/operator/webhooks", response_class=Response)
async def subscribe(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """Subscribe a regional system's URL; its secret (typed, or made here when left empty)
    is shown this once. Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions, most_fields=32)
    entered = {name: fields.get(name, "").strip() for name in WEBHOOK_FIELDS}
    chosen = [t for t in console.WEBHOOK_EVENT_TYPES if fields.get(f"event-{t}")]
    secret = entered["secret"] or secrets.token_urlsafe(32)
    regions = [code.strip() for code in entered["regions"].replace(";", ",").split(",")]
    body = {
        "url": entered["url"],
        "secret": secret,
        "event_types": chosen,
        "regions": [code for code in regions if code] or None,
    }
    try:
        created = await console.subscribe(portal.services.notifications, person.access_token, body)
    except Refused as refused:
        if refused.status in (401, 403):
            raise
        problems = field_problems(refused, WEBHOOK_REFUSALS, "url")
        return await _webhooks(
            request,
            portal,
            lang,
            person,
            entered=entered,
            chosen=chosen,
            problems=problems,
            status=422,
        )
    return await _webhooks(request, portal, lang, person, created=created, secret=secret)


@router.post("/{lang}/operator/webhooks/remove", response_class=Response)
async def unsubscribe(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """Remove a subscription. Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    removal = console.unsubscribe(
        portal.services.notifications, person.access_token, fields.get("subscription_id", "")
    )
    return await _removed(removal, f"/{lang.value}/operator/webhooks")


@router.get("/{lang}/operator/staff", response_class=Response)
async def staff_page(
    request: Request,
    lang: PageLanguage,
    portal: CurrentSite,
    person: Operator,
    done: str | None = None,
    change: str | None = None,
) -> Response:
    """The staff directory, a form to add or change an entry (``change`` fills it with that
    person's), a button to remove each. Who may use it: operators."""
    return await _staff(request, portal, lang, person, done=done, change=change)


@router.post("/{lang}/operator/staff", response_class=Response)
async def keep_staff(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """Record or replace a person's entry. Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    entered = {name: fields.get(name, "").strip() for name in STAFF_FIELDS}
    roles = [role for role in console.STAFF_ROLES if fields.get(f"role-{role}")]
    problems: list[tuple[str, str]] = []
    if not entered["person_id"]:
        problems.append(("person_missing", "person_id"))
    else:
        body: dict[str, Any] = {
            "name": entered["name"],
            "email": entered["email"],
            "language": entered["language"] or "ru",
            "roles": roles,
            "region_code": entered["region_code"] or None,
        }
        try:
            await console.keep_staff(
                portal.services.notifications, person.access_token, entered["person_id"], body
            )
        except Refused as refused:
            if refused.status in (401, 403):
                raise
            problems = field_problems(refused, STAFF_REFUSALS, "name")
    if problems:
        return await _staff(
            request,
            portal,
            lang,
            person,
            entered=entered,
            roles=roles,
            problems=problems,
            status=422,
        )
    return RedirectResponse(f"/{lang.value}/operator/staff?done=kept", 303)


@router.post("/{lang}/operator/staff/remove", response_class=Response)
async def remove_staff(
    request: Request, lang: PageLanguage, portal: CurrentSite, person: Operator
) -> Response:
    """Remove a person's entry. Who may use it: operators."""
    fields, _ = await posted(request, portal.sessions)
    removal = console.remove_staff(
        portal.services.notifications, person.access_token, fields.get("person_id", "")
    )
    return await _removed(removal, f"/{lang.value}/operator/staff")


async def _removed(removal: Awaitable[Any], page: str) -> Response:
    """Back to ``page`` saying whether the entry was removed, or was gone already (a 4xx
    other than 401/403, e.g. another operator removed it first)."""
    done = "removed"
    try:
        await removal
    except Refused as refused:
        if refused.status in (401, 403):
            raise
        done = "gone"
    return RedirectResponse(f"{page}?done={done}", 303)


def field_problems(
    refused: Refused, sentences: dict[str, str], first_field: str
) -> list[tuple[str, str]]:
    """Each refused field's sentence code and the field, ``(code, field)``, from
    notifications' problem: its validation errors by their location, `region_required` by
    the region; another refusal by the form's first field."""
    if refused.code == "region_required":
        return [("region_required", "region_code")]
    problems: list[tuple[str, str]] = []
    for error in refused.errors:
        location = [str(part) for part in error.get("location", [])]
        field = next((part for part in location if part in sentences), None)
        if field is not None and all(field != known for _, known in problems):
            problems.append((sentences[field], field))
    return problems or [("notifications_refused", first_field)]


async def _webhooks(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    *,
    status: int = 200,
    **context: Any,
) -> Response:
    listed = await console.subscriptions(portal.services.notifications, person.access_token)
    context.setdefault("entered", {name: "" for name in WEBHOOK_FIELDS})
    context.setdefault("chosen", [])
    context.setdefault("problems", [])
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_webhooks.html",
        status_code=status,
        subscriptions=sorted(listed, key=lambda s: s.created_at, reverse=True),
        event_types=console.WEBHOOK_EVENT_TYPES,
        **context,
    )


async def _staff(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    *,
    status: int = 200,
    change: str | None = None,
    **context: Any,
) -> Response:
    directory = await console.staff(portal.services.notifications, person.access_token)
    changed = next((entry for entry in directory if entry.person_id == change), None)
    if changed is not None:
        context.setdefault(
            "entered",
            {
                "person_id": changed.person_id,
                "name": changed.name,
                "email": changed.email,
                "language": changed.language,
                "region_code": changed.region_code or "",
            },
        )
        context.setdefault("roles", list(changed.roles))
    context.setdefault("entered", {name: "" for name in STAFF_FIELDS})
    context.setdefault("roles", [])
    context.setdefault("problems", [])
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_staff.html",
        status_code=status,
        directory=directory,
        changing=changed is not None,
        staff_roles=console.STAFF_ROLES,
        languages=LANGUAGES,
        **context,
    )
