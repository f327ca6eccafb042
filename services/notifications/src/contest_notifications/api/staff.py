"""The staff directory: jurors' and secretaries' addresses, kept by operators."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from contest_contracts.common import Language
from contest_notifications.context import Notifications
from contest_notifications.domain.rules import StaffMember, StaffRole
from contest_runtime.auth import Operator
from contest_runtime.openapi import problems
from contest_runtime.problems import ProblemError

router = APIRouter(tags=["staff"])


class StaffEntry(BaseModel):
    """A juror or secretary: where to write, in which language, about what."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    language: Language = Language.RU
    roles: list[StaffRole] = Field(min_length=1)
    region_code: str | None = Field(default=None, description="The region a secretary screens for.")


class StaffListing(StaffEntry):
    """An entry of the directory with the person it is for."""

    person_id: str = Field(description="The `sub` of their token.")


@router.get("/staff", summary="The whole directory, by person id. Who may call: operators.")
async def directory(context: Notifications, operator: Operator) -> list[StaffListing]:
    return [
        StaffListing(person_id=person.person_id, **_entry(person).model_dump())
        for person in await context.staff.everyone()
    ]


@router.put(
    "/staff/{person_id}",
    summary="Record where a juror or secretary (by the `sub` of their token) is written to. "
    "Who may call: operators.",
)
async def keep(
    person_id: str, entry: StaffEntry, context: Notifications, operator: Operator
) -> StaffEntry:
    if StaffRole.SECRETARY in entry.roles and entry.region_code is None:
        raise ProblemError(
            422, "region_required", "Invalid input", "a secretary screens for a region"
        )
    await context.staff.keep(
        StaffMember(
            person_id=person_id,
            name=entry.name,
            email=str(entry.email),
            language=entry.language,
            roles=frozenset(entry.roles),
            region_code=entry.region_code,
        )
    )
    return entry


@router.get(
    "/staff/{person_id}", responses=problems(404), summary="One entry. Who may call: operators."
)
async def entry(person_id: str, context: Notifications, operator: Operator) -> StaffEntry:
    person = await context.staff.get(person_id)
    if person is None:
        raise ProblemError(404, "unknown_person", "Not found", person_id)
    return _entry(person)


def _entry(person: StaffMember) -> StaffEntry:
    return StaffEntry(
        name=person.name,
        email=person.email,
        language=person.language,
        roles=sorted(person.roles),
        region_code=person.region_code,
    )


@router.delete(
    "/staff/{person_id}",
    responses=problems(404),
    status_code=204,
    summary="Remove an entry. Who may call: operators.",
)
async def remove(person_id: str, context: Notifications, operator: Operator) -> Response:
    if not await context.staff.remove(person_id):
        raise ProblemError(404, "unknown_person", "Not found", person_id)
    return Response(status_code=204)
