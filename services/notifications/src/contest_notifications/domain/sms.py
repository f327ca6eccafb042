"""What an SMS costs and what a one-time code's SMS carries.

A message in the GSM 03.38 alphabet (GSM-7) is one segment up to 160 characters (an
extension character such as ``€`` counts two), and 153 a segment beyond; any other character
(Cyrillic, Kazakh letters) makes the whole message UCS-2: 70 in one segment, 67 a segment
beyond. Each segment is paid for, so a code's message must stay within one.

Where ``NOTIFICATIONS_SMS_AUTOFILL_HOST`` names the portal's host, a code's message ends with
the domain-bound line ``@host #123456`` (the origin-bound one-time code format that browsers'
WebOTP and the phones' keyboards read): the code is offered for autofill on that site only,
never on a look-alike one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from contest_notifications.domain.templates import Message

ONE_TIME_CODES = frozenset({"voter_code"})
"""Templates whose SMS carries a one-time code (the ``code`` parameter)."""

AUTOFILL_HOST_MAX = 16
"""The longest autofill host every code message fits one UCS-2 segment with (70 characters:
the Russian text, 44, a line break, ``@``, the host, `` #`` and six digits)."""

_GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


def segments(text: str) -> int:
    """How many segments the networks send ``text`` as."""
    if all(c in _GSM7 or c in _GSM7_EXTENSION for c in text):
        septets = sum(2 if c in _GSM7_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2  # UCS-2 code units (a pair beyond the BMP)
    return 1 if units <= 70 else math.ceil(units / 67)


def sms_text(
    message: Message, template: str, parameters: Mapping[str, str], autofill_host: str | None
) -> str:
    """The SMS text of a rendered message: a one-time code's ends with the autofill line
    where a host is configured."""
    code = parameters.get("code")
    if autofill_host is None or template not in ONE_TIME_CODES or code is None:
        return message.body
    return f"{message.body}\n@{autofill_host} #{code}"
