"""The published results as a reader takes them in: per nomination, in the contest's order,
the places (winners who share a place together), the special prizes with the commission's
reasons, the people's choice with its certified votes, and what the grants add up to; and
the same as rows of a spreadsheet, one award a row. Pure: no I/O, no language of its own."""

from __future__ import annotations

import csv
import io
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
            )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula (OWASP "CSV injection")."""


def spreadsheet_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it and never runs it: text that a spreadsheet
    would take for a formula is prefixed with an apostrophe."""
    # Leading spaces are skipped by some spreadsheets before they read a formula.
    return f"'{value}" if value.lstrip(" \n").startswith(FORMULA_STARTS) else value


BYTE_ORDER_MARK = "\ufeff"
"""Written first, so that Excel reads the file as UTF-8 (Cyrillic and Kazakh letters)."""


def results_file(
    table: ResultTable,
    headings: Sequence[str],
    kind_name: Callable[[AwardKind], str],
    nomination_name: Callable[[NominationAwards], str],
    region_name: Callable[[str], str],
) -> bytes:
    """The results as CSV (RFC 4180, comma-separated, UTF-8 with a byte order mark): the
    ``headings``, then one row per award. Texts come from applicants and the commission,
    so every text cell goes through :func:`spreadsheet_cell`; numbers are written plainly
    (scores with a point and two decimals, tenge whole)."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spreadsheet_cell(h) for h in headings])
    for row in award_rows(table):
        texts = [
            nomination_name(row.nomination),
            kind_name(row.kind),
            "" if row.standing is None else str(row.standing),
            row.title,
            row.display_name,
            "" if row.region_code is None else region_name(row.region_code),
            "" if row.score is None else f"{row.score:.2f}",
            "" if row.votes is None else str(row.votes),
            str(row.grant_tenge),
            row.reason or "",
        ]
        writer.writerow([spreadsheet_cell(text) for text in texts])
    return out.getvalue().encode("utf-8")
