"""The traffic-light portfolio of a reporting period, by area and by agency, with what changed
since the previous period of the same kind (issue 6).

A task's light at the end of the period, from its current report:
- **done** (blue): done on time or late; **cancelled** (grey) with its reason;
- **off track** (red): reported overdue; or due by the end of the period and not done; or no
  report once the filing deadline has passed ("missing report");
- **at risk** (amber): in progress or not started with a share done more than 20 points below
  the share of its time already elapsed;
- **on track** (green): otherwise; **not reported** (grey) before the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.reports import periods

from .constants import ReportStatus, TaskProgress
from .models import PlanTask, ProgressReport, ReportingPeriod
from .services import target_results

LIGHTS = {
    "done": _("Đã hoàn thành"),
    "green": _("Đúng tiến độ"),
    "amber": _("Có nguy cơ chậm"),
    "red": _("Chậm, quá hạn"),
    "cancelled": _("Không thực hiện"),
    "none": _("Chưa báo cáo"),
}
WORSE = {"done": 0, "cancelled": 0, "green": 1, "none": 2, "amber": 3, "red": 4}


@dataclass
class TaskLight:
    task: PlanTask
    report: ProgressReport | None
    light: str
    why: str


@dataclass
class Portfolio:
    period: ReportingPeriod
    tasks: list[TaskLight]
    by_area: dict[str, Counter[str]] = field(default_factory=dict)
    by_agency: dict[str, Counter[str]] = field(default_factory=dict)
    slipped: list[tuple[TaskLight, str]] = field(default_factory=list)
    previous: ReportingPeriod | None = None


def _elapsed_share(task: PlanTask, period: ReportingPeriod) -> int:
    start = dt.date(task.plan.year, 1, 1)
    due = task.due_date or dt.date(task.plan.year, 12, 31)
    if due <= start:
        return 100
    return max(0, min(100, round(100 * (period.end - start).days / (due - start).days)))


def light_of(
    task: PlanTask, report: ProgressReport | None, period: ReportingPeriod, today: dt.date
) -> tuple[str, str]:
    if report is not None and report.progress in (
        TaskProgress.DONE_ON_TIME,
        TaskProgress.DONE_LATE,
    ):
        return "done", report.get_progress_display()
    if report is not None and report.progress == TaskProgress.CANCELLED:
        return "cancelled", report.reason
    if report is not None and report.progress == TaskProgress.OVERDUE:
        return "red", report.reason or report.get_progress_display()
    if task.due_date and task.due_date <= period.end and report is not None:
        return "red", f"Hạn {task.due_date:%d/%m/%Y}, mới đạt {report.percent}%"
    if report is None:
        if today > period.deadline:
            return "red", f"Chưa gửi báo cáo (hạn {period.deadline:%d/%m/%Y})"
        return "none", ""
    expected = _elapsed_share(task, period)
    if report.percent < expected - 20:
        return "amber", f"Đạt {report.percent}%, thời gian đã qua {expected}%"
    return "green", f"Đạt {report.percent}%"


def _reports(period: ReportingPeriod) -> dict[int, ProgressReport]:
    latest: dict[int, ProgressReport] = {}
    rows = period.reports.exclude(status=ReportStatus.SUPERSEDED).order_by("task_id", "-version")
    for rep in rows:
        latest.setdefault(rep.task_id, rep)
    return latest


def _previous(period: ReportingPeriod) -> ReportingPeriod | None:
    return (
        ReportingPeriod.objects.filter(plan=period.plan, kind=period.kind, end__lt=period.end)
        .order_by("-end")
        .first()
    )


def build(period: ReportingPeriod, today: dt.date | None = None) -> Portfolio:
    today = today or timezone.localdate()
    tasks = list(period.plan.tasks.select_related("area", "lead_agency", "plan"))
    reports = _reports(period)
    rows = [
        TaskLight(t, reports.get(t.pk), *light_of(t, reports.get(t.pk), period, today))
        for t in tasks
    ]
    result = Portfolio(period, rows)
    for row in rows:
        area = row.task.area.name if row.task.area else "—"
        agency = row.task.lead_agency.name if row.task.lead_agency else "—"
        result.by_area.setdefault(area, Counter())[row.light] += 1
        result.by_agency.setdefault(agency, Counter())[row.light] += 1
    previous = _previous(period)
    result.previous = previous
    if previous is not None:
        before = _reports(previous)
        for row in rows:
            old, _why = light_of(row.task, before.get(row.task.pk), previous, today)
            if WORSE[row.light] > WORSE[old]:
                result.slipped.append((row, LIGHTS[old]))
    return result


def summary(counter: Counter[str]) -> list[tuple[str, str, int]]:
    return [(key, label, counter[key]) for key, label in LIGHTS.items() if counter[key]]


def target_changes(period: ReportingPeriod) -> list[dict[str, Any]]:
    """Each target's value at the end of this period and of the previous one of its kind."""

    now = target_results(period.plan, periods.custom(dt.date(period.plan.year, 1, 1), period.end))
    previous = _previous(period)
    before = (
        {
            r.target.pk: r
            for r in target_results(
                period.plan, periods.custom(dt.date(period.plan.year, 1, 1), previous.end)
            )
        }
        if previous
        else {}
    )
    rows = []
    for r in now:
        old = before.get(r.target.pk)
        rows.append(
            {
                "target": r.target,
                "value": r.value,
                "light": r.light,
                "previous": old.value if old else None,
                "delta": (r.value - old.value)
                if old and r.value is not None and old.value is not None
                else None,
            }
        )
    return rows
