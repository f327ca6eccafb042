"""The local inbox keeps what notifications sends through both channels, per recipient."""

from __future__ import annotations

import json
import smtplib
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from contest_local.inbox import Inbox, inbox_process


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    started = inbox_process(tmp_path)
    started.process.start()
    yield started
    started.process.stop()


def test_an_sms_and_an_email_are_kept_for_their_recipient(inbox: Inbox) -> None:
    sms = {"to": "+77011234567", "from": "CONTEST", "text": "Код: 123456", "client_ref": "k-1"}
    request = urllib.request.Request(
        f"{inbox.url}/sms",
        data=json.dumps(sms).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 202
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = "contest@localhost", "aigul@example.kz", "Өтінім"
    email["Message-ID"] = "<k-2@contest>"
    email.set_content("Өтініміңіз қабылданды.")
    with smtplib.SMTP("127.0.0.1", inbox.smtp_port) as server:
        server.send_message(email)

    [text] = inbox.messages(to="+77011234567")
    assert (text["channel"], text["text"], text["client_ref"]) == ("sms", "Код: 123456", "k-1")
    [mail] = inbox.messages(channel="email")
    assert (mail["to"], mail["subject"], mail["client_ref"]) == (
        "aigul@example.kz",
        "Өтінім",
        "<k-2@contest>",
    )
    assert "Өтініміңіз қабылданды." in mail["text"]
    assert inbox.messages(to="+77000000000") == []
    assert [m["channel"] for m in inbox.messages()] == ["sms", "email"]
