"""Identifiers, phones and emails found in public texts, and masked."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from intake_samples import a_bin, an_iin

from contest_intake.domain.disclosure import MASK, masked, personal_data_spans


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("звоните +7 701 234 56 78!", "звоните •••!"),
        ("тел. 8 (701) 234-56-78", "тел. •••"),
        ("87012345678 или +77012345678", "••• или •••"),
        ("городской 8-727-2505050", "городской •••"),
        ("почта: aigul.s+contest@mail.kz.", "почта: •••."),
        ("кириллица: айгуль@почта.рф", "кириллица: •••"),
        (f"ИИН {an_iin(3)}, БИН {a_bin(4)}", "ИИН •••, БИН •••"),
        (f"ИИН {an_iin(3)[:6]} {an_iin(3)[6:]}", "ИИН •••"),
    ],
)
def test_personal_data_is_masked(text: str, shown: str) -> None:
    assert masked(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Охват 12 000 человек, бюджет 4 800 000 тенге, 2024 год.",
        "Проект №123456789012 не настоящий: контрольная цифра неверна",
        "1500000 тенге на 240 человек",
        "Центр №2, Астана, ул. Абая 15",
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    wrong = an_iin(5)[:11] + str((int(an_iin(5)[11]) + 1) % 10)
    assert personal_data_spans(text.replace("123456789012", wrong)) == []


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_masking_keeps_text_without_personal_data_and_removes_what_it_finds(text: str) -> None:
    shown = masked(text)
    if not personal_data_spans(text):
        assert shown == text
    else:
        assert MASK in shown
