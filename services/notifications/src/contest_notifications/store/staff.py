"""The ``staff`` collection: the directory of jurors and secretaries to write to. Events name
people by id only; operators keep their addresses here, in one place."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from contest_contracts.common import Language
from contest_notifications.domain.rules import StaffMember, StaffRole
from contest_runtime.mongo import Document


class StaffDirectory:
    """People by id (the ``sub`` of their token)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection: AsyncCollection[Document] = db["staff"]

    async def create_indexes(self) -> None:
        """A region's people."""
        await self.collection.create_index([("region_code", ASCENDING)])

    async def keep(self, person: StaffMember) -> None:
        """Record or replace a person's entry."""
        document = {
            "_id": person.person_id,
            "name": person.name,
            "email": person.email,
            "language": person.language.value,
            "roles": sorted(role.value for role in person.roles),
            "region_code": person.region_code,
        }
        await self.collection.replace_one({"_id": person.person_id}, document, upsert=True)

    async def remove(self, person_id: str) -> bool:
        """Remove a person; False when there was none."""
        return (await self.collection.delete_one({"_id": person_id})).deleted_count == 1

    async def get(self, person_id: str) -> StaffMember | None:
        """One person."""
        document = await self.collection.find_one({"_id": person_id})
        return None if document is None else _person(document)

    async def everyone(self) -> list[StaffMember]:
        """The whole directory, by id."""
        return [_person(d) async for d in self.collection.find({}).sort("_id", ASCENDING)]

    async def of_region(self, region_code: str) -> list[StaffMember]:
        """Everyone of a region."""
        return [_person(d) async for d in self.collection.find({"region_code": region_code})]


def _person(document: Document) -> StaffMember:
    return StaffMember(
        person_id=document["_id"],
        name=document["name"],
        email=document["email"],
        language=Language(document["language"]),
        roles=frozenset(StaffRole(role) for role in document["roles"]),
        region_code=document.get("region_code"),
    )
