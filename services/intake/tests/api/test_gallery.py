"""The public gallery shows submitted projects with public fields only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from intake_samples import ALMATY, ASTANA, body, contest_definition, project_form, worker_form

from contest_contracts.events.contest import ContestDefinition
from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]


async def defined(intake: Any, bearer: Bearer) -> ContestDefinition:
    """A new contest whose submission is open."""
    definition = contest_definition()
    answer = await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=bearer(Role.OPERATOR)
    )
    assert answer.status_code == 201, answer.text
    return definition


async def test_the_gallery_shows_projects_in_competition_without_personal_data(
    intake: Any, bearer: Bearer
) -> None:
    definition = await defined(intake, bearer)
    url = f"/contests/{definition.contest_id}/applications"
    forms = {
        "shown": (project_form(1, ASTANA), True),
        "shown-too": (project_form(2, ALMATY), True),
        "draft": (project_form(3, ASTANA), False),
        "withdrawn": (project_form(4, ASTANA), True),
        "worker": (worker_form(5, ASTANA), True),
    }
    ids = {}
    for name, (form, submit) in forms.items():
        created = await intake.http.post(
            url, json=body(form, submit=submit), headers=bearer(Role.APPLICANT, subject=name)
        )
        ids[name] = created.json()["application_id"]
    await intake.http.post(
        f"/applications/{ids['withdrawn']}/withdraw",
        json={},
        headers=bearer(Role.APPLICANT, subject="withdrawn"),
    )

    gallery = await intake.http.get(f"/contests/{definition.contest_id}/gallery")
    assert gallery.status_code == 200, gallery.text
    items = gallery.json()["items"]
    assert [i["application_id"] for i in items] == [ids["shown"], ids["shown-too"]]
    assert items[0]["title"] == forms["shown"][0].details.project_title
    assert items[0]["author"] == forms["shown"][0].applicant.display_name

    text = json.dumps(gallery.json(), ensure_ascii=False)
    for form, _ in forms.values():
        for secret in (form.applicant.identifier, form.contact.phone, form.contact.email):
            assert secret not in text
    assert "identifier" not in text and "contact" not in text

    almaty = await intake.http.get(
        f"/contests/{definition.contest_id}/gallery", params={"region": ALMATY}
    )
    assert [i["application_id"] for i in almaty.json()["items"]] == [ids["shown-too"]]


async def test_contacts_written_into_public_texts_are_masked_and_the_applicant_is_told(
    intake: Any, bearer: Bearer
) -> None:
    definition = await defined(intake, bearer)
    url = f"/contests/{definition.contest_id}/applications"
    applicant = bearer(Role.APPLICANT, subject="talkative")
    planted = project_form(11, ASTANA)
    iin, phone, email = worker_form(12).applicant.identifier, "+7 701 555 12 34", "me@mail.kz"
    form = planted.model_copy(
        update={
            "details": planted.details.model_copy(
                update={
                    "summary": f"Пишите {email}, звоните {phone} или 8 (701) 555-12-34.",
                    "target_group": f"Молодёжь; мой ИИН {iin}",
                }
            )
        }
    )
    created = await intake.http.post(url, json=body(form, submit=True), headers=applicant)
    assert created.status_code == 201, created.text
    notices = created.json()["public_notices"]
    assert [(n["code"], n["field"]) for n in notices] == [
        ("personal_data_hidden", "details.summary"),
        ("personal_data_hidden", "details.target_group"),
    ]

    gallery = await intake.http.get(f"/contests/{definition.contest_id}/gallery")
    [item] = gallery.json()["items"]
    assert item["summary"] == "Пишите •••, звоните ••• или •••."
    assert item["target_group"] == "Молодёжь; мой ИИН •••"
    text = json.dumps(gallery.json(), ensure_ascii=False)
    for secret in (iin, email, "555 12 34", "555-12-34", planted.applicant.identifier):
        assert secret not in text


async def test_contacts_in_names_and_titles_are_refused_and_nothing_is_stored(
    intake: Any, bearer: Bearer
) -> None:
    definition = await defined(intake, bearer)
    url = f"/contests/{definition.contest_id}/applications"
    project, worker = project_form(13, ASTANA), worker_form(14, ASTANA)
    cases = [
        (
            project.model_copy(
                update={
                    "details": project.details.model_copy(
                        update={"project_title": "Спорт, тел. 87015551234"}
                    )
                }
            ),
            "details.project_title",
        ),
        (
            project.model_copy(
                update={
                    "applicant": project.applicant.model_copy(
                        update={"display_name": f"ОО Жігер, БИН {project.applicant.identifier}"}
                    )
                }
            ),
            "applicant.display_name",
        ),
        (
            worker.model_copy(
                update={
                    "details": worker.details.model_copy(
                        update={"position": "соцработник aigul@mail.kz"}
                    )
                }
            ),
            "details.position",
        ),
    ]
    for form, field in cases:
        refused = await intake.http.post(
            url, json=body(form, submit=True), headers=bearer(Role.APPLICANT, subject="x")
        )
        assert refused.status_code == 422, refused.text
        assert [(e["kind"], ".".join(e["location"])) for e in refused.json()["errors"]] == [
            ("personal_data_in_public_field", f"body.{field}")
        ]
    mine = await intake.http.get("/applications/mine", headers=bearer(Role.APPLICANT, subject="x"))
    assert mine.json() == []


def titled(seed: int, title: str, author: str | None = None, region: str = ASTANA) -> Any:
    """A project form with its own title (and public name)."""
    form = project_form(seed, region)
    details = form.details.model_copy(update={"project_title": title})
    applicant = form.applicant.model_copy(update={"display_name": author or f"ОО «Фонд {seed}»"})
    return form.model_copy(update={"details": details, "applicant": applicant})


async def test_the_gallery_searches_titles_and_public_names_in_any_case_with_filters_and_pages(
    intake: Any, bearer: Bearer
) -> None:
    definition = await defined(intake, bearer)
    url = f"/contests/{definition.contest_id}/applications"
    forms = {
        "swim": titled(21, "Плавание для детей", region=ASTANA),
        "swim-almaty": titled(22, "ПЛАВАНИЕ и ЛФК", region=ALMATY),
        "swim-more": titled(23, "Бассейн: плавание без барьеров", region=ASTANA),
        "author": titled(24, "Театр жестов", author="Фонд «Плавание-Астана»", region=ASTANA),
        "other": titled(25, "Школа волонтёров", region=ASTANA),
        "summary-only": titled(27, "Мастерская", region=ASTANA),
    }
    forms["summary-only"] = forms["summary-only"].model_copy(
        update={
            "details": forms["summary-only"].details.model_copy(
                update={"summary": "Плавание раз в неделю, звоните +7 701 555 12 34"}
            )
        }
    )
    ids = {}
    for name, form in forms.items():
        created = await intake.http.post(
            url, json=body(form, submit=True), headers=bearer(Role.APPLICANT, subject=name)
        )
        assert created.status_code == 201, created.text
        ids[name] = created.json()["application_id"]
    gallery = f"/contests/{definition.contest_id}/gallery"

    async def found(**params: Any) -> list[str]:
        answer = await intake.http.get(gallery, params=params)
        assert answer.status_code == 200, answer.text
        return [i["application_id"] for i in answer.json()["items"]]

    # Any case, Cyrillic too; titles and public names; never the masked summary.
    swimming = [ids["swim"], ids["swim-almaty"], ids["swim-more"], ids["author"]]
    assert await found(q="плаВАние") == swimming
    assert await found(q="  плавание  ") == swimming  # spaces at the ends are no words
    assert await found(q="Мастерская") == [ids["summary-only"]]
    assert await found(q="555 12 34") == []  # what the gallery masks cannot be searched
    # With the filters.
    assert await found(q="плавание", region=ALMATY) == [ids["swim-almaty"]]
    astana = [ids["swim"], ids["swim-more"], ids["author"]]
    assert await found(q="плавание", region=ASTANA) == astana
    assert await found(q="плавание", nomination="no-such-nomination") == []
    # Paged: the next page goes on with the same query.
    first = await intake.http.get(gallery, params={"q": "плавание", "limit": 3})
    assert [i["application_id"] for i in first.json()["items"]] == swimming[:3]
    after = first.json()["next_after"]
    assert after == swimming[2]
    second = await intake.http.get(gallery, params={"q": "плавание", "limit": 3, "after": after})
    assert [i["application_id"] for i in second.json()["items"]] == swimming[3:]
    assert second.json()["next_after"] is None


async def test_a_gallery_query_is_taken_literally_and_bounded(intake: Any, bearer: Bearer) -> None:
    definition = await defined(intake, bearer)
    url = f"/contests/{definition.contest_id}/applications"
    forms = {"pattern": titled(31, "Сила (воли) .* 100%"), "plain": titled(32, "Сила воли")}
    ids = {}
    for name, form in forms.items():
        created = await intake.http.post(
            url, json=body(form, submit=True), headers=bearer(Role.APPLICANT, subject=name)
        )
        ids[name] = created.json()["application_id"]
    gallery = f"/contests/{definition.contest_id}/gallery"

    async def found(q: str) -> list[str]:
        answer = await intake.http.get(gallery, params={"q": q})
        assert answer.status_code == 200, answer.text
        return [i["application_id"] for i in answer.json()["items"]]

    # Pattern characters are characters: `.*` matches only a title with ".*" in it.
    assert await found(".*") == [ids["pattern"]]
    assert await found("(") == [ids["pattern"]]
    assert await found("(воли)") == [ids["pattern"]]
    assert await found("Сила.воли") == []
    assert await found("[") == [] and await found("\\") == []
    # A catastrophic pattern, were it one, is only characters here: answered at once.
    assert await found("(a+)+$" + "a" * 40) == []
    assert await found("а" * 100) == []

    for bad in ("", "а" * 101):
        refused = await intake.http.get(gallery, params={"q": bad})
        assert refused.status_code == 422, bad
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "validation_failed"
