"""The documents a contest gives out, as PDF (fpdf2): the commission's protocol of a stage
close (the ranking, the members, the date) and a winner's diploma with a QR code (segno)
to its verification page on the public site.

Kazakh and Russian letters need a Unicode TrueType font, and fpdf2 bundles none: the
documents are set in DejaVu Sans (Debian's `fonts-dejavu-core`), read from
`PORTAL_DOCUMENT_FONTS`. Without it :class:`FontMissing` is raised, and the routes answer a
503 page that says so."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contest_contracts.common import Language
from contest_portal import formats

# fpdf2 subsets the font with fontTools, which logs each table it prunes at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
"""The font files the documents need, in the fonts folder."""
FAMILY = "DejaVu"

Words = Callable[[str], str]
"""A message in the document's language (the catalog's ``gettext``)."""


def N_(message: str) -> str:
    """Marks a message for the catalogs; ``words`` translates it where it is used."""
    return message


class FontMissing(RuntimeError):
    """The Unicode font the documents are set in is not on this machine."""


def fonts_present(folder: Path) -> bool:
    """Whether the documents can be made: both font files are in ``folder``."""
    return all((folder / name).is_file() for name in (REGULAR, BOLD))


def _document(folder: Path, language: Language, title: str) -> FPDF:
    if not fonts_present(folder):
        raise FontMissing(str(folder))
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.add_font(FAMILY, "", str(folder / REGULAR))
    pdf.add_font(FAMILY, "B", str(folder / BOLD))
    pdf.set_lang(language.value)
    pdf.set_title(title)
    pdf.set_creator("contest-portal")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_page()
    return pdf


def _line(pdf: FPDF, text: str, size: float, *, bold: bool = False, align: str = "L") -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


@dataclass(frozen=True)
class ProtocolLine:
    """One line of the protocol's ranking."""

    rank: int
    title: str
    score: float
    sheets: int


@dataclass(frozen=True)
class Signatory:
    """A member of the commission, with their part in it (in the document's language)."""

    name: str
    part: str


def protocol_pdf(
    fonts: Path,
    language: Language,
    words: Words,
    *,
    contest: str,
    stage: str,
    nomination: str,
    region: str | None,
    closed_at: datetime | None,
    members: Sequence[Signatory],
    ranking: Sequence[ProtocolLine],
) -> bytes:
    """The commission's protocol of a stage close in ``language``: what was judged, when the
    stage closed, the members, the ranking, and a line for each member's signature."""
    heading = words(N_("Protocol of the commission"))
    pdf = _document(fonts, language, f"{heading}: {contest}")
    _line(pdf, heading, 16, bold=True, align="C")
    _line(pdf, contest, 12, align="C")
    pdf.ln(4)
    facts = [
        (words(N_("Stage")), stage),
        (words(N_("Nomination")), nomination),
        *([(words(N_("Region")), region)] if region else []),
        (
            words(N_("Stage closed")),
            formats.local_datetime(closed_at, language) if closed_at else "—",
        ),
    ]
    for name, value in facts:
        _line(pdf, f"{name}: {value}", 11)
    pdf.ln(3)
    _line(pdf, words(N_("Members of the commission")), 12, bold=True)
    pdf.set_font(FAMILY, "", 10)
    with pdf.table(col_widths=(2, 1), text_align="LEFT", line_height=6) as table:
        head = table.row()
        head.cell(words(N_("Name")))
        head.cell(words(N_("Part in the commission")))
        for member in members:
            row = table.row()
            row.cell(member.name)
            row.cell(member.part)
    pdf.ln(4)
    _line(pdf, words(N_("Ranking")), 12, bold=True)
    pdf.set_font(FAMILY, "", 10)
    with pdf.table(
        col_widths=(1, 6, 2, 2), text_align=("RIGHT", "LEFT", "RIGHT", "RIGHT"), line_height=6
    ) as table:
        head = table.row()
        for text in (
            words(N_("Rank")),
            words(N_("Title")),
            words(N_("Score")),
            words(N_("Sheets")),
        ):
            head.cell(text)
        for line in ranking:
            row = table.row()
            row.cell(str(line.rank))
            row.cell(line.title)
            row.cell(formats.score(line.score, language))
            row.cell(str(line.sheets))
    pdf.ln(8)
    _line(pdf, words(N_("Signatures")), 12, bold=True)
    for member in members:
        _line(pdf, f"{member.part}: {member.name}  ______________________", 10)
        pdf.ln(2)
    return bytes(pdf.output())


def diploma_pdf(
    fonts: Path,
    language: Language,
    words: Words,
    *,
    contest: str,
    award: str,
    nomination: str,
    winner: str,
    title: str,
    published_at: datetime,
    verify_url: str,
) -> bytes:
    """A winner's diploma in ``language`` (their own): the contest, the award, who won it
    for what, the date, and a QR code of ``verify_url``, the public page that confirms it."""
    heading = words(N_("Diploma"))
    pdf = _document(fonts, language, f"{heading}: {winner}")
    pdf.ln(20)
    _line(pdf, heading.upper(), 30, bold=True, align="C")
    pdf.ln(6)
    _line(pdf, contest, 14, align="C")
    pdf.ln(10)
    _line(pdf, words(N_("is awarded to")), 12, align="C")
    pdf.ln(2)
    _line(pdf, winner, 20, bold=True, align="C")
    pdf.ln(4)
    _line(pdf, f"«{title}»", 13, align="C")
    pdf.ln(8)
    _line(pdf, award, 16, bold=True, align="C")
    _line(pdf, f"{words(N_('Nomination'))}: {nomination}", 12, align="C")
    pdf.ln(10)
    _line(pdf, formats.local_date(published_at, language), 11, align="C")
    code = io.BytesIO()
    segno.make(verify_url, error="m").save(code, kind="png", scale=6, border=2)
    code.seek(0)
    size = 36
    pdf.image(code, x=(pdf.w - size) / 2, y=pdf.h - 18 - size - 14, w=size, h=size)
    pdf.set_y(pdf.h - 18 - 12)
    _line(pdf, words(N_("Check this diploma:")), 8, align="C")
    _line(pdf, verify_url, 8, align="C")
    return bytes(pdf.output())
