"""The compose stack's proxy (`deploy/compose/proxy.conf`) run by Debian's nginx in front of
the real portal: a public page rendered once and then served from the cache (HEAD too),
personal pages and posts never kept, and live results' events passed on as they come.

The config is the compose stack's own, with the addresses of this machine put in place of
the compose network's (`portal:8005`, `:8080`) and the cache in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from contest_local.embedded import free_port

pytestmark = pytest.mark.infra

NGINX = "/usr/sbin/nginx"
PROXY_CONF = Path(__file__).resolve().parents[3] / "deploy" / "compose" / "proxy.conf"


@pytest.fixture(scope="module")
def proxy(public_site: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """nginx with the stack's config in front of the test portal; its address."""
    assert os.path.exists(NGINX), f"{NGINX} is missing: `apt-get install nginx-light`"
    workdir = tmp_path_factory.mktemp("proxy")
    port = free_port()
    portal = urlsplit(public_site.url)
    conf = PROXY_CONF.read_text(encoding="utf-8")
    for compose, here in (
        ("server portal:8005;", f"server {portal.hostname}:{portal.port};"),
        # Keycloak is not run here: nginx only needs its upstream to resolve at start.
        ("server keycloak:8080;", f"server 127.0.0.1:{free_port()};"),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("/var/cache/nginx/portal", str(workdir / "cache")),
    ):
        assert compose in conf, compose
        conf = conf.replace(compose, here)
    (workdir / "proxy.conf").write_text(conf, encoding="utf-8")
    kinds = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    temporary = " ".join(f"{kind}_temp_path {workdir / kind};" for kind in kinds)
    main = [
        # Started as root, nginx's workers would be `nobody`, shut out of pytest's
        # temporary directories; as anyone else the line is ignored.
        "user root;" if os.geteuid() == 0 else "",
        "worker_processes 1;",
        f"pid {workdir / 'nginx.pid'};",
        f"error_log {workdir / 'error.log'} warn;",
        "events { worker_connections 256; }",
        f"http {{ access_log {workdir / 'access.log'}; {temporary}",
        f"       include {workdir / 'proxy.conf'}; }}",
    ]
    (workdir / "nginx.conf").write_text("\n".join(main) + "\n", encoding="utf-8")
    process = subprocess.Popen(
        [NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{address}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "nginx did not answer"
            time.sleep(0.1)
    try:
        yield address
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(workdir / "cache", ignore_errors=True)


def test_a_public_page_is_rendered_once_and_then_served_from_the_cache(
    proxy: str, public_site: Any
) -> None:
    page = f"/ru/contests/{public_site.contest_id}/exhibition?region=KZ-75"
    first = httpx.get(proxy + page)
    assert first.status_code == 200 and first.headers["x-cache"] in {"MISS", "EXPIRED"}
    again = httpx.get(proxy + page)
    assert again.headers["x-cache"] == "HIT" and again.text == first.text
    assert again.headers["etag"] == first.headers["etag"]
    head = httpx.head(proxy + page)
    assert head.status_code == 200 and head.headers["x-cache"] == "HIT"


def test_a_step_of_the_vote_and_a_post_are_never_kept(proxy: str, public_site: Any) -> None:
    application = public_site.finalists["social-project"][0]["application_id"]
    step = f"/en/contests/{public_site.vote_contest_id}/vote/social-project/{application}/phone"
    with httpx.Client(base_url=proxy) as browser:
        for _ in range(2):  # a page made from the session: looked up, never kept
            answer = browser.get(step)
            assert answer.status_code == 200 and answer.headers["x-cache"] == "MISS"
            assert answer.headers["cache-control"] == "private, no-store"
        sent = browser.post(step, data={"csrf": "forged", "phone": "7011234567"})
        assert sent.status_code == 403 and sent.headers.get("x-cache") != "HIT"


def test_live_results_pass_through_as_they_come(proxy: str, public_site: Any) -> None:
    stream = f"{proxy}/en/contests/{public_site.vote_contest_id}/tallies/stream"
    started = time.monotonic()
    with httpx.stream("GET", stream, timeout=10) as events:
        assert events.status_code == 200
        assert "x-cache" not in events.headers
        for line in events.iter_lines():
            if line.startswith("event: tally"):
                break
        else:
            pytest.fail("the stream ended without an event")
    # The first event came while voting's stream stayed open: nothing waited for its end.
    assert time.monotonic() - started < 10
