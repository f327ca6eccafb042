"""Tables as files people open in a spreadsheet: CSV (one table) and XLSX (a workbook of
tables, one a sheet). The one way the portal writes either: every text cell is guarded
against being taken for a formula, numbers are written as numbers. Pure: no I/O, no
language of its own."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

Cell = str | int | float | None
"""What a cell holds: text, a number, or nothing."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet takes for the start of a formula (OWASP "CSV injection")."""

BYTE_ORDER_MARK = "\ufeff"
"""Written first, so that Excel reads the file as UTF-8 (Cyrillic and Kazakh letters)."""

SHEET_NAME_MOST = 31
"""Excel's longest sheet name."""


def spreadsheet_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it and never runs it: text that a spreadsheet
    would take for a formula is prefixed with an apostrophe."""
    # Leading spaces are skipped by some spreadsheets before they read a formula.
    return f"'{value}" if value.lstrip(" \n").startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Table:
    """One table: its name (the XLSX sheet's), its headings and its rows."""

    name: str
    headings: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)


def _csv_text(cell: Cell) -> str:
    """A cell as CSV text: numbers plainly (floats with two decimals), text guarded."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:.2f}"
    if isinstance(cell, int):
        return str(cell)
    return spreadsheet_cell(cell)


def csv_file(table: Table) -> bytes:
    """``table`` as CSV (RFC 4180, comma-separated, CRLF, UTF-8 with a byte order mark):
    its headings, then its rows."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_csv_text(heading) for heading in table.headings])
    for row in table.rows:
        writer.writerow([_csv_text(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _xlsx_value(cell: Cell) -> Cell:
    # openpyxl stores a text starting with "=" as a formula: guarded like the CSV's.
    return spreadsheet_cell(cell) if isinstance(cell, str) else cell


def sheet_name(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (no ``[]:*?/\\``, at most 31 characters), unique among
    ``taken`` (case-insensitively, as Excel compares them)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip(" '") or "-"
    candidate, number = base[:SHEET_NAME_MOST], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: SHEET_NAME_MOST - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def xlsx_file(tables: Sequence[Table]) -> bytes:
    """``tables`` as an XLSX workbook, one sheet each in order: headings in bold and kept
    in view, columns wide enough for their longest text (up to a point)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables or [Table("-", [])]:
        sheet = workbook.create_sheet(sheet_name(table.name, taken))
        sheet.append([_xlsx_value(heading) for heading in table.headings])
        for cell in sheet[1]:
            cell.font = cell.font.copy(bold=True)
        for row in table.rows:
            sheet.append([_xlsx_value(cell) for cell in row])
        sheet.freeze_panes = "A2"
        for index, heading in enumerate(table.headings, start=1):
            longest = max(
                [len(str(heading))] + [len(str(row[index - 1] or "")) for row in table.rows]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
