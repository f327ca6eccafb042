"""What happens in a generated edition, decided before it is played: who applies where, who
is found ineligible, who sits on which commission, how each juror scores, and how voters
choose. Pure and seeded: the same scale and seed give the same edition."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from contest_contracts.events.contest import ContestDefinition, Nomination
from contest_local.edition.people import People

MOBILE_OPERATORS = ("701", "702", "705", "707", "747", "771", "775", "776", "777", "778")


@dataclass(frozen=True)
class Scale:
    """How big an edition is. The default is the 2025 edition of the seeds: 1,041
    applications from 20 regions in 7 nominations, 129 finalists, 20,000 voters."""

    applications: int = 1041
    empty_cells: int = 11
    """Region and nomination pairs nobody applies to (140 - 11 = 129 finalists)."""
    ineligible: int = 14
    regional_jurors: int = 5
    republican_jurors: int = 7
    voters: int = 20_000
    nominations_per_voter: tuple[int, ...] = (1, 1, 1, 2, 2, 3)
    """A voter votes in as many nominations as one draw from this tuple."""


@dataclass(frozen=True)
class PlannedApplication:
    """One application to file: its form, its applicant's account, its merit and fate."""

    number: int
    applicant_id: str
    form: dict[str, Any]
    merit: float
    """The application's true quality, from which jurors' scores scatter."""
    eligible: bool


@dataclass(frozen=True)
class Juror:
    """A commission member who scores, with the severity they score with."""

    juror_id: str
    name: str
    severity: float


@dataclass
class Plan:
    """A whole edition, ready to play."""

    definition: ContestDefinition
    scale: Scale
    seed: int
    applications: list[PlannedApplication]
    regional: dict[str, list[Juror]]
    republican: list[Juror]
    people: People

    def sheet(
        self,
        juror: Juror,
        application: PlannedApplication,
        application_id: str,
        nomination: Nomination,
    ) -> dict[str, int]:
        """The scores a juror gives an application: its merit, the juror's severity and a
        little noise of their own, per criterion (the same every time it is asked)."""
        noise = random.Random(f"{self.seed}:{juror.juror_id}:{application_id}")
        merit = application.merit
        return {
            criterion.code: max(
                0,
                min(
                    criterion.max_score,
                    round(merit + juror.severity + noise.gauss(0, 0.9)),
                ),
            )
            for criterion in nomination.rubric
        }

    def voter_phone(self, number: int) -> str:
        """The phone number of voter ``number``: distinct voters, distinct numbers, and a
        block of numbers of this plan's own (the per-phone limit on codes is per hour)."""
        block = random.Random(f"{self.seed}:phones").randrange(10**7 - self.scale.voters)
        operator = MOBILE_OPERATORS[number % len(MOBILE_OPERATORS)]
        return f"+7{operator}{block + number // len(MOBILE_OPERATORS):07d}"

    def popularity(self, application_id: str) -> float:
        """How much the public likes a finalist (a skewed, seeded draw)."""
        return random.Random(f"{self.seed}:popular:{application_id}").lognormvariate(0, 0.8)

    def ballots(self, finalists: dict[str, list[str]]) -> list[list[tuple[str, str]]]:
        """Every voter's (nomination, finalist) choices, voters in order."""
        draw = random.Random(f"{self.seed}:voters")
        nominations = sorted(finalists)
        weights = {n: [self.popularity(a) for a in finalists[n]] for n in nominations}
        ballots = []
        for _ in range(self.scale.voters):
            count = min(len(nominations), draw.choice(self.scale.nominations_per_voter))
            chosen = draw.sample(nominations, count)
            ballots.append(
                [(n, draw.choices(finalists[n], weights=weights[n])[0]) for n in sorted(chosen)]
            )
        return ballots


def plan_edition(definition: ContestDefinition, scale: Scale, seed: int = 2025) -> Plan:
    """Decide the edition: applications spread over the region and nomination pairs the
    scale leaves open, some found ineligible (never a pair's only one), commissions."""
    draw = random.Random(seed)
    people = People(seed)
    cells = [(r.code, n.code) for n in definition.nominations for r in definition.regions]
    empty = set(draw.sample(cells, scale.empty_cells))
    open_cells = [cell for cell in cells if cell not in empty]
    # Every open pair gets one application, the rest spread unevenly, as regions differ;
    # fewer applications than open pairs fill as many pairs as there are applications.
    weights = [draw.uniform(0.3, 1.7) for _ in open_cells]
    if scale.applications <= len(open_cells):
        placed = draw.sample(open_cells, scale.applications)
    else:
        extra = scale.applications - len(open_cells)
        placed = open_cells + draw.choices(open_cells, weights=weights, k=extra)
    draw.shuffle(placed)
    kinds = {n.code: n.kind for n in definition.nominations}
    per_cell: dict[tuple[str, str], int] = {}
    for cell in placed:
        per_cell[cell] = per_cell.get(cell, 0) + 1
    ineligible: set[int] = set()
    for number, cell in enumerate(placed):
        if len(ineligible) < scale.ineligible and per_cell[cell] > 1 and draw.random() < 0.1:
            ineligible.add(number)
            per_cell[cell] -= 1
    applications = [
        PlannedApplication(
            number=number,
            applicant_id=f"applicant-{seed}-{number:05d}",
            form=(people.worker_form if kinds[nomination] == "worker" else people.project_form)(
                nomination, region
            ),
            merit=min(9.5, max(2.0, draw.gauss(6.3, 1.3))),
            eligible=number not in ineligible,
        )
        for number, (region, nomination) in enumerate(placed)
    ]
    regional = {
        region.code: _commission(people, draw, f"juror-{region.code}", scale.regional_jurors)
        for region in definition.regions
    }
    republican = _commission(people, draw, "juror-republican", scale.republican_jurors)
    return Plan(definition, scale, seed, applications, regional, republican, people)


def _commission(people: People, draw: random.Random, prefix: str, size: int) -> list[Juror]:
    return [
        Juror(f"{prefix}-{i + 1}", people.person().name, draw.gauss(0, 0.6)) for i in range(size)
    ]


def finalists_expected(plan: Plan) -> int:
    """How many finalists the regional stage selects: one per pair with an eligible
    application, times the nomination's finalists per region."""
    per_region = {n.code: n.finalists_per_region for n in plan.definition.nominations}
    eligible = Counter(
        (a.form["region_code"], a.form["nomination_code"]) for a in plan.applications if a.eligible
    )
    return sum(min(per_region[n], count) for (_, n), count in eligible.items())
