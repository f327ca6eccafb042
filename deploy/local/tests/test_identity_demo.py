"""The demo's people as accounts: who they are, the IIN/BIN their applications carry, the
sign-in sheet for the person running the platform, and how long they take to hash."""

from __future__ import annotations

import os
import time
from importlib import resources
from pathlib import Path

from contest_intake.domain.definitions import DEMO_CONTEST_FILE, parse_definition
from contest_local.edition.plan import Scale, plan_edition
from contest_local.identity import demo_accounts, identity_process
from contest_local.identity.accounts import REGISTRY_FILE, read_registry


def test_every_person_of_the_demo_has_an_account(tmp_path: Path) -> None:
    accounts = {account.username: account for account in demo_accounts(tmp_path)}
    shipped = resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE)
    definition = parse_definition(shipped.read_text(encoding="utf-8"))
    plan = plan_edition(definition, Scale(), 2025)
    assert accounts["ministry-operator"].roles == ("operator",)
    for region in definition.regions:
        secretary = accounts[f"secretary-{region.code}"]
        assert secretary.region == region.code and "secretary" in secretary.roles
    for region, jurors in plan.regional.items():
        for juror in jurors:
            assert accounts[juror.juror_id].roles == ("juror",)
            assert accounts[juror.juror_id].region == region
    assert all(accounts[j.juror_id].region is None for j in plan.republican)
    for application in plan.applications:
        applicant = accounts[application.applicant_id]
        assert applicant.iin_bin == application.form["applicant"]["identifier"]
        assert applicant.roles == ("applicant",)
    assert len(accounts) == 1 + 21 + 5 * 20 + 7 + len(plan.applications)
    assert len({account.password for account in accounts.values()}) == len(accounts)


def test_the_sign_in_sheet_is_private_and_names_each_account(tmp_path: Path) -> None:
    accounts = demo_accounts(tmp_path)
    sheet = tmp_path / "sign-in.txt"
    assert os.stat(sheet).st_mode & 0o777 == 0o600
    lines = sheet.read_text("utf-8").splitlines()
    assert "stand-in" in lines[0]
    operator = next(line for line in lines if line.startswith("ministry-operator "))
    assert accounts[0].password in operator and "operator" in operator
    secretary = next(line for line in lines if line.startswith("secretary-KZ-71 "))
    assert "KZ-71" in secretary.split()[2:] and "commission_secretary" in secretary


def test_the_demos_accounts_are_hashed_in_about_a_second(tmp_path: Path) -> None:
    accounts = demo_accounts(tmp_path)
    started = time.perf_counter()
    identity_process(tmp_path, (), accounts)
    took = time.perf_counter() - started
    print(f"{len(accounts)} accounts hashed in {took:.2f} s")
    # About a second on an idle core; the bound leaves room for a machine shared with CI.
    assert took < 6, took
    registry = read_registry(tmp_path / REGISTRY_FILE)
    assert len(registry.accounts) == len(accounts)
    known = registry.accounts["ministry-operator"]
    assert known.checks(accounts[0].password) and not known.checks("guess")
