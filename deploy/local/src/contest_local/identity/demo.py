"""The demo's people as accounts of the local identity provider: the ministry's operator,
each region's secretary, every juror of every commission and every demo applicant, each
with a random password, written for the person running the platform to read."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

from contest_intake.domain.definitions import DEMO_CONTEST_FILE, parse_definition
from contest_local.edition.plan import Scale, plan_edition
from contest_local.identity.accounts import Account, write_private
from contest_runtime.tokens import Role

SIGN_IN_FILE = "sign-in.txt"
OPERATOR = "ministry-operator"


def new_password() -> str:
    """A random password of 16 characters (96 bits)."""
    return secrets.token_urlsafe(12)


def demo_accounts(workdir: Path, scale: Scale | None = None, seed: int = 2025) -> list[Account]:
    """An account for each person of the demo edition (the usernames the edition's tokens
    name: ``ministry-operator``, ``secretary-<region>``, ``juror-<region>-<n>``,
    ``juror-republican-<n>``, ``applicant-<seed>-<n>`` with the IIN/BIN their application
    carries), each with a new random password; writes ``workdir/sign-in.txt`` (0600)."""
    shipped = resources.files("contest_intake.contests").joinpath(DEMO_CONTEST_FILE)
    definition = parse_definition(shipped.read_text(encoding="utf-8"))
    plan = plan_edition(definition, scale or Scale(), seed)
    accounts = [Account(OPERATOR, new_password(), "Оператор министерства", (Role.OPERATOR,))]
    for region in definition.regions:
        # The region's secretary screens its applications and is its commission's secretary.
        accounts.append(
            Account(
                f"secretary-{region.code}",
                new_password(),
                f"Секретарь: {region.title.ru}",
                (Role.SECRETARY, Role.COMMISSION_SECRETARY),
                region=region.code,
            )
        )
    accounts.append(
        Account(
            "secretary-republican",
            new_password(),
            "Секретарь республиканской комиссии",
            (Role.COMMISSION_SECRETARY,),
        )
    )
    for region_code, jurors in plan.regional.items():
        accounts += [
            Account(j.juror_id, new_password(), j.name, (Role.JUROR,), region=region_code)
            for j in jurors
        ]
    accounts += [
        Account(j.juror_id, new_password(), j.name, (Role.JUROR,)) for j in plan.republican
    ]
    for application in plan.applications:
        form = application.form
        accounts.append(
            Account(
                application.applicant_id,
                new_password(),
                form["applicant"]["display_name"],
                (Role.APPLICANT,),
                region=form["region_code"],
                iin_bin=form["applicant"]["identifier"],
                language=form["contact"]["language"],
            )
        )
    write_sign_in_sheet(workdir / SIGN_IN_FILE, accounts)
    return accounts


def write_sign_in_sheet(path: Path, accounts: list[Account]) -> None:
    """The accounts as a table a person reads (0600: it holds the passwords)."""
    width = max(len(a.username) for a in accounts)
    lines = [
        "Accounts of the local identity provider (a stand-in for the national one; this run",
        "only: the passwords change at every start).",
        "",
        f"{'username':<{width}}  {'password':<16}  {'region':<8}  roles",
    ]
    lines += [
        f"{a.username:<{width}}  {a.password:<16}  {a.region or '-':<8}  {', '.join(a.roles)}"
        for a in accounts
    ]
    write_private(path, "\n".join(lines) + "\n")
