"""Which jurors score which application.

Every application gets ``k`` jurors of its commission. The rule, applied to applications in
id order so that the same input always gives the same result:

1. a juror linked to the applicant is never assigned: same organisation (the juror's BIN is
   the applicant's BIN or the applicant's employer's BIN), or a declared conflict;
2. among the others, the least-loaded jurors are taken (load = assignments so far in this
   commission); among equally loaded jurors, the order is a hash of (application, juror),
   which spreads pairs evenly without favouring any juror id.

Without conflicts this keeps every juror within one assignment of every other: taking the
``k`` least loaded from loads that differ by at most one leaves them differing by at most
one. Conflicts can make that impossible; the rule then stays as close as they allow. An
application with fewer than ``k`` eligible jurors gets those there are and is reported.
Applications that arrive later, and replacements for jurors who declare a conflict, are
assigned by the same rule on top of the pairs already in force.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Juror:
    """A commission member who scores."""

    juror_id: str
    organisation_bin: str | None = None
    conflicts: frozenset[str] = field(default_factory=frozenset)
    """Application ids the juror declared a conflict of interest with."""


@dataclass(frozen=True)
class Candidate:
    """An application to be scored, with what links it to people."""

    application_id: str
    applicant_identifier: str
    organisation_bin: str | None = None
    """The applicant's employer (a person) or the applicant's own BIN (an organisation)."""


@dataclass(frozen=True)
class Plan:
    """The outcome of an assignment: pairs, and applications short of jurors."""

    pairs: tuple[tuple[str, str], ...]
    """(application id, juror id), in application order."""
    short: Mapping[str, int]
    """Application id → jurors missing (fewer eligible jurors than ``k``)."""

    def jurors_of(self, application_id: str) -> list[str]:
        """Jurors assigned to one application."""
        return [juror for app, juror in self.pairs if app == application_id]

    def loads(self) -> Counter[str]:
        """Assignments per juror."""
        return Counter(juror for _, juror in self.pairs)


def linked(juror: Juror, candidate: Candidate) -> bool:
    """Whether ``juror`` may not score ``candidate``."""
    if candidate.application_id in juror.conflicts:
        return True
    if juror.organisation_bin is None:
        return False
    return juror.organisation_bin in (candidate.organisation_bin, candidate.applicant_identifier)


def _spread(application_id: str, juror_id: str) -> bytes:
    return hashlib.sha256(f"{application_id}\x1f{juror_id}".encode()).digest()


def _least_loaded(
    candidate: Candidate, jurors: Iterable[Juror], loads: Counter[str], taken: set[str], wanted: int
) -> list[str]:
    eligible = [j for j in jurors if j.juror_id not in taken and not linked(j, candidate)]
    eligible.sort(key=lambda j: (loads[j.juror_id], _spread(candidate.application_id, j.juror_id)))
    return [j.juror_id for j in eligible[:wanted]]


def assign(
    candidates: Iterable[Candidate],
    jurors: Iterable[Juror],
    k: int,
    existing: Iterable[tuple[str, str]] = (),
) -> Plan:
    """Bring each candidate up to ``k`` jurors (see the module's rule); returns the new pairs.

    ``existing`` are the (application, juror) pairs already in force: they count towards
    each juror's load and each application's ``k``. With none, this is the whole assignment
    of a stage; with some, it assigns applications that arrived later, and replaces a juror
    who declared a conflict (give that juror the conflict and leave their pair out).
    """
    pool = sorted(jurors, key=lambda j: j.juror_id)
    loads: Counter[str] = Counter({j.juror_id: 0 for j in pool})
    held: dict[str, set[str]] = defaultdict(set)
    for application_id, juror_id in existing:
        held[application_id].add(juror_id)
        if juror_id in loads:
            loads[juror_id] += 1
    pairs: list[tuple[str, str]] = []
    short: dict[str, int] = {}
    for candidate in sorted(candidates, key=lambda c: c.application_id):
        taken = held[candidate.application_id]
        wanted = k - len(taken)
        if wanted <= 0:
            continue
        chosen = _least_loaded(candidate, pool, loads, taken, wanted)
        for juror_id in chosen:
            loads[juror_id] += 1
            pairs.append((candidate.application_id, juror_id))
        if len(chosen) < wanted:
            short[candidate.application_id] = wanted - len(chosen)
    return Plan(pairs=tuple(pairs), short=short)
