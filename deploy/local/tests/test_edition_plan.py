"""The demo edition has the seeds' figures, and every application in it would pass intake."""

from __future__ import annotations

from collections import Counter

import pytest

from contest_intake.domain.definitions import demo_definition
from contest_intake.domain.forms import ApplicationForm, form_refusals
from contest_intake.domain.identifiers import validate_bin, validate_iin
from contest_local.edition.plan import Plan, Scale, finalists_expected, plan_edition
from contest_voting.domain.voters import normalise_phone


@pytest.fixture(scope="module")
def plan() -> Plan:
    return plan_edition(demo_definition(), Scale())


def test_the_edition_has_the_figures_of_the_2025_contest(plan: Plan) -> None:
    forms = [a.form for a in plan.applications]
    assert len(forms) == 1041
    assert len({f["region_code"] for f in forms}) == 20
    assert len({f["nomination_code"] for f in forms}) == 7
    assert finalists_expected(plan) == 129
    eligible = Counter(
        (a.form["region_code"], a.form["nomination_code"]) for a in plan.applications if a.eligible
    )
    per_nomination = Counter(nomination for _, nomination in eligible)
    assert all(17 <= n <= 20 for n in per_nomination.values()), per_nomination
    assert sum(not a.eligible for a in plan.applications) == Scale().ineligible


def test_every_application_is_one_intake_accepts(plan: Plan) -> None:
    definition = plan.definition
    identifiers = set()
    for planned in plan.applications:
        form = ApplicationForm.model_validate(planned.form)
        assert form_refusals(form, definition) == [], planned.form
        identifier = form.applicant.identifier
        validate = validate_iin if form.applicant.kind == "individual" else validate_bin
        assert validate(identifier) == identifier  # raises when the number is not valid
        identifiers.add((identifier, form.nomination_code))
    assert len(identifiers) == len(plan.applications)  # one application per applicant


def test_names_and_texts_are_in_kazakh_and_russian(plan: Plan) -> None:
    languages = Counter(a.form["contact"]["language"] for a in plan.applications)
    assert languages["kk"] > 100 and languages["ru"] > 100
    names = " ".join(a.form["applicant"]["display_name"] for a in plan.applications)
    assert "қызы" in names and "ұлы" in names and "овна" in names and "евич" in names


def test_voters_have_distinct_mobile_numbers_that_voting_accepts(plan: Plan) -> None:
    phones = [plan.voter_phone(n) for n in range(plan.scale.voters)]
    assert len(set(phones)) == plan.scale.voters
    assert all(normalise_phone(phone) == phone for phone in phones)


def test_the_same_seed_gives_the_same_edition() -> None:
    small = Scale(applications=200, voters=50)
    one, two = plan_edition(demo_definition(), small), plan_edition(demo_definition(), small)
    assert [a.form for a in one.applications] == [a.form for a in two.applications]
    finalists = {"social-project": ["a", "b", "c"]}
    assert one.ballots(finalists) == two.ballots(finalists)
    assert plan_edition(demo_definition(), small, seed=7).applications != one.applications


@pytest.mark.parametrize("applications", [1, 60, 129, 130, 400])
def test_an_edition_files_as_many_applications_as_it_is_asked_for(applications: int) -> None:
    """`--applications 60` once filed 129: one per open region and nomination pair at least."""
    planned = plan_edition(demo_definition(), Scale(applications=applications, voters=10))
    assert len(planned.applications) == applications
    pairs = {(a.form["region_code"], a.form["nomination_code"]) for a in planned.applications}
    assert len(pairs) == min(applications, 129)  # every open pair once before any twice
