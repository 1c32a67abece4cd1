"""Plan pages: the list, one plan with its tasks and live targets, and the office's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services as s
from .models import Plan
from .permissions import is_official, is_reform_office


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
        elif action == "sao-chep":
            year = request.POST.get("year", "")
            if not year.isdigit() or not 2000 <= int(year) <= 2100:
                raise s.PlanError("invalid_year", "Năm của kế hoạch mới không hợp lệ.")
            copy = s.copy_plan(plan, year=int(year), actor=request.user)
            messages.success(request, _("Đã tạo dự thảo kế hoạch năm %(year)s.") % {"year": year})
            return redirect("reform_plans:detail", pk=copy.pk)
        else:
            raise Http404
    except s.PlanError as exc:
        messages.error(request, exc.message)
    return redirect("reform_plans:detail", pk=plan.pk)


@login_required
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from .xlsx import export_plan

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
    from .xlsx import import_plan

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
