"""The announced results as files: the ranking in `.xlsx` and the draft decision announcing
the index in `.docx` (national heading, the ranking table by band)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cchc.core.exports import workbook_bytes
from cchc.reports.exports import official_docx, repeat_header

from . import services as s
from .models import Framework


def _header(framework: Framework) -> list[str]:
    fields, _rows = s.results(framework)
    return [
        "Hạng",
        "Cơ quan",
        *[f"{f.code}. {f.name} (tối đa {f.max_score:g})" for f in fields],
        "Tổng điểm",
        "Chỉ số (%)",
        "Xếp loại",
        f"Chỉ số năm {framework.year - 1} (%)",
        "Tăng, giảm (điểm %)",
    ]


def results_xlsx(framework: Framework) -> bytes:
    _fields, rows = s.results(framework)
    wb = Workbook()
    ws = wb.active
    ws.title = f"Chỉ số CCHC {framework.year}"
    ws.append([f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {framework.year}".upper()])
    ws.append([f"{framework.title} — {framework.get_agency_kind_display()}"])
    header = _header(framework)
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=13)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"].alignment = Alignment(horizontal="center")
    for r in rows:
        a = r.assessment
        ws.append(
            [
                a.rank,
                a.agency.name,
                *[float(v) if v is not None else None for v in r.fields],
                float(a.final_total) if a.final_total is not None else None,
                float(a.percent) if a.percent is not None else None,
                f"{a.band} — {s.band_name(framework, a.band)}" if a.band else "",
                float(r.previous) if r.previous is not None else None,
                float(r.change) if r.change is not None else None,
            ]
        )
    ws.column_dimensions["A"].width = 7
    ws.column_dimensions["B"].width = 45
    for column in range(3, len(header) + 1):
        ws.column_dimensions[get_column_letter(column)].width = 14
    ws.freeze_panes = "C4"
    return workbook_bytes(wb)


def announcement_docx(framework: Framework) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _fields, rows = s.results(framework)
    province = framework.province.name
    place = province.removeprefix("Tỉnh ").removeprefix("tỉnh ")
    doc = official_docx(
        f"ỦY BAN NHÂN DÂN\n{province}",
        "",
        place,
        "QUYẾT ĐỊNH\nCông bố Chỉ số cải cách hành chính năm "
        f"{framework.year} của các {framework.get_agency_kind_display()}",
        landscape=False,
    )
    doc.add_paragraph(
        f"Căn cứ {framework.decision_number or 'Bộ Chỉ số cải cách hành chính của tỉnh'}; "
        "theo đề nghị của Hội đồng thẩm định Chỉ số cải cách hành chính."
    )
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("QUYẾT ĐỊNH:").bold = True
    doc.add_paragraph(
        f"Điều 1. Công bố Chỉ số cải cách hành chính năm {framework.year} của "
        f"{len(rows)} {framework.get_agency_kind_display()} (chi tiết tại Phụ lục kèm theo)."
    )
    for _minimum, code, *rest in framework.bands:
        members = [r.assessment.agency.name for r in rows if r.assessment.band == code]
        if members:
            doc.add_paragraph(
                f"Xếp loại {code} ({rest[0] if rest else code}): {len(members)} cơ quan — "
                + "; ".join(members)
                + "."
            )
    doc.add_paragraph(
        "Điều 2. Các cơ quan căn cứ kết quả được công bố, khắc phục những tồn tại, hạn chế "
        "trong công tác cải cách hành chính năm tiếp theo."
    )
    doc.add_paragraph("Điều 3. Quyết định này có hiệu lực kể từ ngày ký.")
    appendix = doc.add_paragraph()
    appendix.alignment = WD_ALIGN_PARAGRAPH.CENTER
    appendix.add_run(
        f"PHỤ LỤC: KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {framework.year}"
    ).bold = True
    header = ["Hạng", "Cơ quan", "Tổng điểm", "Chỉ số (%)", "Xếp loại", "So với năm trước"]
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r in rows:
        a = r.assessment
        cells = table.add_row().cells
        values = [
            str(a.rank or ""),
            a.agency.name,
            f"{a.final_total:.2f}".replace(".", ",") if a.final_total is not None else "",
            f"{a.percent:.2f}".replace(".", ",") if a.percent is not None else "",
            a.band,
            (f"{r.change:+.2f}".replace(".", ",") if r.change is not None else "—"),
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    signature = doc.add_paragraph("\nTM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
