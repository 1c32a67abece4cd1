"""The plan's annex as provinces publish it: one row per task, in `.xlsx`, both ways.

Columns: Mã | Nội dung | Lĩnh vực | Cơ quan chủ trì | Cơ quan phối hợp | Sản phẩm | Thời hạn |
Căn cứ | Phụ thuộc. A code without a dot ("1", "II") is a key task; "1.2" is a task under key
task "1". The deadline is written as officials write it: "31/03/2019", "Tháng 6", "Quý II",
"Cả năm". Co-agencies and dependencies are separated by ";".

Import is all or nothing: every row is checked first, and the errors (row number and a
Vietnamese message) come back without touching the plan.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font

from cchc.core.audit import log_action
from cchc.core.exports import workbook_bytes
from cchc.core.text import fold
from cchc.organizations.models import Agency

from .constants import DeadlineKind, PlanStatus
from .models import Plan, PlanTask, ReformArea
from .services import PlanError, compute_due

HEADERS = [
    "Mã",
    "Nội dung",
    "Lĩnh vực",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Sản phẩm",
    "Thời hạn",
    "Căn cứ",
    "Phụ thuộc",
]
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}


def deadline_text(task: PlanTask) -> str:
    return task.deadline_text


def parse_deadline(text: str) -> tuple[str, int | None, dt.date | None]:
    """(kind, month or quarter, date) from the written deadline; ValueError when unreadable."""
    value = " ".join(str(text or "").split())
    folded = fold(value)
    if not folded or folded in ("ca nam", "trong nam", "thuong xuyen"):
        return DeadlineKind.YEAR, None, None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value):
        day, month, year = (int(x) for x in m.groups())
        return DeadlineKind.DATE, None, dt.date(year, month, day)
    if m := re.fullmatch(r"thang (\d{1,2})(/\d{4})?", folded):
        return DeadlineKind.MONTH, int(m.group(1)), None
    if m := re.fullmatch(r"quy ([1-4]|i{1,3}|iv)(/\d{4})?", folded):
        raw = m.group(1).upper()
        return DeadlineKind.QUARTER, ROMAN.get(raw) or int(raw), None
    if re.fullmatch(r"nam \d{4}", folded):
        return DeadlineKind.YEAR, None, None
    raise ValueError(f"không đọc được thời hạn “{value}”")


def export_plan(plan: Plan) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append([plan.title])
    ws["A1"].font = Font(bold=True, size=13)
    decision = plan.decision_number
    if plan.decision_date:
        decision += f" ngày {plan.decision_date:%d/%m/%Y}"
    ws.append([f"{plan.issuing_agency.name} — {decision}".strip(" —")])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    tasks = plan.tasks.select_related("area", "lead_agency", "parent").prefetch_related(
        "co_agencies", "depends_on"
    )
    tasks = list(tasks)
    children: dict[int, list[PlanTask]] = {}
    for t in tasks:
        if t.parent_id:
            children.setdefault(t.parent_id, []).append(t)
    ordered = [x for k in tasks if k.parent_id is None for x in (k, *children.get(k.pk, []))]
    for t in ordered:
        ws.append(
            [
                t.code,
                t.content,
                t.area.name if t.area else "",
                t.lead_agency.name if t.lead_agency else "",
                "; ".join(a.name for a in t.co_agencies.all()),
                t.output,
                t.deadline_text,
                t.source,
                "; ".join(d.code for d in t.depends_on.all()),
            ]
        )
        if t.parent_id is None:
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHI", (8, 70, 30, 30, 40, 30, 14, 30, 12), strict=True):
        ws.column_dimensions[column].width = width
    return workbook_bytes(wb)


@dataclass
class ImportResult:
    created: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _header_row(rows: list[tuple[Any, ...]]) -> int:
    for i, row in enumerate(rows[:10]):
        if row and fold(str(row[0] or "")) in ("ma", "stt", "ma nhiem vu"):
            return i
    raise PlanError("bad_layout", _("Không tìm thấy dòng tiêu đề (cột đầu tiên “Mã”)."))


def import_plan(plan: Plan, content: bytes, *, actor: Any) -> ImportResult:
    """Replace the draft plan's tasks by the file's, or return the errors and change nothing."""
    if plan.status != PlanStatus.DRAFT:
        raise PlanError("not_draft", _("Chỉ nhập nhiệm vụ vào kế hoạch đang ở dạng dự thảo."))
    try:
        rows = list(
            load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
        )
    except Exception as exc:  # openpyxl raises many kinds on a file that is not xlsx
        raise PlanError("bad_file", _("Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")) from exc
    start = _header_row(rows) + 1
    agencies = {fold(a.name): a for a in Agency.objects.all()}
    areas = {fold(a.name): a for a in ReformArea.objects.all()} | {
        fold(a.code): a for a in ReformArea.objects.all()
    }
    result = ImportResult()
    parsed: list[tuple[int, PlanTask, list[Agency], list[str]]] = []
    codes: set[str] = set()
    for number, row in enumerate(rows[start:], start=start + 1):
        cells = [str(c).strip() if c is not None else "" for c in (list(row) + [None] * 9)[:9]]
        code, content, area, lead, co, output, deadline, source, deps = cells
        if not any(cells):
            continue

        def error(column: str, message: str, number: int = number) -> None:
            result.errors.append({"row": number, "column": column, "message": message})

        if not code or not content:
            error("Mã", "Mỗi dòng cần mã và nội dung nhiệm vụ.")
            continue
        if code in codes:
            error("Mã", f"Mã “{code}” lặp lại.")
        codes.add(code)
        task = PlanTask(plan=plan, code=code, content=content, output=output, source=source)
        if area:
            task.area = areas.get(fold(area))
            if task.area is None:
                error("Lĩnh vực", f"Không có lĩnh vực “{area}”.")
        if lead:
            task.lead_agency = agencies.get(fold(lead))
            if task.lead_agency is None:
                error("Cơ quan chủ trì", f"Không có cơ quan “{lead}”.")
        partners = []
        for name in filter(None, (n.strip() for n in co.split(";"))):
            if fold(name) in agencies:
                partners.append(agencies[fold(name)])
            else:
                error("Cơ quan phối hợp", f"Không có cơ quan “{name}”.")
        try:
            task.deadline_kind, task.deadline_number, task.deadline_date = parse_deadline(deadline)
            task.due_date = compute_due(task)
        except (ValueError, PlanError) as exc:
            error("Thời hạn", str(getattr(exc, "message", exc)).capitalize())
        parsed.append((number, task, partners, [d.strip() for d in deps.split(";") if d.strip()]))
    for number, task, _partners, deps in parsed:
        parent = task.code.rpartition(".")[0]
        if "." in parent:
            result.errors.append(
                {
                    "row": number,
                    "column": "Mã",
                    "message": "Nhiệm vụ cụ thể chỉ nằm dưới một nhiệm vụ trọng tâm (mã dạng 1.2).",
                }
            )
        elif parent and parent not in codes:
            result.errors.append(
                {
                    "row": number,
                    "column": "Mã",
                    "message": f"Chưa có nhiệm vụ trọng tâm “{parent}”.",
                }
            )
        for dep in deps:
            if dep not in codes:
                result.errors.append(
                    {"row": number, "column": "Phụ thuộc", "message": f"Không có nhiệm vụ “{dep}”."}
                )
    if not parsed and not result.errors:
        result.errors.append(
            {"row": start, "column": "Mã", "message": "Tệp không có nhiệm vụ nào."}
        )
    if result.errors:
        return result
    with transaction.atomic():
        plan.tasks.all().delete()
        saved: dict[str, PlanTask] = {}
        for order, (_n, task, partners, _deps) in enumerate(parsed, start=1):
            parent = task.code.rpartition(".")[0]
            task.parent = saved.get(parent) if parent else None
            task.order = order
            task.save()
            task.co_agencies.set(partners)
            saved[task.code] = task
        for _n, task, _partners, deps in parsed:
            if deps:
                task.depends_on.set([saved[d] for d in deps])
        log_action(plan, "plan.import", actor=actor, after={"tasks": len(parsed)})
    result.created = len(parsed)
    return result
