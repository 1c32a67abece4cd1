"""What every exported file shares: user text is written as text, never as a formula.

An applicant named `=HYPERLINK("http://…","Bấm vào đây")` must stay a name in the dossier
register an official opens in Excel or LibreOffice (CSV/formula injection, OWASP).
"""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

# What a spreadsheet takes as the start of a formula when it reads text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file, every cell that openpyxl took for a formula (a value
    beginning with "=") written back as plain text. cchc's exports use no formulas."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe
    (shown by no spreadsheet, read as "this is text"); numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
