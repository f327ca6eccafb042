"""Every one-time-code SMS is one segment in every language, with the domain-bound autofill
line of the longest host the setting allows: a code sent twice over costs every voter
twice."""

from __future__ import annotations

import pytest

from contest_contracts.common import Language
from contest_notifications.domain.sms import (
    AUTOFILL_HOST_MAX,
    ONE_TIME_CODES,
    segments,
    sms_text,
)
from contest_notifications.domain.templates import Templates
from contest_notifications.settings import NotificationsSettings
from contest_runtime.auth import AuthSettings

TEMPLATES = Templates.packaged()
LONGEST_HOST = "vote." + "k" * (AUTOFILL_HOST_MAX - len("vote..kz")) + ".kz"


def test_segments_are_counted_as_the_networks_count_them() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2  # GSM-7
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3  # 153 a part after one
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # two septets each
    assert segments("ж" * 70) == 1 and segments("ж" * 71) == 2  # UCS-2
    assert segments("ж" * 134) == 2 and segments("ж" * 135) == 3  # 67 a part after one
    assert segments("a" * 159 + "ә") == 3  # one Kazakh letter makes all of it UCS-2


@pytest.mark.parametrize("host", [None, LONGEST_HOST])
@pytest.mark.parametrize("minutes", ["1", "5", "10", "15"])
@pytest.mark.parametrize("language", list(Language))
@pytest.mark.parametrize("template", sorted(ONE_TIME_CODES))
def test_every_code_message_is_one_segment(
    template: str, language: Language, minutes: str, host: str | None
) -> None:
    message = TEMPLATES.render(template, language, [], {"code": "123456", "minutes": minutes})
    text = sms_text(message, template, {"code": "123456"}, host)
    assert "123456" in text
    assert segments(text) == 1, (len(text), text)


def test_the_autofill_line_is_the_last_line_where_a_host_is_configured() -> None:
    message = TEMPLATES.render("voter_code", Language.RU, [], {"code": "123456", "minutes": "5"})
    text = sms_text(message, "voter_code", {"code": "123456"}, "vote.example.kz")
    assert text.splitlines()[-1] == "@vote.example.kz #123456"
    assert sms_text(message, "voter_code", {"code": "123456"}, None) == message.body
    # Only one-time codes get it: nothing else has a code to fill in.
    assert sms_text(message, "application_received", {}, "vote.example.kz") == message.body


def test_the_autofill_host_is_a_host_name_short_enough_for_one_segment() -> None:
    base = {"auth": AuthSettings(jwt_key="j" * 32)}  # type: ignore[arg-type]
    assert NotificationsSettings(**base, sms_autofill_host=LONGEST_HOST).sms_autofill_host
    for wrong in ("https://vote.example.kz", "vote example", LONGEST_HOST + "x"):
        with pytest.raises(ValueError):
            NotificationsSettings(**base, sms_autofill_host=wrong)  # type: ignore[arg-type]
