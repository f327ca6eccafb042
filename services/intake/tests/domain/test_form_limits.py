"""Limits on what an application holds, as pure rules: every text of a form has one (long
texts theirs, a definition may set particular fields'), and the whole form has one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from intake_samples import project_form, worker_form

from contest_contracts.events.contest import FormLimits
from contest_intake.domain.forms import ApplicationForm, attachment_refusals, limit_refusals


def with_details(form: ApplicationForm, **details: object) -> ApplicationForm:
    return form.model_copy(update={"details": form.details.model_copy(update=details)})


def refused_fields(form: ApplicationForm, limits: FormLimits) -> list[str | None]:
    return [r.field for r in limit_refusals(form, limits)]


def test_long_texts_are_held_to_the_long_limit_and_every_other_text_to_the_short_one() -> None:
    limits = FormLimits(short_text_chars=50, long_text_chars=500)
    assert refused_fields(with_details(project_form(1), summary="s" * 500), limits) == []
    assert refused_fields(with_details(project_form(1), summary="s" * 501), limits) == [
        "details.summary"
    ]
    assert refused_fields(with_details(worker_form(1), workplace="w" * 51), limits) == [
        "details.workplace"
    ]
    form = project_form(1)
    named = form.model_copy(
        update={"applicant": form.applicant.model_copy(update={"display_name": "N" * 51})}
    )
    assert refused_fields(named, limits) == ["applicant.display_name"]


def test_a_definition_sets_the_limit_of_particular_fields() -> None:
    limits = FormLimits(field_chars={"details.summary": 100, "details.project_title": 400})
    form = with_details(project_form(2), summary="s" * 101, project_title="t" * 400)
    assert refused_fields(form, limits) == ["details.summary"]


def test_the_whole_form_is_measured_in_utf8_bytes() -> None:
    form = with_details(worker_form(3), achievements="ә" * 1000)  # 2 bytes a letter
    size = len(form.model_dump_json().encode())
    assert size > 2000
    assert limit_refusals(form, FormLimits(form_bytes=size)) == []
    [refusal] = limit_refusals(form, FormLimits(form_bytes=size - 1))
    assert (refusal.code, refusal.field) == ("form_too_large", None)


@given(st.text(min_size=1, max_size=400))
def test_no_text_within_the_limits_is_refused_and_none_past_them_is_accepted(text: str) -> None:
    limits = FormLimits(short_text_chars=200, long_text_chars=200, form_bytes=1_000_000)
    refusals = limit_refusals(with_details(project_form(4), target_group=text), limits)
    assert bool(refusals) == (len(text) > 200)


def test_files_past_the_limit_and_long_file_names_are_refused() -> None:
    limits = FormLimits(attachments=2, short_text_chars=20)
    assert attachment_refusals("устав.pdf", 1, limits) == []
    assert [r.code for r in attachment_refusals("устав.pdf", 2, limits)] == ["too_many_attachments"]
    assert [r.field for r in attachment_refusals("a" * 21 + ".pdf", 0, limits)] == ["filename"]
