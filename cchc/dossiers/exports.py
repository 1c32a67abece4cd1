"""The dossier register (Sổ theo dõi hồ sơ, form 06/07) as a spreadsheet."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc.core.exports import workbook_bytes

from .models import Dossier

REGISTER_COLUMNS = [
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Số vào sổ", 9),
    ("Tên thủ tục hành chính", 40),
    ("Số lượng hồ sơ (bộ)", 10),
    ("Tên cá nhân, tổ chức", 26),
    ("Địa chỉ, số điện thoại", 30),
    ("Cơ quan chủ trì giải quyết", 28),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Trả kết quả cho cá nhân, tổ chức", 17),
    ("Ghi chú", 24),
]


def _moment(value) -> str:  # type: ignore[no-untyped-def]
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def register_rows(dossiers: QuerySet[Dossier]) -> list[list[object]]:
    rows: list[list[object]] = []
    qs = dossiers.select_related(
        "procedure_version", "competent_agency", "applicant_area"
    ).prefetch_related("handovers")
    for number, d in enumerate(qs, start=1):
        handovers = list(d.handovers.all())
        first = handovers[0].at if handovers else None
        rows.append(
            [
                number,
                d.code,
                d.register_number,
                d.procedure_version.name,
                d.sets,
                d.applicant_name,
                ", ".join(filter(None, [d.address, d.applicant_area.name, d.phone])),
                d.competent_agency.name,
                _moment(d.received_at),
                _moment(d.due_at),
                _moment(first),
                _moment(d.result_ready_at),
                _moment(d.returned_at),
                d.get_status_display()
                + (f" — {d.get_timeliness_display()}" if d.timeliness else ""),
            ]
        )
    return rows


def register_xlsx(dossiers: QuerySet[Dossier], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi"
    ws.append(["SỔ THEO DÕI HỒ SƠ"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([title])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(REGISTER_COLUMNS))
    ws["A2"].alignment = Alignment(horizontal="center")
    ws.append([name for name, _w in REGISTER_COLUMNS])
    for index, (_name, width) in enumerate(REGISTER_COLUMNS, start=1):
        cell = ws.cell(row=3, column=index)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    for row in register_rows(dossiers):
        ws.append(row)
    for row in ws.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    return workbook_bytes(wb)
