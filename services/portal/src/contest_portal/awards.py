"""The published results as a reader takes them in: per nomination, in the contest's order,
the places (winners who share a place together), the special prizes with the commission's
reasons, the people's choice with its certified votes, and what the grants add up to; and
the same as rows of a spreadsheet, one award a row. Pure: no I/O, no language of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import groupby

from contest_contracts.common import LocalizedText
from contest_contracts.events.contest import ContestDefinition
from contest_contracts.events.judging import (
    NominationResult,
    PeoplesChoiceAward,
    PlaceAward,
    ResultsPublished,
    SpecialPrize,
)
from contest_portal.sheets import Cell, Table, csv_file, spreadsheet_cell

__all__ = ["spreadsheet_cell"]  # where the results file's tests and older callers find it


class AwardKind(StrEnum):
    """What an award is."""

    PLACE = "place"
    SPECIAL_PRIZE = "special_prize"
    PEOPLES_CHOICE = "peoples_choice"


@dataclass(frozen=True)
class Place:
    """One place of a nomination and everyone who won it: two second places are one
    :class:`Place` of two winners."""

    place: int
    winners: list[PlaceAward]

    @property
    def shared(self) -> bool:
        """Whether more than one winner holds this place."""
        return len(self.winners) > 1


@dataclass(frozen=True)
class NominationAwards:
    """The awards of one nomination."""

    code: str
    title: LocalizedText | None
    """From the contest's definition; None for a code it does not have (shown as the code)."""
    places: list[Place]
    special_prizes: list[SpecialPrize]
    peoples_choice: list[PeoplesChoiceAward]

    @property
    def grants_tenge(self) -> int:
        """The grants of this nomination's awards, added up."""
        return (
            sum(w.grant_tenge for p in self.places for w in p.winners)
            + sum(s.grant_tenge for s in self.special_prizes)
            + sum(c.grant_tenge for c in self.peoples_choice)
        )


@dataclass(frozen=True)
class ResultTable:
    """Every nomination's awards, in the contest's order, and the grants in all."""

    results: ResultsPublished
    nominations: list[NominationAwards]

    @property
    def grants_tenge(self) -> int:
        """Every grant of the contest, added up."""
        return sum(n.grants_tenge for n in self.nominations)


def result_table(results: ResultsPublished, definition: ContestDefinition) -> ResultTable:
    """The results in the order of the definition's nominations (any the definition does
    not name come after, by code); places best first, winners of a place together."""
    order = {n.code: index for index, n in enumerate(definition.nominations)}
    titles = {n.code: n.title for n in definition.nominations}
    ordered = sorted(
        results.nominations,
        key=lambda r: (order.get(r.nomination_code, len(order)), r.nomination_code),
    )
    return ResultTable(results, [_nomination(r, titles.get(r.nomination_code)) for r in ordered])


def _nomination(result: NominationResult, title: LocalizedText | None) -> NominationAwards:
    by_place = sorted(result.places, key=lambda award: award.place)
    places = [
        Place(place, list(winners)) for place, winners in groupby(by_place, lambda a: a.place)
    ]
    choice = sorted(result.peoples_choice, key=lambda award: award.rank)
    return NominationAwards(
        result.nomination_code, title, places, list(result.special_prizes), choice
    )


@dataclass(frozen=True)
class AwardRow:
    """One award as a row of the results file."""

    nomination: NominationAwards
    kind: AwardKind
    standing: int | None
    """The place, or the people's choice rank; none for a special prize."""
    title: str
    display_name: str
    region_code: str | None
    score: float | None
    votes: int | None
    grant_tenge: int
    reason: str | None
    application_id: str = ""
    """The winning application (the diploma's and the verification page's address)."""


def award_rows(table: ResultTable) -> Iterator[AwardRow]:
    """Every award, nomination after nomination: places, special prizes, people's choice."""
    for nomination in table.nominations:
        for place in nomination.places:
            for winner in place.winners:
                yield AwardRow(
                    nomination,
                    AwardKind.PLACE,
                    place.place,
                    winner.title,
                    winner.display_name,
                    winner.region_code,
                    winner.score,
                    None,
                    winner.grant_tenge,
                    None,
                    winner.application_id,
                )
        for prize in nomination.special_prizes:
            yield AwardRow(
                nomination,
                AwardKind.SPECIAL_PRIZE,
                None,
                prize.title,
                prize.display_name,
                None,
                None,
                None,
                prize.grant_tenge,
                prize.reason,
                prize.application_id,
            )
        for chosen in nomination.peoples_choice:
            yield AwardRow(
                nomination,
                AwardKind.PEOPLES_CHOICE,
                chosen.rank,
                chosen.title,
                chosen.display_name,
                None,
                None,
                chosen.votes,
                chosen.grant_tenge,
                None,
                chosen.application_id,
            )


def award_table(
    table: ResultTable,
    name: str,
    headings: Sequence[str],
    kind_name: Callable[[AwardKind], str],
    nomination_name: Callable[[NominationAwards], str],
    region_name: Callable[[str], str],
) -> Table:
    """The results as one table of the ``headings``, one row per award (for the CSV and
    the workbook): texts as they are (they come from applicants and the commission, and
    :mod:`.sheets` guards them), numbers as numbers."""
    rows: list[list[Cell]] = [
        [
            nomination_name(row.nomination),
            kind_name(row.kind),
            row.standing,
            row.title,
            row.display_name,
            None if row.region_code is None else region_name(row.region_code),
            row.score,
            row.votes,
            row.grant_tenge,
            row.reason,
        ]
        for row in award_rows(table)
    ]
    return Table(name, headings, rows)


def results_file(
    table: ResultTable,
    headings: Sequence[str],
    kind_name: Callable[[AwardKind], str],
    nomination_name: Callable[[NominationAwards], str],
    region_name: Callable[[str], str],
) -> bytes:
    """The results as CSV (:func:`.sheets.csv_file`: RFC 4180, UTF-8 with a byte order
    mark, every text cell through :func:`.sheets.spreadsheet_cell`; scores with a point and
    two decimals, tenge whole), one row per award."""
    return csv_file(award_table(table, "", headings, kind_name, nomination_name, region_name))


def find_award(table: ResultTable, kind: AwardKind, application_id: str) -> AwardRow | None:
    """The award of ``kind`` won by ``application_id`` (an application competes in one
    nomination, and wins at most one award of each kind there), if it won one."""
    return next(
        (r for r in award_rows(table) if r.kind is kind and r.application_id == application_id),
        None,
    )
