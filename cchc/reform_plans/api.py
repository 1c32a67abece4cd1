"""`/api/v1/plans`: the reform plans, their tasks and their targets with live values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from cchc.accounts.auth import AUTH
from cchc.core.api import ApiError, Revision, Year

from . import reporting as r
from . import services as s
from .models import Plan, ProgressReport, ReportingPeriod
from .permissions import is_official, is_reform_office
from .report_docx import period_report
from .xlsx import export_plan, import_plan

router = Router(tags=["reform plans"], auth=AUTH)


class PlanOut(Schema):
    id: int
    year: int
    title: str
    issuing_agency: str
    implements: int | None
    decision_number: str
    decision_date: dt.date | None
    status: str


class TaskOut(Schema):
    id: int
    code: str
    parent: int | None
    content: str
    area: str | None
    lead_agency: str | None
    co_agencies: list[str]
    output: str
    deadline: str
    due_date: dt.date | None
    source: str


class TargetOut(Schema):
    name: str
    target_value: float
    unit: str
    method: str
    metric: str
    value: float | None
    numerator: int | None
    denominator: int | None
    light: str


class PlanDetailOut(PlanOut):
    tasks: list[TaskOut]
    targets: list[TargetOut]


def _plans(request: HttpRequest) -> Any:
    if not is_official(request.user):
        raise ApiError(403, "forbidden", _("Chỉ cán bộ, công chức được xem kế hoạch CCHC."))
    return Plan.objects.select_related("issuing_agency")


def _plan(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "year": p.year,
        "title": p.title,
        "issuing_agency": p.issuing_agency.name,
        "implements": p.implements_id,
        "decision_number": p.decision_number,
        "decision_date": p.decision_date,
        "status": p.status,
    }


@router.get("", response=list[PlanOut], summary="Các kế hoạch cải cách hành chính")
def plans(request: HttpRequest, year: Year | None = None) -> Any:
    qs = _plans(request)
    if year is not None:
        qs = qs.filter(year=year)
    return [_plan(p) for p in qs]


@router.get("/{int:plan_id}", response=PlanDetailOut, summary="Một kế hoạch: nhiệm vụ, chỉ tiêu")
def plan(request: HttpRequest, plan_id: int) -> Any:
    p = get_object_or_404(_plans(request), pk=plan_id)
    tasks = p.tasks.select_related("area", "lead_agency").prefetch_related("co_agencies")
    return {
        **_plan(p),
        "tasks": [
            {
                "id": t.pk,
                "code": t.code,
                "parent": t.parent_id,
                "content": t.content,
                "area": t.area.name if t.area else None,
                "lead_agency": t.lead_agency.name if t.lead_agency else None,
                "co_agencies": [a.name for a in t.co_agencies.all()],
                "output": t.output,
                "deadline": t.deadline_text,
                "due_date": t.due_date,
                "source": t.source,
            }
            for t in tasks
        ],
        "targets": [
            {
                "name": r.target.name,
                "target_value": float(r.target.target_value),
                "unit": r.target.unit,
                "method": r.target.method,
                "metric": r.target.metric,
                "value": float(r.value) if r.value is not None else None,
                "numerator": r.numerator,
                "denominator": r.denominator,
                "light": r.light,
            }
            for r in s.target_results(p)
        ],
    }


class PlanActionIn(Schema):
    year: int | None = Field(None, ge=2000, le=2100)  # for copy: the year of the new draft


@router.post(
    "/{int:plan_id}/actions/{action}",
    response={200: PlanOut},
    summary="Ban hành (issue), kết thúc (close) hoặc sao chép (copy) kế hoạch",
)
def plan_action(request: HttpRequest, plan_id: int, action: str, payload: PlanActionIn) -> Any:
    p = get_object_or_404(_plans(request), pk=plan_id)
    if not is_reform_office(request.user):
        raise ApiError(403, "forbidden", _("Chỉ cơ quan thường trực CCHC được thay đổi kế hoạch."))
    try:
        if action == "issue":
            p = s.issue(p, actor=request.user)
        elif action == "close":
            p = s.close(p, actor=request.user)
        elif action == "copy":
            if payload.year is None or not 2000 <= payload.year <= 2100:
                raise ApiError(
                    422, "invalid_parameter", _("Năm không hợp lệ."), [{"field": "year"}]
                )
            p = s.copy_plan(p, year=payload.year, actor=request.user)
        else:
            raise ApiError(404, "unknown_action", _("Thao tác không tồn tại."))
    except s.PlanError as exc:
        raise ApiError(409, exc.code, exc.message) from exc
    return _plan(p)


@router.get("/{int:plan_id}/tasks.xlsx", response={200: None}, summary="Phụ lục nhiệm vụ (.xlsx)")
def plan_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:

    p = get_object_or_404(_plans(request), pk=plan_id)
    return HttpResponse(
        export_plan(p),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class ImportOut(Schema):
    created: int


@router.post(
    "/{int:plan_id}/import",
    response={200: ImportOut},
    summary="Nhập phụ lục nhiệm vụ (.xlsx) vào kế hoạch dự thảo",
    description="Thay toàn bộ nhiệm vụ của dự thảo. Có lỗi thì trả 422 invalid_file với danh "
    "sách lỗi (row, column, message) và không thay đổi gì.",
)
def plan_import(request: HttpRequest, plan_id: int, file: UploadedFile = File(...)) -> Any:  # noqa: B008

    p = get_object_or_404(_plans(request), pk=plan_id)
    if not is_reform_office(request.user):
        raise ApiError(403, "forbidden", _("Chỉ cơ quan thường trực CCHC được thay đổi kế hoạch."))
    try:
        result = import_plan(p, file.read(), actor=request.user)
    except s.PlanError as exc:
        raise ApiError(409 if exc.code == "not_draft" else 422, exc.code, exc.message) from exc
    if result.errors:
        raise ApiError(422, "invalid_file", _("Tệp phụ lục có lỗi; chưa nhập."), result.errors)
    return {"created": result.created}


# -- periodic reports -------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    kind: str
    number: int
    title: str
    start: dt.date
    end: dt.date
    deadline: dt.date


class ReportOut(Schema):
    id: int
    task: str
    version: int
    status: str
    progress: str
    percent: int
    narrative: str
    reason: str
    review_comment: str
    revision: int


class ReportIn(Schema):
    progress: str
    percent: int
    narrative: str = ""
    reason: str = ""
    revision: Revision | None = None


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


class ContributionIn(Schema):
    narrative: str


def _report(rep: Any) -> dict[str, Any]:
    return {
        "id": rep.pk,
        "task": rep.task.code,
        "version": rep.version,
        "status": rep.status,
        "progress": rep.progress,
        "percent": rep.percent,
        "narrative": rep.narrative,
        "reason": rep.reason,
        "review_comment": rep.review_comment,
        "revision": rep.revision,
    }


def _period(request: HttpRequest, plan_id: int, period_id: int) -> Any:

    p = get_object_or_404(_plans(request), pk=plan_id)
    return get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id, plan=p)


def _planned(call: Any) -> Any:
    try:
        return call()
    except s.PlanError as exc:
        status = 403 if exc.code in ("not_lead", "not_co_agency", "forbidden") else 409
        if exc.code in (
            "invalid_input",
            "reason_required",
            "narrative_required",
            "comment_required",
        ):
            status = 422
        raise ApiError(status, exc.code, exc.message) from exc


@router.get("/{int:plan_id}/periods", response=list[PeriodOut], summary="Các kỳ báo cáo")
def periods(request: HttpRequest, plan_id: int) -> Any:
    p = get_object_or_404(_plans(request), pk=plan_id)
    return list(p.periods.all())


@router.get(
    "/{int:plan_id}/periods/{int:period_id}/reports",
    response=list[ReportOut],
    summary="Báo cáo hiện hành của từng nhiệm vụ trong kỳ",
)
def period_reports(request: HttpRequest, plan_id: int, period_id: int) -> Any:
    period = _period(request, plan_id, period_id)
    rows = period.reports.exclude(status="superseded").select_related("task")
    latest: dict[int, Any] = {}
    for rep in rows.order_by("task_id", "-version"):
        latest.setdefault(rep.task_id, rep)
    return [_report(rep) for rep in latest.values()]


@router.post(
    "/{int:plan_id}/periods/{int:period_id}/tasks/{int:task_id}/report",
    response={200: ReportOut},
    summary="Cơ quan chủ trì lưu dự thảo báo cáo nhiệm vụ",
)
def save_report(
    request: HttpRequest, plan_id: int, period_id: int, task_id: int, payload: ReportIn
) -> Any:

    period = _period(request, plan_id, period_id)
    task = get_object_or_404(period.plan.tasks, pk=task_id)
    rep = _planned(
        lambda: r.save_report(
            period,
            task,
            progress=payload.progress,
            percent=payload.percent,
            narrative=payload.narrative,
            reason=payload.reason,
            revision=payload.revision,
            actor=request.user,
        )
    )
    return _report(rep)


@router.post(
    "/{int:plan_id}/periods/{int:period_id}/tasks/{int:task_id}/contribution",
    response={200: dict},
    summary="Cơ quan phối hợp gửi nội dung phối hợp",
)
def contribution(
    request: HttpRequest, plan_id: int, period_id: int, task_id: int, payload: ContributionIn
) -> Any:

    period = _period(request, plan_id, period_id)
    task = get_object_or_404(period.plan.tasks, pk=task_id)
    c = _planned(
        lambda: r.contribute(period, task, narrative=payload.narrative, actor=request.user)
    )
    return {"id": c.pk}


def _own_report(request: HttpRequest, report_id: int) -> Any:

    _plans(request)
    return get_object_or_404(ProgressReport.objects.select_related("task", "period"), pk=report_id)


@router.post("/reports/{int:report_id}/file", response={200: ReportOut}, summary="Gửi báo cáo")
def file_report(request: HttpRequest, report_id: int) -> Any:

    rep = _own_report(request, report_id)
    return _report(_planned(lambda: r.file_report(rep, actor=request.user)))


@router.post(
    "/reports/{int:report_id}/review",
    response={200: ReportOut},
    summary="Cơ quan thường trực CCHC chấp nhận hoặc trả lại báo cáo",
)
def review_report(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:

    rep = _own_report(request, report_id)
    return _report(
        _planned(
            lambda: r.review(
                rep, accept=payload.accept, comment=payload.comment, actor=request.user
            )
        )
    )


@router.get(
    "/{int:plan_id}/periods/{int:period_id}/report.docx",
    response={200: None},
    summary="Báo cáo CCHC của kỳ (.docx) để cơ quan thường trực hoàn thiện",
)
def period_docx(request: HttpRequest, plan_id: int, period_id: int) -> HttpResponse:

    period = _period(request, plan_id, period_id)
    return HttpResponse(
        period_report(period),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
