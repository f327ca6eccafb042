"""Webhooks on the real broker and store, to a real HTTP receiver that checks signatures:
one signed delivery per event and subscription, also when the event comes twice and when
the receiver fails twice first; regions filter; the last failure goes to the dead-letter
topic and an operator can replay it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer

from contest_contracts.events.judging import Finalist, FinalistsSelected, ResultsPublished
from contest_contracts.events.notifications import NotificationFailed
from contest_contracts.samples import SAMPLES
from contest_contracts.topics import FINALISTS, RESULTS
from contest_runtime.auth import Role
from contest_runtime.kafka import envelope_in_flow
from contest_runtime.settings import InfraSettings

RESULTS_TYPE = ResultsPublished.event_type
FINALISTS_TYPE = FinalistsSelected.event_type


async def _subscribe(notifications: Any, bearer: Any, path: str, **form: Any) -> str:
    answer = await notifications.http.post(
        "/webhooks",
        json={
            "url": f"{notifications.webhooks_url}/{path}",
            "secret": notifications.webhooks.secret,
            **form,
        },
        headers=bearer(Role.OPERATOR, subject="regional-desk"),
    )
    assert answer.status_code == 201, answer.text
    assert "secret" not in answer.json()
    return str(answer.json()["subscription_id"])


def _results(contest: str) -> ResultsPublished:
    sample: ResultsPublished = SAMPLES[ResultsPublished]  # type: ignore[assignment]
    return sample.model_copy(update={"contest_id": contest})


def _finalists(contest: str, region: str) -> FinalistsSelected:
    sample: FinalistsSelected = SAMPLES[FinalistsSelected]  # type: ignore[assignment]
    finalist: Finalist = sample.finalists[0].model_copy(update={"region_code": region})
    return sample.model_copy(update={"contest_id": contest, "finalists": [finalist]})


async def test_an_event_reaches_each_subscriber_once_signed_after_two_failures(
    notifications: Any, eventually: Any, bearer: Any
) -> None:
    path = f"almaty-{uuid.uuid4().hex[:6]}"
    other = f"turkestan-{uuid.uuid4().hex[:6]}"
    await _subscribe(
        notifications, bearer, path, event_types=[RESULTS_TYPE, FINALISTS_TYPE], regions=["KZ-71"]
    )
    await _subscribe(notifications, bearer, other, event_types=[FINALISTS_TYPE], regions=["KZ-61"])
    notifications.webhooks.failures[path] = 2
    contest = f"contest-{uuid.uuid4().hex[:8]}"
    results = envelope_in_flow(_results(contest), source="/contest/judging", subject=contest)
    for _ in range(2):  # the same event delivered twice
        await notifications.outside.publish_envelope(RESULTS, results)
    await eventually(lambda: notifications.webhooks.at(path))
    for region in ("KZ-75", "KZ-71"):  # the first names neither subscriber's region
        finalists = _finalists(contest, region)
        await notifications.outside.publish(FINALISTS, finalists, subject=contest)
    await eventually(lambda: len(notifications.webhooks.at(path)) == 2)

    (first, second) = notifications.webhooks.at(path)
    headers, body = first
    assert headers["x-contest-event-id"] == results.id
    assert json.loads(body)["data"]["contest_id"] == contest
    assert json.loads(second[1])["data"]["finalists"][0]["region_code"] == "KZ-71"
    assert notifications.webhooks.at(other) == []  # not its region, not its types
    (logged,) = await notifications.context.deliveries.find(notification_id=results.id)
    assert [a.error is None for a in logged.attempts] == [False, False, True]


async def test_a_subscriber_that_never_answers_gets_the_event_dead_lettered_and_replayed(
    notifications: Any, eventually: Any, bearer: Any, infra_settings: InfraSettings
) -> None:
    path = f"down-{uuid.uuid4().hex[:6]}"
    subscription = await _subscribe(notifications, bearer, path, event_types=[RESULTS_TYPE])
    notifications.webhooks.failures[path] = 3
    contest = f"contest-{uuid.uuid4().hex[:8]}"
    results = envelope_in_flow(_results(contest), source="/contest/judging", subject=contest)
    await notifications.outside.publish_envelope(RESULTS, results)
    await eventually(lambda: notifications.outcomes.of(NotificationFailed, results.id))
    assert await _dead_lettered(infra_settings, results.id, subscription)

    operator = bearer(Role.OPERATOR)
    (logged,) = (
        await notifications.http.get(
            "/deliveries",
            params={"event_id": results.id, "recipient_id": subscription},
            headers=operator,
        )
    ).json()
    replayed = await notifications.http.post(
        f"/deliveries/{logged['key']}/replay", headers=operator
    )
    assert replayed.json()["status"] == "delivered"
    assert len(notifications.webhooks.at(path)) == 1


async def test_only_operators_manage_subscriptions_and_bad_ones_are_refused(
    notifications: Any, bearer: Any
) -> None:
    form = {"url": "http://127.0.0.1:9/x", "secret": "s" * 32, "event_types": [RESULTS_TYPE]}
    for method, url in (("POST", "/webhooks"), ("GET", "/webhooks"), ("DELETE", "/webhooks/x")):
        assert (await notifications.http.request(method, url, json=form)).status_code == 401
        for role in (Role.APPLICANT, Role.SECRETARY, Role.JUROR):
            answer = await notifications.http.request(method, url, json=form, headers=bearer(role))
            assert answer.status_code == 403
    operator = bearer(Role.OPERATOR)
    for bad in (
        {**form, "secret": "short"},
        {**form, "event_types": ["kz.contest.vote.cast"]},  # restricted, never a webhook
        {**form, "url": "not a url"},
    ):
        answer = await notifications.http.post("/webhooks", json=bad, headers=operator)
        assert (answer.status_code, answer.json()["code"]) == (422, "validation_failed")
    missing = await notifications.http.delete("/webhooks/nope", headers=operator)
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_subscription")


async def _dead_lettered(infra: InfraSettings, event_id: str, subscription: str) -> bool:
    consumer = AIOKafkaConsumer(
        RESULTS.dead_letter,
        bootstrap_servers=infra.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=5000)
        for records in batches.values():
            for record in records:
                headers = {k: v.decode() for k, v in record.headers}
                if (
                    headers.get("x-webhook-subscription") == subscription
                    and json.loads(record.value or b"{}").get("id") == event_id
                ):
                    return headers["x-error-reason"] == "webhook_failed"
    finally:
        await consumer.stop()
    return False
