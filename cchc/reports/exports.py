"""The settlement report as the files officials file: .xlsx (merged headers, totals), .docx
(national heading) and PDF."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cchc.core.exports import workbook_bytes
from cchc.dossiers.pdf import html_to_pdf

from .stats import COLUMNS, GROUPS, Report, Row

# (header, first column key, span) — the two-row header of the official layout
HEADER_GROUPS = [
    ("Số hồ sơ nhận giải quyết", 0, 5),
    ("Số hồ sơ đã giải quyết", 5, 4),
    ("Từ chối", 9, 1),
    ("Rút, dừng", 10, 1),
    ("Số hồ sơ đang giải quyết", 11, 4),
]
TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _values(row: Row) -> list[object]:
    rate = row.on_time_rate
    return [row.cells[name] for name, _ in COLUMNS] + [float(rate) if rate is not None else None]


def cut_off(report: Report) -> str:
    """The moment the figures stand at, as filed documents state it."""
    if report.as_of is not None:
        moment = timezone.localtime(report.as_of)
        return f"Số liệu tổng hợp đến {moment:%H:%M} ngày {moment:%d/%m/%Y}"
    moment = timezone.localtime()
    return f"Số liệu tính từ hồ sơ lúc {moment:%H:%M} ngày {moment:%d/%m/%Y}"


def report_xlsx(report: Report, issuer: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Bao cao"
    width = len(COLUMNS) + 3
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([issuer])
    # the national heading on the right of the issuer, as on every filed report
    nation = ws.cell(1, width - 7, f"{NATION}\n{MOTTO}")
    ws.merge_cells(start_row=1, start_column=width - 7, end_row=1, end_column=width)
    nation.font = Font(bold=True)
    nation.alignment = Alignment(horizontal="center", wrap_text=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    ws["A1"].font = Font(bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
    ws.row_dimensions[1].height = 32
    ws.append([TITLE])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws["A2"].font = Font(bold=True, size=13)
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([f"Kỳ báo cáo: {report.period.label} ({cut_off(report)})"])
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    ws["A3"].alignment = Alignment(horizontal="center")
    top, sub = 5, 6
    ws.cell(top, 1, "STT")
    ws.cell(top, 2, str(GROUPS[report.group][2]))
    ws.merge_cells(start_row=top, start_column=1, end_row=sub, end_column=1)
    ws.merge_cells(start_row=top, start_column=2, end_row=sub, end_column=2)
    for header, first, span in HEADER_GROUPS:
        ws.cell(top, 3 + first, header)
        if span > 1:
            ws.merge_cells(
                start_row=top, start_column=3 + first, end_row=top, end_column=2 + first + span
            )
    for index, (_name, label) in enumerate(COLUMNS):
        ws.cell(sub, 3 + index, str(label))
    ws.cell(top, width, "Tỷ lệ đúng hạn (%)")
    ws.merge_cells(start_row=top, start_column=width, end_row=sub, end_column=width)
    for row in ws.iter_rows(min_row=top, max_row=sub, max_col=width):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
            cell.border = box
    for number, row in enumerate(report.rows, start=1):
        ws.append([number, row.name, *_values(row)])
    ws.append(["", report.total.name, *_values(report.total)])
    last = ws.max_row
    for cell in ws[last]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=sub + 1, max_row=last, max_col=width):
        for cell in row:
            cell.border = box
    # wrapped headers need their height: spreadsheets do not grow merged rows by themselves
    ws.row_dimensions[top].height = 32
    ws.row_dimensions[sub].height = 48
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 36
    for column in range(3, width + 1):
        ws.column_dimensions[get_column_letter(column)].width = 12
    ws.freeze_panes = ws.cell(sub + 1, 3)
    ws.print_title_rows = f"{top}:{sub}"  # the two header rows on every printed page
    return workbook_bytes(wb)


def _page_numbers(section: Any) -> None:
    """The page number at the top centre, from the second page on (Decree 30/2020)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    paragraph._p.append(field)


def repeat_header(row: Any) -> None:
    """Repeat this table row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def official_docx(issuer: str, parent: str, place: str, title: str, *, landscape: bool) -> Any:
    """A Word document with the national heading, the place and date line and the title —
    the frame of every report the province files (Decree 30/2020 layout, simplified)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    # A4 (python-docx's blank document is US Letter); Decree 30/2020's margins: top and
    # bottom 2 cm, left 3 cm, right 1.5 cm
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    _page_numbers(section)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11 if landscape else 13)
    heading = doc.add_table(rows=1, cols=2)
    heading.autofit = False
    left, right = heading.rows[0].cells
    left.text = f"{parent.upper()}\n{issuer.upper()}".strip()
    right.text = f"{NATION}\n{MOTTO}"
    # the national heading stays on one line: a wide right column, 12 pt
    for index, (cell, width) in enumerate(((left, Cm(6.5)), (right, Cm(10.5)))):
        heading.columns[index].width = width  # LibreOffice reads the grid, Word the cells
        cell.width = width
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.bold = True
                run.font.size = Pt(12)
    today = timezone.localdate()
    place_line = doc.add_paragraph(f"{place}, ngày {today:%d} tháng {today:%m} năm {today:%Y}")
    place_line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading_title = doc.add_paragraph()
    heading_title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading_title.add_run(title).bold = True
    return doc


def report_docx(report: Report, issuer: str, parent: str, place: str) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = official_docx(issuer, parent, place, TITLE, landscape=True)
    period = doc.add_paragraph(f"Kỳ báo cáo: {report.period.label} ({cut_off(report)})")
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    labels = [
        str(GROUPS[report.group][2]),
        *[str(label) for _, label in COLUMNS],
        "Tỷ lệ đúng hạn (%)",
    ]
    table = doc.add_table(rows=1, cols=len(labels))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    for cell, label in zip(table.rows[0].cells, labels, strict=True):
        cell.text = label
        for run in cell.paragraphs[0].runs:
            run.bold = True
            run.font.size = Pt(8)
    for row in [*report.rows, report.total]:
        values = [row.name, *[str(row.cells[name]) for name, _ in COLUMNS]]
        rate = row.on_time_rate
        values.append(f"{rate}".replace(".", ",") if rate is not None else "—")
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(8)
                run.bold = row is report.total
    doc.add_paragraph()
    signature = doc.add_paragraph("THỦ TRƯỞNG CƠ QUAN\n(Ký, ghi rõ họ tên và đóng dấu)")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def report_pdf(report: Report, issuer: str, parent: str, place: str) -> bytes:

    today = timezone.localdate()
    html = render_to_string(
        "reports/settlement_pdf.html",
        {
            "report": report,
            "cut_off": cut_off(report),
            "columns": COLUMNS,
            "group_label": GROUPS[report.group][2],
            "title": TITLE,
            "d": {
                "issuer": issuer,
                "issuer_parent": parent,
                "place": place,
                "day": f"{today:%d}",
                "month": f"{today:%m}",
                "year": f"{today:%Y}",
            },
            "page_size": "A4 landscape",
        },
    )
    return html_to_pdf(html)
