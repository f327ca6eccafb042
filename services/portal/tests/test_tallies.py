"""Live results over HTTP, on the real services: the page of each nomination's count, its
stream of sections as votes are counted, and HEAD answered as GET without the body."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.infra

_COUNTED = re.compile(r"([\d,]+) votes? counted")


def counted(section: str) -> int:
    found = _COUNTED.search(section)
    assert found, section
    return int(found.group(1).replace(",", ""))


def test_the_live_results_page_shows_each_nomination_s_count(public_site: Any) -> None:
    page = httpx.get(f"{public_site.url}/en/contests/{public_site.vote_contest_id}/tallies")
    assert page.status_code == 200
    assert page.headers["cache-control"].startswith("public")
    assert page.headers["etag"].startswith('W/"')
    for nomination, finalists in public_site.finalists.items():
        section = page.text.split(f'id="tally-{nomination}"', 1)[1].split("</section>", 1)[0]
        counted(section)
        for finalist in finalists:
            assert finalist["form"]["details"]["project_title"] in section
    assert "tallies.js" in page.text and 'data-stream="/en/contests/' in page.text


def test_the_stream_sends_each_section_then_each_change(public_site: Any) -> None:
    site, contest_id = public_site, public_site.vote_contest_id
    address = f"{site.url}/en/contests/{contest_id}/tallies/stream"
    with httpx.stream("GET", address, timeout=30) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        events = sections(stream.iter_lines())
        first = dict(next(events) for _ in site.finalists)
        assert set(first) == {f"tally-{n}" for n in site.finalists}

        before = counted(first["tally-social-project"])
        chosen = site.finalists["social-project"][0]
        site.vote_by_api(contest_id, "social-project", chosen["application_id"])
        deadline = time.monotonic() + 30
        for section_id, html in events:
            if section_id == "tally-social-project" and counted(html) > before:
                assert counted(html) == before + 1
                assert chosen["form"]["details"]["project_title"] in html
                break
            assert time.monotonic() < deadline, "the count did not move"
        else:
            pytest.fail("the stream ended before the count moved")


def sections(lines: Any) -> Any:
    """Each `tally` event of a stream as (section id, its HTML)."""
    event, data = None, []
    for line in lines:
        if not line:
            if event == "tally":
                html = "\n".join(data)
                found = re.search(r'<section class="tally" id="([^"]+)"', html)
                assert found, html
                yield found.group(1), html
            event, data = None, []
        elif line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data.append(line.removeprefix("data: "))


def test_the_stream_of_a_contest_that_is_none_is_a_404_page(public_site: Any) -> None:
    answer = httpx.get(f"{public_site.url}/ru/contests/no-such-contest/tallies/stream")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")


def test_head_answers_the_headers_of_get_without_the_body(public_site: Any) -> None:
    address = f"{public_site.url}/kk/contests/{public_site.contest_id}"
    got, head = httpx.get(address), httpx.head(address)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == got.headers["etag"]
    assert head.headers["content-type"] == got.headers["content-type"]
    assert httpx.head(f"{public_site.url}/kk/contests/no-such-contest").status_code == 404
    assert httpx.head(f"{public_site.url}/healthz").status_code == 200
