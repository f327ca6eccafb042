"""A file's first bytes against its declared media type."""

from __future__ import annotations

import pytest

from contest_intake.domain.attachments import CHECKABLE_MEDIA_TYPES, HEAD_BYTES, content_matches

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
DOCX = b"PK\x03\x04\x14\x00\x06\x00"
HTML = b"<!doctype html><html>"


@pytest.mark.parametrize(
    ("media_type", "head"),
    [
        ("application/pdf", PDF),
        ("image/png", PNG),
        ("image/jpeg", JPEG),
        ("image/webp", WEBP),
        ("image/gif", b"GIF89a\x01\x00"),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", DOCX),
        ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00"),
    ],
)
def test_a_file_of_its_declared_type_matches(media_type: str, head: bytes) -> None:
    assert media_type in CHECKABLE_MEDIA_TYPES
    assert content_matches(media_type, head[:HEAD_BYTES])


@pytest.mark.parametrize(
    ("media_type", "head"),
    [
        ("application/pdf", HTML),
        ("application/pdf", b" %PDF-1.7"),  # the signature must open the file
        ("image/png", PDF),
        ("image/jpeg", PNG),
        ("image/webp", b"RIFF\x24\x00\x00\x00WAVEfmt "),
        ("application/msword", DOCX),
        ("application/pdf", b"%PD"),  # shorter than the signature
        ("application/x-msdownload", b"MZ\x90\x00"),  # not a type the platform checks
    ],
)
def test_a_file_of_another_type_does_not_match(media_type: str, head: bytes) -> None:
    assert not content_matches(media_type, head)
