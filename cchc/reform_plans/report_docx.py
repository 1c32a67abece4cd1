"""The periodic administrative-reform report as `.docx`, for the office to finish and file:
national heading; results by reform area (key tasks and their tasks, with the lead agency's
report and the co-agencies' parts); the targets table with live values; tasks not done and why."""

from __future__ import annotations

import io

from cchc.core.formatting import number as figure
from cchc.reports.exports import official_docx, repeat_header

from . import portfolio as pf
from .models import ReportingPeriod


def period_report(period: ReportingPeriod) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    plan = period.plan
    issuer = plan.issuing_agency.name
    place = plan.province.name.replace("Tỉnh ", "").replace("Thành phố ", "")
    doc = official_docx(
        issuer,
        "",
        place,
        f"BÁO CÁO\nCông tác cải cách hành chính {period.title}",
        landscape=False,
    )
    doc.add_paragraph(
        f"Thực hiện {plan.title}"
        + (f" (Quyết định số {plan.decision_number})" if plan.decision_number else "")
        + f", {issuer} báo cáo kết quả {period.title} như sau:"
    )
    board = pf.build(period)
    by_task = {row.task.pk: row for row in board.tasks}
    contributions: dict[int, list[str]] = {}
    for c in period.contributions.select_related("agency"):
        contributions.setdefault(c.task_id, []).append(f"{c.agency.name}: {c.narrative}")

    doc.add_heading("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", level=2)
    keys = [row.task for row in board.tasks if row.task.parent_id is None]
    areas = [*plan.areas.all(), None]
    number = 0
    for area in areas:
        in_area = [k for k in keys if (k.area_id == (area.pk if area else None))]
        if not in_area:
            continue
        number += 1
        doc.add_heading(f"{number}. {area.name if area else 'Nhiệm vụ khác'}", level=3)
        for key in in_area:
            doc.add_paragraph(f"{key.code}. {key.content}").runs[0].bold = True
            for task in [key, *[r.task for r in board.tasks if r.task.parent_id == key.pk]]:
                row = by_task[task.pk]
                lead = task.lead_agency.name if task.lead_agency else "—"
                prefix = "" if task is key else f"{task.code}. {task.content} — "
                if row.report is None:
                    text = f"{prefix}{lead}: chưa báo cáo."
                else:
                    text = (
                        f"{prefix}{lead}: {row.report.get_progress_display().lower()}, "
                        f"{row.report.percent}%. {row.report.narrative}"
                    )
                doc.add_paragraph(text, style="List Bullet")
                for part in contributions.get(task.pk, []):
                    doc.add_paragraph(f"Phối hợp — {part}", style="List Bullet 2")

    doc.add_heading("II. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", level=2)
    changes = pf.target_changes(period)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    repeat_header(table.rows[0])
    for cell, label in zip(
        table.rows[0].cells,
        ["Chỉ tiêu", "Mục tiêu", "Thực hiện", "Kỳ trước", "Đánh giá"],
        strict=True,
    ):
        cell.text = label
        cell.paragraphs[0].runs[0].bold = True
    verdict = {"green": "Đạt", "amber": "Gần đạt", "red": "Chưa đạt", "no_data": "Chưa có số liệu"}
    for row in changes:
        t = row["target"]
        cells = table.add_row().cells
        values = [
            t.name,
            f"{figure(t.target_value)}{t.unit}",
            f"{figure(row['value'])}{t.unit}" if row["value"] is not None else "Chưa có số liệu",
            f"{figure(row['previous'])}{t.unit}" if row["previous"] is not None else "—",
            verdict[row["light"]],
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value

    doc.add_heading("III. NHIỆM VỤ CHƯA HOÀN THÀNH, NGUYÊN NHÂN", level=2)
    late = [row for row in board.tasks if row.light in ("red", "amber")]
    if not late:
        doc.add_paragraph("Không có nhiệm vụ chậm tiến độ.")
    for row in late:
        lead = row.task.lead_agency.name if row.task.lead_agency else "—"
        why = (row.report.reason if row.report and row.report.reason else "") or row.why
        doc.add_paragraph(
            f"{row.task.code}. {row.task.content} ({lead}): {why}", style="List Bullet"
        )
    doc.add_heading("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", level=2)
    doc.add_paragraph("(Cơ quan thường trực bổ sung trước khi trình ký.)")
    signer = "TM. ỦY BAN NHÂN DÂN" if plan.is_province_plan else "THỦ TRƯỞNG CƠ QUAN"
    signature = doc.add_paragraph(f"{signer}\n(Ký, ghi rõ họ tên và đóng dấu)")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
