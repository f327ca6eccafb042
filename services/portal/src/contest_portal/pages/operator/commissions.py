"""The operator's commissions of a contest: each with its level, region, members, their
roles and BINs, and a commission created or replaced from a form of member rows (plain
HTML: empty rows to fill, no script). Judging's refusals are shown next to the field they
concern, found from the locations of its 422 ``errors``; what was typed is kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from contest_contracts.common import Language
from contest_portal.pages.forms import posted
from contest_portal.pages.operator.contests import Operator
from contest_portal.pages.site import CurrentSite, PageLanguage, Site
from contest_portal.pages.workspace import workspace_page
from contest_portal.services import definitions
from contest_portal.services.calls import Refused
from contest_portal.services.identity import SignedIn
from contest_portal.services.records import Commission

router = APIRouter()

EMPTY_ROWS = 8
"""Empty member rows the form offers beside a commission's members (no script adds any)."""
MOST_ROWS = 40
"""The most member rows read from a posted form."""
MOST_FORM_BYTES = 65_536
"""A full form: 40 rows of a 200-letter Cyrillic name (6 bytes each, percent-encoded), an
identifier and a BIN."""
MEMBER_FIELDS = ("juror_id", "name", "role", "bin")
WHO = "Who may call: operators."

# Which refusal a member's field gets from judging's location of it.
_MEMBER_PROBLEMS = {
    "juror_id": "member_id_missing",
    "name": "member_name_missing",
    "role": "member_role_missing",
    "organisation_bin": "bin_malformed",
}
# Judging's whole-form rules, known by their message (its location is the body alone).
_FORM_RULES = (
    ("listed twice", "member_twice", "members"),
    ("exactly one chair", "one_chair", "members"),
    ("names its region", "region_for_level", "region_code"),
)


@router.get(
    "/{lang}/operator/contests/{contest_id}/commissions", response_class=Response, summary=WHO
)
async def commissions_page(
    request: Request,
    lang: PageLanguage,
    contest_id: str,
    portal: CurrentSite,
    person: Operator,
    level: str = "",
    region: str = "",
    done: str | None = None,
) -> Response:
    """The contest's commissions, and the form to create or replace one (filled with the
    commission of ``level`` and ``region`` when it exists). Who may use it: operators."""
    return await _commissions(
        request, portal, lang, person, contest_id, chosen=(level, region), done=done
    )


@router.post(
    "/{lang}/operator/contests/{contest_id}/commissions", response_class=Response, summary=WHO
)
async def put_commission(
    request: Request, lang: PageLanguage, contest_id: str, portal: CurrentSite, person: Operator
) -> Response:
    """Create or replace the commission of a level and region with the members entered.
    Who may use it: operators."""
    fields, _ = await posted(
        request, portal.sessions, most_bytes=MOST_FORM_BYTES, most_fields=4 + 4 * MOST_ROWS
    )
    entered = entered_form(fields)
    body, rows = commission_request(entered)
    try:
        await portal.services.records.put_commission(contest_id, body, person.access_token)
    except Refused as refused:
        return await _commissions(
            request,
            portal,
            lang,
            person,
            contest_id,
            entered=entered,
            problems=refusal_fields(refused, rows),
            status=refused.status,
        )
    query = urlencode({"done": "saved", "level": entered["level"], "region": entered["region"]})
    return RedirectResponse(_address(lang, contest_id, f"/commissions?{query}"), 303)


def entered_form(fields: dict[str, str]) -> dict[str, Any]:
    """What was typed: the level, the region and every member row (``member-{i}-{field}``)
    up to the last one with a field posted."""
    rows: list[dict[str, str]] = []
    for index in range(MOST_ROWS):
        row = {name: fields.get(f"member-{index}-{name}", "").strip() for name in MEMBER_FIELDS}
        if not any(f"member-{index}-{name}" in fields for name in MEMBER_FIELDS):
            break
        rows.append(row)
    return {
        "level": fields.get("level", "").strip(),
        "region": fields.get("region_code", "").strip(),
        "members": rows,
    }


def _typed(row: dict[str, str]) -> bool:
    # The role is a select with a value always: a row counts once something is typed in it.
    return any(row[name] for name in ("juror_id", "name", "bin"))


def commission_request(entered: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
    """Judging's `CommissionForm` from what was typed, and for each member it sends the
    form's row it came from (empty rows are left out)."""
    rows = [i for i, row in enumerate(entered["members"]) if _typed(row)]
    members = [
        {
            "juror_id": entered["members"][i]["juror_id"],
            "name": entered["members"][i]["name"],
            "role": entered["members"][i]["role"],
            "organisation_bin": entered["members"][i]["bin"] or None,
        }
        for i in rows
    ]
    body = {
        "level": entered["level"],
        "region_code": entered["region"] or None,
        "members": members,
    }
    return body, rows


def refusal_fields(refused: Refused, rows: list[int]) -> list[tuple[str, str]]:
    """Each of judging's refusals as ``(problem, field id)``: by its location when it names
    a field, by its rule when it concerns the whole form."""
    problems: list[tuple[str, str]] = []
    for error in refused.errors:
        location = [str(part) for part in error.get("location", [])]
        message = str(error.get("message", ""))
        if location[:2] == ["body", "region_code"]:
            problems.append(("unknown_region", "region_code"))
        elif location[:2] == ["body", "level"]:
            problems.append(("level_missing", "level"))
        elif location[:2] == ["body", "members"] and len(location) >= 4:
            index, field = int(location[2]), location[3]
            row = rows[index] if index < len(rows) else 0
            name = "bin" if field == "organisation_bin" else field
            problems.append((_MEMBER_PROBLEMS.get(field, "member_invalid"), f"member-{row}-{name}"))
        elif location[:2] == ["body", "members"]:
            problems.append(("members_missing", "member-0-juror_id"))
        else:
            rule = next((r for r in _FORM_RULES if r[0] in message), None)
            problems.append((rule[1], rule[2]) if rule else ("commission_refused", "level"))
    return problems or [("commission_refused", "level")]


def _address(lang: Language, contest_id: str, rest: str) -> str:
    return f"/{lang.value}/operator/contests/{quote(contest_id, safe='')}{rest}"


def _filled(commission: Commission | None) -> dict[str, Any]:
    """The form with ``commission``'s members in its first rows (empty without one)."""
    members = [
        {
            "juror_id": m.juror_id,
            "name": m.name,
            "role": m.role,
            "bin": m.organisation_bin or "",
        }
        for m in (commission.members if commission else [])
    ]
    return {
        "level": commission.level if commission else "regional",
        "region": (commission.region_code or "") if commission else "",
        "members": members,
    }


async def _commissions(
    request: Request,
    portal: Site,
    lang: Language,
    person: SignedIn,
    contest_id: str,
    *,
    chosen: tuple[str, str] = ("", ""),
    entered: dict[str, Any] | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    token = person.access_token
    contest = await definitions.current(portal.services.intake.client, token, contest_id)
    commissions = await portal.services.records.commissions(contest_id, token)
    if entered is None:
        level, region = chosen
        region = "" if level == "republican" else region
        found = next(
            (c for c in commissions if c.level == level and (c.region_code or "") == region),
            None,
        )
        entered = _filled(found)
        if found is None and level in ("regional", "republican"):
            entered.update(level=level, region=region)
    typed = entered["members"]
    while typed and not _typed(typed[-1]):  # the empty rows come back as new ones
        typed = typed[:-1]
    rows = typed + [
        {"juror_id": "", "name": "", "role": "member", "bin": ""} for _ in range(EMPTY_ROWS)
    ]
    context.setdefault("problems", [])
    return await workspace_page(
        request,
        portal,
        lang,
        person,
        "operator_commissions.html",
        status_code=status if 400 <= status < 500 else 200,
        contest=contest,
        definition=contest.definition,
        commissions=commissions,
        regions={r.code: r.title for r in contest.definition.regions},
        entered={**entered, "members": rows},
        **context,
    )
