"""Periodic progress reports on the plan's tasks (issue 6): periods with deadlines, the lead
agency's report per task (draft → filed, locked), the reform office's review (accept / return
with comments), corrections as new versions, co-agencies' contributions. Each change audited."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.calendars.services import calendar_for
from cchc.core.audit import log_action
from cchc.core.uploads import check_scan, stored_name

from .constants import PeriodKind, PlanStatus, ReportStatus, TaskProgress
from .models import Contribution, Evidence, Plan, PlanTask, ProgressReport, ReportingPeriod
from .permissions import agencies_of, is_reform_office
from .services import PlanError

# Reports are due on this day of the period's last month (moved to the next working day);
# 15 is the usual date of provincial PAR reports. A period's deadline can be edited.
DEADLINE_DAY = 15


def _deadline(plan: Plan, last_month_start: dt.date) -> dt.date:
    calendar = calendar_for(plan.province)
    day = last_month_start.replace(day=DEADLINE_DAY)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def open_periods(plan: Plan, *, actor: Any = None) -> list[ReportingPeriod]:
    """The four quarters, the first half and the year of the plan (idempotent)."""
    year = plan.year
    specs = [
        (PeriodKind.QUARTER, q, f"Quý {q}/{year}", dt.date(year, 3 * q - 2, 1), 3 * q)
        for q in range(1, 5)
    ] + [
        (PeriodKind.HALF, 1, f"6 tháng đầu năm {year}", dt.date(year, 1, 1), 6),
        (PeriodKind.YEAR, 1, f"Năm {year}", dt.date(year, 1, 1), 12),
    ]
    periods = []
    for kind, number, title, start, last_month in specs:
        end = dt.date(year, last_month, monthcal.monthrange(year, last_month)[1])
        period, created = ReportingPeriod.objects.get_or_create(
            plan=plan,
            kind=kind,
            number=number,
            defaults={
                "title": title,
                "start": start,
                "end": end,
                "deadline": _deadline(plan, dt.date(year, last_month, 1)),
            },
        )
        if created:
            log_action(plan, "plan.period_open", actor=actor, after={"period": title})
        periods.append(period)
    return periods


def current(period: ReportingPeriod, task: PlanTask) -> ProgressReport | None:
    return period.reports.filter(task=task).exclude(status=ReportStatus.SUPERSEDED).first()


def _require_lead(user: Any, task: PlanTask) -> None:
    if task.lead_agency_id is None or task.lead_agency_id not in agencies_of(user):
        raise PlanError("not_lead", _("Chỉ cơ quan chủ trì nhiệm vụ báo cáo tiến độ nhiệm vụ này."))


def _snapshot(r: ProgressReport) -> dict[str, Any]:
    return {
        "task": r.task.code,
        "period": r.period.title,
        "version": r.version,
        "progress": r.progress,
        "percent": r.percent,
        "status": r.status,
    }


@transaction.atomic
def save_report(
    period: ReportingPeriod,
    task: PlanTask,
    *,
    progress: str,
    percent: int,
    narrative: str,
    reason: str = "",
    actor: Any,
    revision: int | None = None,
) -> ProgressReport:
    """Write (or rewrite) the draft; a filed or accepted report is never edited — a new
    version is opened instead, superseding it once filed."""
    if period.plan.status != PlanStatus.ISSUED:
        raise PlanError("plan_not_issued", _("Chỉ báo cáo tiến độ kế hoạch đã ban hành."))
    if task.plan_id != period.plan_id:
        raise PlanError("not_found", _("Nhiệm vụ không thuộc kế hoạch của kỳ báo cáo."))
    _require_lead(actor, task)
    if progress not in TaskProgress.values:
        raise PlanError("invalid_input", _("Tình trạng thực hiện không hợp lệ."))
    if not 0 <= percent <= 100:
        raise PlanError("invalid_input", _("Tỷ lệ hoàn thành phải từ 0 đến 100%."))
    if progress in (TaskProgress.DONE_ON_TIME, TaskProgress.DONE_LATE) and percent != 100:
        raise PlanError("invalid_input", _("Nhiệm vụ đã hoàn thành thì tỷ lệ là 100%."))
    if progress in (TaskProgress.CANCELLED, TaskProgress.OVERDUE) and not reason.strip():
        raise PlanError("reason_required", _("Cần ghi lý do chưa hoàn thành hoặc không thực hiện."))
    report = (
        ProgressReport.objects.select_for_update()
        .filter(period=period, task=task)
        .exclude(status=ReportStatus.SUPERSEDED)
        .first()
    )
    if report is not None and revision is not None and report.revision != revision:
        raise PlanError(
            "changed", _("Báo cáo vừa được người khác cập nhật; tải lại trang để xem bản mới nhất.")
        )
    before = _snapshot(report) if report else {}
    if report is None or report.status != ReportStatus.DRAFT:
        version = report.version + 1 if report else 1
        report = ProgressReport(period=period, task=task, agency=task.lead_agency, version=version)
    report.progress = progress
    report.percent = percent
    report.narrative = narrative.strip()
    report.reason = reason.strip()
    report.status = ReportStatus.DRAFT
    report.revision = (report.revision or 0) + 1 if report.pk else 1
    report.save()
    log_action(period.plan, "plan.report_save", actor=actor, before=before, after=_snapshot(report))
    return report


@transaction.atomic
def file_report(report: ProgressReport, *, actor: Any) -> ProgressReport:
    """Send the draft to the reform office; it is locked from now on."""
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("task", "period")
        .get(pk=report.pk)
    )
    _require_lead(actor, report.task)
    if report.status != ReportStatus.DRAFT:
        raise PlanError("not_draft", _("Báo cáo này đã gửi."))
    if not report.narrative:
        raise PlanError("narrative_required", _("Cần ghi kết quả thực hiện trước khi gửi."))
    previous = (
        report.period.reports.filter(task=report.task, version__lt=report.version)
        .exclude(status=ReportStatus.SUPERSEDED)
        .first()
    )
    if previous is not None:
        previous.status = ReportStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    report.status = ReportStatus.FILED
    report.filed_at = timezone.now()
    report.filed_by = actor
    report.revision += 1
    report.save()
    log_action(
        report.period.plan,
        "plan.report_file",
        actor=actor,
        from_status=ReportStatus.DRAFT,
        to_status=ReportStatus.FILED,
        after=_snapshot(report),
    )
    return report


@transaction.atomic
def review(report: ProgressReport, *, accept: bool, comment: str, actor: Any) -> ProgressReport:
    """The reform office accepts a filed report, or returns it with comments."""
    if not is_reform_office(actor):
        raise PlanError("forbidden", _("Chỉ cơ quan thường trực CCHC xem xét báo cáo."))
    report = (
        ProgressReport.objects.select_for_update(of=("self",))
        .select_related("period")
        .get(pk=report.pk)
    )
    if report.status != ReportStatus.FILED:
        raise PlanError("not_filed", _("Chỉ xem xét được báo cáo đã gửi."))
    if not accept and not comment.strip():
        raise PlanError("comment_required", _("Cần ghi ý kiến khi trả lại báo cáo."))
    before = report.status
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.review_comment = comment.strip()
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.revision += 1
    report.save()  # returned: the agency answers with a new version; this one stays as filed
    log_action(
        report.period.plan,
        "plan.report_review",
        actor=actor,
        from_status=before,
        to_status=report.status,
        reason=report.review_comment,
        after=_snapshot(report),
    )
    return report


def add_evidence(report: ProgressReport, upload: Any, *, actor: Any) -> Evidence:

    _require_lead(actor, report.task)
    if report.status != ReportStatus.DRAFT:
        raise PlanError("locked", _("Báo cáo đã gửi, không thêm minh chứng được."))
    kind = check_scan(upload)
    evidence = Evidence(report=report, name=upload.name[:255])
    evidence.file.save(stored_name(kind), upload, save=True)
    log_action(report.period.plan, "plan.evidence_add", actor=actor, after={"file": evidence.name})
    return evidence


def contribute(
    period: ReportingPeriod, task: PlanTask, *, narrative: str, actor: Any
) -> Contribution:
    """A co-agency's part; only an agency named as co-agency of the task adds one."""
    mine = set(agencies_of(actor)) & set(task.co_agencies.values_list("pk", flat=True))
    if not mine:
        raise PlanError(
            "not_co_agency", _("Chỉ cơ quan phối hợp của nhiệm vụ gửi nội dung phối hợp.")
        )
    if not narrative.strip():
        raise PlanError("narrative_required", _("Cần ghi nội dung đã phối hợp thực hiện."))
    contribution = Contribution.objects.create(
        period=period,
        task=task,
        agency_id=min(mine),
        narrative=narrative.strip(),
        filed_at=timezone.now(),
        filed_by=actor,
    )
    log_action(period.plan, "plan.contribution", actor=actor, after={"task": task.code})
    return contribution
