"""The public gallery shows submitted projects with public fields only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from intake_samples import ALMATY, ASTANA, body, contest_definition, project_form, worker_form

from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]


async def test_the_gallery_shows_projects_in_competition_without_personal_data(
    intake: Any, bearer: Bearer
) -> None:
    definition = contest_definition()
    await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=bearer(Role.OPERATOR)
    )
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
