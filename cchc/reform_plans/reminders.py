"""Reminders and alerts for issued plans, each sent once per person and occasion:

- N working days before a period's filing deadline, to the staff of every lead agency whose
  task has no filed report for the period yet;
- N working days before a task's due date, to its lead agency's staff while it is not done;
- once a filing deadline has passed without a report, or a task's due date without "done", to
  the lead agency's leaders and to the reform office.

`manage.py send_plan_reminders` runs it (daily from cron). N is CCHC_PLAN_REMIND_DAYS.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.people import people_of, reform_office
from cchc.calendars.services import calendar_for
from cchc.core.reminders import send_once

from .constants import PlanStatus, ReportStatus, TaskProgress
from .models import Plan, PlanReminder, PlanTask, ReportingPeriod

DONE = (TaskProgress.DONE_ON_TIME, TaskProgress.DONE_LATE, TaskProgress.CANCELLED)


def _send(plan: Plan, users: list[Any], key: str, subject: str, body: str) -> int:
    return send_once(PlanReminder, {"plan": plan}, users, key, subject, body)


def _reported(period: ReportingPeriod) -> dict[int, Any]:
    latest: dict[int, Any] = {}
    for rep in period.reports.exclude(status__in=[ReportStatus.SUPERSEDED]).order_by(
        "task_id", "-version"
    ):
        latest.setdefault(rep.task_id, rep)
    return latest


def run(today: dt.date | None = None) -> int:
    """Send what is due today; returns how many people were told."""
    today = today or timezone.localdate()
    days = settings.CCHC_PLAN_REMIND_DAYS
    total = 0
    for plan in Plan.objects.filter(status=PlanStatus.ISSUED).select_related("province"):
        calendar = calendar_for(plan.province)
        soon = today
        for _ in range(days):
            soon = calendar.next_working_day(soon)
        tasks = list(plan.tasks.select_related("lead_agency"))
        leads = {t.lead_agency_id for t in tasks if t.lead_agency_id}
        staff = people_of(leads, None, today)
        leaders = people_of(leads, {Role.AGENCY_LEADER}, today)
        office = reform_office(today)
        for period in plan.periods.all():
            reports = _reported(period)
            missing = [
                t
                for t in tasks
                if t.lead_agency_id
                and (t.pk not in reports or reports[t.pk].status == ReportStatus.DRAFT)
            ]
            for t in missing:
                if today <= period.deadline <= soon:
                    total += _send(
                        plan,
                        staff[t.lead_agency_id],
                        f"report-due:{period.pk}:{t.pk}",
                        f"[CCHC] Hạn gửi báo cáo {period.title}: {period.deadline:%d/%m/%Y}",
                        f"Nhiệm vụ {t.code} ({t.content[:200]}) chưa có báo cáo {period.title}. "
                        f"Hạn gửi: {period.deadline:%d/%m/%Y}.",
                    )
                elif today > period.deadline:
                    total += _send(
                        plan,
                        leaders[t.lead_agency_id] + office,
                        f"report-missing:{period.pk}:{t.pk}",
                        f"[CCHC] Chưa gửi báo cáo {period.title}: nhiệm vụ {t.code}",
                        f"{t.lead_agency.name} chưa gửi báo cáo {period.title} cho nhiệm vụ "  # type: ignore[union-attr]
                        f"{t.code} ({t.content[:200]}); hạn đã qua ngày "
                        f"{period.deadline:%d/%m/%Y}.",
                    )
        total += _task_deadlines(plan, tasks, staff, leaders, office, today, soon)
    return total


def _task_deadlines(
    plan: Plan,
    tasks: list[PlanTask],
    staff: dict[int, list[Any]],
    leaders: dict[int, list[Any]],
    office: list[Any],
    today: dt.date,
    soon: dt.date,
) -> int:
    done = set(
        plan.tasks.filter(reports__progress__in=DONE)
        .exclude(reports__status__in=[ReportStatus.DRAFT, ReportStatus.SUPERSEDED])
        .values_list("pk", flat=True)
    )
    total = 0
    for t in tasks:
        if t.pk in done or not t.lead_agency_id or t.due_date is None:
            continue
        if today <= t.due_date <= soon:
            total += _send(
                plan,
                staff[t.lead_agency_id],
                f"task-due:{t.pk}",
                f"[CCHC] Nhiệm vụ {t.code} đến hạn ngày {t.due_date:%d/%m/%Y}",
                f"Nhiệm vụ {t.code} ({t.content[:200]}) đến hạn hoàn thành ngày "
                f"{t.due_date:%d/%m/%Y}.",
            )
        elif today > t.due_date:
            total += _send(
                plan,
                leaders[t.lead_agency_id] + office,
                f"task-overdue:{t.pk}",
                f"[CCHC] Nhiệm vụ {t.code} quá hạn",
                f"Nhiệm vụ {t.code} ({t.content[:200]}) của {t.lead_agency.name} đã quá hạn "  # type: ignore[union-attr]
                f"{t.due_date:%d/%m/%Y} mà chưa báo cáo hoàn thành.",
            )
    return total
