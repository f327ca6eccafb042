"""The local inbox keeps what notifications sends through both channels, per recipient."""

from __future__ import annotations

import json
import smtplib
import threading
import time
import urllib.parse
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


def send_sms(inbox: Inbox, sms: dict[str, str]) -> None:
    """Send an SMS as notifications does."""
    request = urllib.request.Request(
        f"{inbox.url}/sms",
        data=json.dumps(sms).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 202


def test_an_sms_and_an_email_are_kept_for_their_recipient(inbox: Inbox) -> None:
    send_sms(
        inbox, {"to": "+77011234567", "from": "CONTEST", "text": "Код: 123456", "client_ref": "k-1"}
    )
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


def test_a_recipient_is_found_with_a_literal_plus_as_well_as_2b(inbox: Inbox) -> None:
    send_sms(inbox, {"to": "+77021234567", "text": "Код: 111222", "client_ref": "k-4"})
    send_sms(inbox, {"to": "aigul+votes@example.kz", "text": "Код: 333444", "client_ref": "k-5"})
    for query in ("to=+77021234567", "to=%2B77021234567", "to=+77021234567&wait_s=5"):
        with urllib.request.urlopen(f"{inbox.url}/messages?{query}", timeout=30) as answer:
            assert [m["text"] for m in json.load(answer)] == ["Код: 111222"], query
    for query in ("to=aigul+votes@example.kz", "to=aigul%2Bvotes%40example.kz"):
        with urllib.request.urlopen(f"{inbox.url}/messages?{query}", timeout=30) as answer:
            assert [m["text"] for m in json.load(answer)] == ["Код: 333444"], query


def test_a_reader_can_wait_for_the_first_message_of_a_recipient(inbox: Inbox) -> None:
    def send_later() -> None:
        time.sleep(0.5)
        send_sms(inbox, {"to": "+77051234567", "text": "Код: 654321", "client_ref": "k-3"})

    sender = threading.Thread(target=send_later)
    sender.start()
    query = urllib.parse.urlencode({"to": "+77051234567", "wait_s": 20})
    with urllib.request.urlopen(f"{inbox.url}/messages?{query}", timeout=30) as answer:
        [message] = json.load(answer)
    sender.join()
    assert message["text"] == "Код: 654321"
    assert inbox.messages(to="+77059999999") == []  # no wait unless asked
