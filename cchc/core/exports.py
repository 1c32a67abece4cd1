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


CM = 1 / 2.54  # openpyxl's margins are in inches


def print_setup(ws: Any) -> None:
    """How a sheet prints, unless its writer chose otherwise: A4, landscape when wider than
    eight columns, every column on one page's width, Decree 30/2020's margins, the rows
    above the frozen pane (the table's header) repeated on every page, "Trang n/m" below."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if not ws.page_setup.orientation:
        ws.page_setup.orientation = "landscape" if ws.max_column > 8 else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.page_margins.left, ws.page_margins.right = 3 * CM, 1.5 * CM
    ws.page_margins.top = ws.page_margins.bottom = 2 * CM
    ws.page_margins.header = ws.page_margins.footer = 0.8 * CM
    frozen = ws.freeze_panes
    if frozen and not ws.print_title_rows:
        header_end = ws[frozen].row - 1
        if header_end >= 1:
            ws.print_title_rows = f"1:{header_end}"
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.size = 9


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx file ready to print (`print_setup`), every cell that openpyxl
    took for a formula (a value beginning with "=") written back as plain text. cchc's
    exports use no formulas."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
        print_setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_text(value: Any) -> Any:
    """A CSV cell: text that a spreadsheet would read as a formula gets a leading apostrophe
    (shown by no spreadsheet, read as "this is text"); numbers pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
