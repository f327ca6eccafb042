"""Attachments in GridFS: limits from the contest definition, SHA-256, who may download."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from intake_samples import ALMATY, ASTANA, body, contest_definition, project_form

from contest_runtime.auth import Role

Bearer = Callable[..., dict[str, str]]


async def _application(
    intake: Any, bearer: Bearer, required: int = 0
) -> tuple[str, str, dict[str, str]]:
    definition = contest_definition(attachments_required=required)
    await intake.http.post(
        "/contests", json=definition.model_dump(mode="json"), headers=bearer(Role.OPERATOR)
    )
    owner = bearer(Role.APPLICANT, subject="zhiger")
    created = await intake.http.post(
        f"/contests/{definition.contest_id}/applications",
        json=body(project_form(1, ASTANA), submit=True),
        headers=owner,
    )
    return definition.contest_id, created.json()["application_id"], owner


async def _files(intake: Any) -> tuple[int, int]:
    """Files and chunks in the GridFS bucket."""
    db = intake.office.applications.collection.database
    files = await db["attachments.files"].find({}, {"_id": 1}).to_list()
    chunks = await db["attachments.chunks"].find({}, {"_id": 1}).to_list()
    return len(files), len(chunks)


async def test_a_file_is_stored_with_its_sha256_and_read_back_by_those_allowed(
    intake: Any, bearer: Bearer
) -> None:
    _, application_id, owner = await _application(intake, bearer)
    content = b"%PDF-1.7 " + bytes(range(256)) * 100
    uploaded = await intake.http.post(
        f"/applications/{application_id}/attachments",
        params={"filename": "устав.pdf"},
        content=content,
        headers={**owner, "Content-Type": "application/pdf"},
    )
    assert uploaded.status_code == 201, uploaded.text
    [ref] = uploaded.json()["attachments"]
    assert ref["sha256"] == hashlib.sha256(content).hexdigest()
    assert (ref["size_bytes"], ref["media_type"], ref["filename"]) == (
        len(content),
        "application/pdf",
        "устав.pdf",
    )
    assert uploaded.json()["revision"] == 2  # a submitted application changed

    url = f"/applications/{application_id}/attachments/{ref['attachment_id']}"
    for reader in (
        owner,
        bearer(Role.SECRETARY, region_code=ASTANA),
        bearer(Role.OPERATOR),
    ):
        download = await intake.http.get(url, headers=reader)
        assert download.status_code == 200
        assert download.content == content
        assert download.headers["content-type"] == "application/pdf"
    assert (await intake.http.get(url)).status_code == 401
    for stranger in (
        bearer(Role.APPLICANT, subject="someone-else"),
        bearer(Role.SECRETARY, region_code=ALMATY),
    ):
        assert (await intake.http.get(url, headers=stranger)).status_code == 403

    # A juror's access is judging's to say, asked at each call.
    files = f"/applications/{application_id}/attachments"
    assigned, other = bearer(Role.JUROR, subject="juror-1"), bearer(Role.JUROR, subject="juror-2")
    intake.judging.assign(assigned, application_id)
    download = await intake.http.get(url, headers=assigned)
    assert (download.status_code, download.content) == (200, content)
    listed = await intake.http.get(files, headers=assigned)
    assert [a["attachment_id"] for a in listed.json()] == [ref["attachment_id"]]
    for refused in (other, bearer(Role.COMMISSION_SECRETARY)):
        for path in (url, files):
            answer = await intake.http.get(path, headers=refused)
            assert (answer.status_code, answer.json()["code"]) == (403, "forbidden"), path
    # With judging unreachable nobody is let in on a guess: 503, and the owner still reads.
    intake.judging.down = True
    try:
        for path in (url, files):
            unsure = await intake.http.get(path, headers=assigned)
            assert (unsure.status_code, unsure.json()["code"]) == (503, "judging_unavailable")
            assert unsure.headers["retry-after"] == "5"
        assert (await intake.http.get(files, headers=owner)).status_code == 200
    finally:
        intake.judging.down = False

    removed = await intake.http.delete(url, headers=owner)
    assert removed.json()["attachments"] == []
    assert (await intake.http.get(url, headers=owner)).status_code == 404


async def test_oversized_and_unaccepted_files_are_refused_and_nothing_is_stored(
    intake: Any, bearer: Bearer
) -> None:
    _, application_id, owner = await _application(intake, bearer)
    files_before = await _files(intake)
    url = f"/applications/{application_id}/attachments"

    too_large = await intake.http.post(
        url,
        params={"filename": "big.pdf"},
        content=b"x" * (64 * 1024 + 1),
        headers={**owner, "Content-Type": "application/pdf"},
    )
    assert (too_large.status_code, too_large.json()["code"]) == (413, "attachment_too_large")

    async def streamed() -> Any:  # no Content-Length: the limit is enforced while reading
        yield b"\x89PNG\r\n\x1a\n"
        for _ in range(20):
            yield b"y" * 4096

    chunked = await intake.http.post(
        url,
        params={"filename": "big.png"},
        content=streamed(),
        headers={**owner, "Content-Type": "image/png"},
    )
    assert (chunked.status_code, chunked.json()["code"]) == (413, "attachment_too_large")

    wrong_type = await intake.http.post(
        url,
        params={"filename": "run.exe"},
        content=b"MZ",
        headers={**owner, "Content-Type": "application/x-msdownload"},
    )
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (415, "unsupported_media_type")

    empty = await intake.http.post(
        url,
        params={"filename": "empty.pdf"},
        content=b"",
        headers={**owner, "Content-Type": "application/pdf"},
    )
    assert (empty.status_code, empty.json()["code"]) == (422, "empty_attachment")

    for declared, content in [
        ("application/pdf", b"<!doctype html><script>alert(1)</script>"),
        ("image/png", b"%PDF-1.7 a PDF declared as a picture"),
        ("image/jpeg", b"\x89PNG\r\n\x1a\n a PNG declared as a JPEG"),
    ]:
        mismatch = await intake.http.post(
            url,
            params={"filename": "cv.pdf"},
            content=content,
            headers={**owner, "Content-Type": declared},
        )
        assert (mismatch.status_code, mismatch.json()["code"]) == (415, "content_mismatch")

    stranger = await intake.http.post(
        url,
        params={"filename": "a.pdf"},
        content=b"%PDF",
        headers={**bearer(Role.APPLICANT, subject="other"), "Content-Type": "application/pdf"},
    )
    assert stranger.status_code == 403

    assert await _files(intake) == files_before
    assert (await intake.http.get(f"/applications/{application_id}", headers=owner)).json()[
        "attachments"
    ] == []


async def test_screening_checks_the_required_attachments(intake: Any, bearer: Bearer) -> None:
    _, application_id, owner = await _application(intake, bearer, required=1)
    secretary = bearer(Role.SECRETARY, region_code=ASTANA)
    refused = await intake.http.post(
        f"/applications/{application_id}/screening",
        json={"decision": "eligible"},
        headers=secretary,
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "checks_failed")
    await intake.http.post(
        f"/applications/{application_id}/attachments",
        params={"filename": "charter.pdf"},
        content=b"%PDF-1.7",
        headers={**owner, "Content-Type": "application/pdf"},
    )
    accepted = await intake.http.post(
        f"/applications/{application_id}/screening",
        json={"decision": "eligible"},
        headers=secretary,
    )
    assert accepted.status_code == 200, accepted.text
    checks = {c["check"]: c["passed"] for c in accepted.json()["screening"]["checks"]}
    assert checks == {"required_fields": True, "attachments": True}
