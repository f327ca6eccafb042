"""The delivery log and replays are for operators: 401 without a token, 403 for others;
bad filters are refused with a problem response."""

from __future__ import annotations

from typing import Any

from contest_runtime.auth import Role


async def test_only_operators_see_the_log_and_replay(notifications: Any, bearer: Any) -> None:
    for method, url in (("GET", "/deliveries"), ("POST", "/deliveries/a/b/c/replay")):
        assert (await notifications.http.request(method, url)).status_code == 401
        for role in (Role.APPLICANT, Role.SECRETARY, Role.JUROR, Role.COMMISSION_SECRETARY):
            answer = await notifications.http.request(method, url, headers=bearer(role))
            assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    operator = bearer(Role.OPERATOR)
    bad = await notifications.http.get("/deliveries", params={"status": "lost"}, headers=operator)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_failed")
    unknown = await notifications.http.post("/deliveries/no/such/key/replay", headers=operator)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_delivery")
