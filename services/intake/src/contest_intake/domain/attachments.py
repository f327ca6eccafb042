"""What an attached file's first bytes must be for the media type it is declared as.

A file declared `application/pdf` whose bytes are HTML would reach jurors and secretaries
as a "PDF": the declaration is checked against the format's signature (its magic bytes)
before anything is stored. A contest may only accept media types listed here, so every
accepted file is checked.
"""

from __future__ import annotations

from collections.abc import Callable

_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # the container of .doc and .xls

_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/zip": _ZIP,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _ZIP,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _ZIP,
    "application/vnd.oasis.opendocument.text": _ZIP,
    "application/msword": _OLE,
    "application/vnd.ms-excel": _OLE,
}


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


_OTHER_CHECKS: dict[str, Callable[[bytes], bool]] = {"image/webp": _is_webp}

HEAD_BYTES = 16
"""How many first bytes of a file decide its format (the longest signature's length)."""

CHECKABLE_MEDIA_TYPES = frozenset(_SIGNATURES) | frozenset(_OTHER_CHECKS)
"""Media types whose content the platform can check, so a contest may accept them."""


def content_matches(media_type: str, head: bytes) -> bool:
    """Whether a file whose first bytes are ``head`` is what ``media_type`` says."""
    check = _OTHER_CHECKS.get(media_type)
    if check is not None:
        return check(head)
    return any(head.startswith(signature) for signature in _SIGNATURES.get(media_type, ()))
