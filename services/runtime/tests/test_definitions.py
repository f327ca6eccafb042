"""Contest definition copies only move forward."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pymongo import AsyncMongoClient

from contest_contracts.common import LocalizedText
from contest_contracts.samples import DEFINITION
from contest_runtime.definitions import ContestDefinitionCopies
from contest_runtime.mongo import Document

pytestmark = pytest.mark.infra


async def test_a_newer_revision_replaces_the_copy_and_an_older_or_repeated_one_does_not(
    mongo: AsyncMongoClient[Document], unique: Callable[[str], str]
) -> None:
    copies = ContestDefinitionCopies(mongo[unique("copies")])
    renamed = DEFINITION.model_copy(update={"title": LocalizedText(ru="Новое название")})

    assert await copies.save(DEFINITION, 1, "e1") is True
    assert await copies.save(renamed, 2, "e2") is True
    assert await copies.save(DEFINITION, 1, "e1") is False  # late redelivery of revision 1
    assert await copies.save(renamed, 2, "e2") is False  # duplicate of revision 2

    assert await copies.revision(DEFINITION.contest_id) == 2
    assert await copies.get(DEFINITION.contest_id) == renamed
    assert await copies.get("no-such-contest") is None
