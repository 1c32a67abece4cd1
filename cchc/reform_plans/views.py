"""Plan pages: the list, one plan with its tasks and live targets, and the office's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core.files import stored_file_response
from cchc.core.params import as_int

from . import portfolio as pf
from . import reporting as r
from . import services as s
from .constants import TaskProgress
from .models import Evidence, Plan, ReportingPeriod, TargetValue
from .permissions import agencies_of, is_official, is_reform_office
from .report_docx import period_report
from .reporting import open_periods
from .xlsx import export_plan, import_plan


def _plans(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not is_official(request.user):
        raise Http404
    return Plan.objects.select_related("issuing_agency", "implements")


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reform_plans/list.html",
        {"plans": _plans(request), "office": is_reform_office(request.user)},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(_plans(request), pk=pk)
    tasks = list(plan.tasks.select_related("area", "lead_agency").prefetch_related("co_agencies"))
    key_tasks = [t for t in tasks if t.parent_id is None]
    children: dict[int, list] = {}
    for t in tasks:
        if t.parent_id:
            children.setdefault(t.parent_id, []).append(t)
    return render(
        request,
        "reform_plans/detail.html",
        {
            "plan": plan,
            "rows": [(t, children.get(t.pk, [])) for t in key_tasks],
            "targets": s.target_results(plan),
            "office": is_reform_office(request.user),
            "periods": plan.periods.all(),
        },
    )


@login_required
@require_POST
def plan_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = get_object_or_404(_plans(request), pk=pk)
    if not is_reform_office(request.user):
        raise Http404
    try:
        if action == "ban-hanh":
            s.issue(plan, actor=request.user)
            messages.success(request, _("Đã ban hành kế hoạch."))
        elif action == "ket-thuc":
            s.close(plan, actor=request.user)
            messages.success(request, _("Đã kết thúc kế hoạch."))
        elif action == "mo-ky-bao-cao":
            open_periods(plan, actor=request.user)
            messages.success(request, _("Đã mở các kỳ báo cáo của năm."))
        elif action == "sao-chep":
            year = as_int(request.POST.get("year"), lo=2000, hi=2100)
            if year is None:
                raise s.PlanError("invalid_year", _("Năm của kế hoạch mới không hợp lệ."))
            copy = s.copy_plan(plan, year=year, actor=request.user)
            messages.success(request, _("Đã tạo dự thảo kế hoạch năm %(year)s.") % {"year": year})
            return redirect("reform_plans:detail", pk=copy.pk)
        else:
            raise Http404
    except s.PlanError as exc:
        messages.error(request, exc.message)
    return redirect("reform_plans:detail", pk=plan.pk)


@login_required
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:

    plan = get_object_or_404(_plans(request), pk=pk)
    response = HttpResponse(
        export_plan(plan),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="ke-hoach-cchc-{plan.year}-{plan.pk}.xlsx"'
    )
    return response


@login_required
@require_POST
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The office replaces a draft plan's tasks by its annex; errors are listed, nothing lost."""

    plan = get_object_or_404(_plans(request), pk=pk)
    if not is_reform_office(request.user):
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Chọn tệp Excel (.xlsx) của phụ lục kế hoạch."))
        return redirect("reform_plans:detail", pk=plan.pk)
    try:
        result = import_plan(plan, upload.read(), actor=request.user)
    except s.PlanError as exc:
        messages.error(request, exc.message)
        return redirect("reform_plans:detail", pk=plan.pk)
    if result.errors:
        for e in result.errors[:30]:
            messages.error(
                request,
                _("Dòng %(row)s, cột %(column)s: %(message)s") % e,
            )
        messages.warning(request, _("Chưa nhập: sửa các lỗi trên rồi tải lại tệp."))
    else:
        messages.success(request, _("Đã nhập %(n)s nhiệm vụ.") % {"n": result.created})
    return redirect("reform_plans:detail", pk=plan.pk)


# -- periodic reports -------------------------------------------------------------------------


@login_required
def period_page(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """Every task of the plan with its current report for the period."""

    plan = get_object_or_404(_plans(request), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, plan=plan)

    mine = set(agencies_of(request.user))
    board = pf.build(period)
    only_mine = request.GET.get("cua-toi") == "1"
    rows = [(row, row.task.lead_agency_id in mine) for row in board.tasks]
    if only_mine:  # a leader's view of their own agency's tasks
        rows = [(row, own) for row, own in rows if own]
    return render(
        request,
        "reform_plans/period.html",
        {
            "plan": plan,
            "period": period,
            "rows": rows,
            "only_mine": only_mine,
            "has_mine": bool(mine),
            "board": board,
            "by_area": [(name, pf.summary(c)) for name, c in board.by_area.items()],
            "by_agency": [(name, pf.summary(c)) for name, c in sorted(board.by_agency.items())],
            "targets": pf.target_changes(period),
            "mine": mine,
            "lights": pf.LIGHTS,
            "office": is_reform_office(request.user),
        },
    )


@login_required
def period_docx(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:

    plan = get_object_or_404(_plans(request), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, plan=plan)
    response = HttpResponse(
        period_report(period),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="bao-cao-cchc-{period.pk}.docx"'
    return response


@login_required
def task_report(request: HttpRequest, pk: int, period_pk: int, task_pk: int) -> HttpResponse:
    """One task's report for one period: history of versions, the lead agency's draft form,
    evidence, co-agencies' contributions and the office's review. POST carries `do`."""

    plan = get_object_or_404(_plans(request), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, plan=plan)
    task = get_object_or_404(plan.tasks.select_related("lead_agency"), pk=task_pk)
    mine = set(agencies_of(request.user))
    form: dict[str, str] = {}
    if request.method == "POST":
        do = request.POST.get("do", "")
        form = request.POST.dict()
        try:
            current = r.current(period, task)
            if do == "save":
                r.save_report(
                    period,
                    task,
                    progress=request.POST.get("progress", ""),
                    percent=_percent(request.POST.get("percent", "")),
                    narrative=request.POST.get("narrative", ""),
                    reason=request.POST.get("reason", ""),
                    revision=_int_or_none(request.POST.get("revision")),
                    actor=request.user,
                )
                messages.success(request, _("Đã lưu dự thảo báo cáo."))
            elif do == "evidence" and current is not None and request.FILES.get("file"):
                r.add_evidence(current, request.FILES["file"], actor=request.user)
                messages.success(request, _("Đã thêm tệp minh chứng."))
            elif do == "file" and current is not None:
                r.file_report(current, actor=request.user)
                messages.success(request, _("Đã gửi báo cáo đến cơ quan thường trực CCHC."))
            elif do in ("accept", "return") and current is not None:
                r.review(
                    current,
                    accept=do == "accept",
                    comment=request.POST.get("comment", ""),
                    actor=request.user,
                )
                messages.success(request, _("Đã ghi ý kiến xem xét."))
            elif do == "contribute":
                r.contribute(
                    period, task, narrative=request.POST.get("narrative", ""), actor=request.user
                )
                messages.success(request, _("Đã gửi nội dung phối hợp."))
            else:
                raise s.PlanError("invalid_input", _("Thao tác không hợp lệ."))
            return redirect(
                "reform_plans:task_report", pk=plan.pk, period_pk=period.pk, task_pk=task.pk
            )
        except s.PlanError as exc:
            messages.error(request, exc.message)
    versions = list(
        period.reports.filter(task=task).prefetch_related("evidence").select_related("filed_by")
    )
    current = next((v for v in versions if v.status != "superseded"), None)
    return render(
        request,
        "reform_plans/task_report.html",
        {
            "plan": plan,
            "period": period,
            "task": task,
            "versions": versions,
            "current": current,
            "contributions": period.contributions.filter(task=task).select_related("agency"),
            "is_lead": task.lead_agency_id in mine,
            "is_co": bool(mine & set(task.co_agencies.values_list("pk", flat=True))),
            "office": is_reform_office(request.user),
            "progress_choices": TaskProgress.choices,
            "form": form,
        },
    )


def _percent(raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise s.PlanError("invalid_input", _("Tỷ lệ hoàn thành phải là số từ 0 đến 100.")) from exc


def _int_or_none(raw: str | None) -> int | None:
    return as_int(raw)


@login_required
@require_POST
def target_value(request: HttpRequest, pk: int, period_pk: int, target_pk: int) -> HttpResponse:
    """The lead agency of a reported target gives its value with evidence."""

    plan = get_object_or_404(_plans(request), pk=pk)
    period = get_object_or_404(ReportingPeriod, pk=period_pk, plan=plan)
    target = get_object_or_404(plan.targets, pk=target_pk)
    try:
        s.report_target_value(
            target,
            period,
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
            evidence=request.FILES.get("evidence"),
            actor=request.user,
        )
        messages.success(request, _("Đã báo cáo giá trị chỉ tiêu."))
    except s.PlanError as exc:
        messages.error(request, exc.message)
    return redirect("reform_plans:period", pk=plan.pk, period_pk=period.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's evidence, for the officials who may read the plan's reports."""
    _plans(request)  # officials only, as the report page itself
    evidence = get_object_or_404(Evidence, pk=pk)
    return stored_file_response(evidence.file, name=evidence.name)


@login_required
def target_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence of a reported target value, for the same readers as the plan's reports."""
    _plans(request)
    row = get_object_or_404(TargetValue.objects.exclude(evidence=""), pk=pk)
    return stored_file_response(row.evidence)
