"""The periodic report page and its exports."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cchc.core.params import as_day, as_id
from cchc.dossiers.models import Dossier
from cchc.dossiers.rates import on_time_rate
from cchc.organizations.models import AdministrativeArea, Agency, Desk
from cchc.procedures.models import ProcedureField

from . import periods, rollups
from . import timing as t
from .evaluation import INDEX_NAMES, evaluate
from .exports import report_docx, report_pdf, report_xlsx
from .models import MonthlyCounts
from .rollups import overdue_by_agency, province_snapshot
from .scope import own_slice, report_scope, sees_province
from .service_index import GROUPS as INDEX_GROUPS
from .service_index import INDICATORS, report
from .stats import (
    COLUMNS,
    GROUPS,
    ROLLUP_FIELDS,
    Report,
    month_aligned,
    rollup_report,
    settlement_report,
)
from .targets import all_targets

PERIOD_KINDS = [
    ("month", "Tháng"),
    ("quarter", "Quý"),
    ("half", "6 tháng"),
    ("year", "Năm"),
    ("custom", "Tùy chọn"),
]


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return min(max(value, low), high)


def period_from(params: dict[str, str]) -> tuple[periods.Period, str]:
    """The period asked for; bad input falls back to this month with a message."""
    today = timezone.localdate()
    kind = params.get("period", "month")
    year = _int(params.get("year"), today.year, 2000, 2100)
    number = params.get("number")
    try:
        if kind == "quarter":
            return periods.quarter(year, _int(number, (today.month - 1) // 3 + 1, 1, 4)), ""
        if kind == "half":
            return periods.half(year, _int(number, 1 if today.month <= 6 else 2, 1, 2)), ""
        if kind == "year":
            return periods.year(year), ""
        if kind == "custom":
            start, end = as_day(params.get("start")), as_day(params.get("end"))
            if start is None or end is None:
                raise ValueError("custom period needs two days")
            return periods.custom(start, end), ""
        return periods.month(year, _int(number, today.month, 1, 12)), ""
    except ValueError:
        message = _("Kỳ báo cáo không hợp lệ (ngày theo dạng dd/mm/yyyy); đang hiển thị tháng này.")
        return periods.month(today.year, today.month), message


# The report filters a page accepts (read by `filtered` and `rollup_filters`).
FILTER_PARAMS = ("agency", "desk", "field", "commune", "level", "channel")


def filtered(request: HttpRequest):  # type: ignore[no-untyped-def]
    qs = report_scope(request.user)
    for param, lookup in (
        ("agency", "competent_agency_id"),
        ("desk", "desk_id"),
        ("field", "field_id"),
        ("commune", "applicant_area_id"),
    ):
        value = as_id(request.GET.get(param))
        if value:
            qs = qs.filter(**{lookup: value})
    level = request.GET.get("level", "")
    if level in ("province", "district", "commune"):
        qs = qs.filter(competent_agency__area__level=level)
    channel = request.GET.get("channel", "")
    if channel in ("online", "in_person", "post"):
        qs = qs.filter(channel=channel)
    return qs


def rollup_filters(request: HttpRequest) -> dict[str, object] | None:
    """The request's filters on the rollups' own fields, or None when the rollups cannot
    serve it: the user reports on less than the whole province (their scope follows the
    dossiers' steps), a commune is asked for, or `live=1` asks for figures computed now."""
    if request.GET.get("live") == "1" or not sees_province(request.user):
        return None
    if as_id(request.GET.get("commune")):
        return None
    out: dict[str, object] = {}
    for param, lookup in (("agency", "agency_id"), ("desk", "desk_id"), ("field", "field_id")):
        value = as_id(request.GET.get(param))
        if value:
            out[lookup] = value
    level = request.GET.get("level", "")
    if level in ("province", "district", "commune"):
        out["agency__area__level"] = level
    channel = request.GET.get("channel", "")
    if channel in ("online", "in_person", "post"):
        out["channel"] = channel
    return out


def report_for(request: HttpRequest, period: periods.Period, group: str) -> Report:
    """The periodic report from the rollups when they can serve the request and have been
    built, else computed from the dossiers now (`Report.as_of` tells which)."""
    filters = rollup_filters(request)
    if (
        filters is not None
        and group in ROLLUP_FIELDS
        and month_aligned(period)
        and rollups.as_of() is not None
    ):
        return rollup_report(period, group, filters)
    return settlement_report(period, group, filtered(request))


def _export(request: HttpRequest, period: periods.Period, group: str, fmt: str) -> HttpResponse:
    report = report_for(request, period, group)
    province = AdministrativeArea.objects.filter(
        level="province", code=settings.CCHC_DEFAULT_PROVINCE_CODE
    ).first()
    place = province.name.replace("Tỉnh ", "") if province else ""
    issuer = request.GET.get("issuer") or "Văn phòng Ủy ban nhân dân tỉnh"
    parent = f"Ủy ban nhân dân {province.name.lower()}" if province else ""
    name = f"bao-cao-giai-quyet-tthc-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "xlsx":
        body, kind = (
            report_xlsx(report, issuer),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    elif fmt == "docx":
        body, kind = (
            report_docx(report, issuer, parent, place),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
    else:
        body, kind = report_pdf(report, issuer, parent, place), "application/pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def settlement(request: HttpRequest) -> HttpResponse:
    period, problem = period_from(request.GET)
    group = request.GET.get("group", "agency")
    if group not in GROUPS:
        group = "agency"
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "docx", "pdf"):
        with translation.override("vi"):  # filed documents are in Vietnamese
            return _export(request, period, group, fmt)
    report = report_for(request, period, group)
    today = timezone.localdate()
    return render(
        request,
        "reports/settlement.html",
        {
            "report": report,
            "columns": COLUMNS,
            "groups": [(k, v[2]) for k, v in GROUPS.items()],
            "group": group,
            "period_kinds": PERIOD_KINDS,
            "params": request.GET,
            "problem": problem,
            "years": range(today.year, 2018, -1),
            "agencies": Agency.objects.filter(kind="department").order_by("name"),
            "desks": Desk.objects.order_by("kind", "name")[:400],
            "fields": ProcedureField.objects.order_by("name"),
            "query": request.GET.urlencode(),
            "live_query": _with(request, live="1"),
        },
    )


def _with(request: HttpRequest, **changes: str) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """The plan's targets measured live for the chosen period (and slice)."""

    period, problem = period_from(request.GET)
    metrics = all_targets(period, filtered(request))
    return render(
        request,
        "reports/targets.html",
        {
            "metrics": metrics,
            "period": period,
            "problem": problem,
            "period_kinds": PERIOD_KINDS,
            "params": request.GET,
            "years": range(timezone.localdate().year, 2018, -1),
        },
    )


def rollup_series(
    months: int = 12, filters: dict[str, object] | None = None, where: Q | None = None
) -> list[dict[str, object]] | None:
    """The series from the monthly rollups, for the province or a slice of it on the rollups'
    fields, or `where` a condition on them (None when they were never built)."""
    from django.db.models import Sum

    if not MonthlyCounts.objects.exists():
        return None
    today = timezone.localdate()
    first = periods.month(today.year, today.month).start
    for _month in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    sums = {
        r["month"]: r
        for r in MonthlyCounts.objects.filter(where or Q(), month__gte=first, **(filters or {}))
        .values("month")
        .annotate(
            received=Sum("received"),
            early=Sum("settled_early"),
            on_time=Sum("settled_on_time"),
            late=Sum("settled_late"),
        )
    }
    series = []
    month = first
    while month <= today:
        r = sums.get(month, {})
        settled = (r.get("early") or 0) + (r.get("on_time") or 0) + (r.get("late") or 0)
        good = (r.get("early") or 0) + (r.get("on_time") or 0)
        series.append(
            {
                "label": f"{month:%m/%Y}",
                "received": r.get("received") or 0,
                "settled": settled,
                "on_time": on_time_rate(good, settled),
            }
        )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return series


def monthly_series(scope, months: int = 12) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Received, settled and the on-time rate for each of the last `months` months."""
    today = timezone.localdate()
    series = []
    year, month = today.year, today.month
    for _month in range(months):
        report = settlement_report(periods.month(year, month), "channel", scope)
        total = report.total
        series.append(
            {
                "label": f"{month:02d}/{year}",
                "received": total.cells.get("new_online", 0)
                + total.cells.get("new_in_person", 0)
                + total.cells.get("new_post", 0),
                "settled": total.cells.get("settled", 0),
                "on_time": total.on_time_rate,
            }
        )
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(series))


def _unfiltered(request: HttpRequest) -> bool:
    return not any(request.GET.get(p) for p in FILTER_PARAMS) and request.GET.get("live") != "1"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leader dashboard: trends, overdue by agency, targets with traffic lights."""

    filters = rollup_filters(request)
    whole = filters == {}  # the reform officer's whole province
    snapshot = province_snapshot() if whole else None
    # an agency's leader, a center's supervisor, a desk: their own slice, on the rollups
    own = own_slice(request.user) if filters is None and _unfiltered(request) else None
    series = None
    if filters is not None:
        series = rollup_series(filters=filters)
    elif own is not None:
        series = rollup_series(where=own[0])
    scope = Dossier.objects.filter(own[1]) if own is not None and series else filtered(request)
    if snapshot is not None:  # the whole province reads what rebuild_rollups stored
        metrics, overdue, computed_at = snapshot
    else:
        metrics = all_targets(periods.year(timezone.localdate().year), scope)
        overdue, computed_at = overdue_by_agency(scope, timezone.now()), None
    return render(
        request,
        "reports/dashboard.html",
        {
            # the province, its slices and a leader's own agency read the rollups; scopes
            # that follow the dossiers' steps compute live
            "series": series or monthly_series(scope),
            "series_as_of": rollups.as_of() if series else None,
            "overdue": overdue,
            "metrics": metrics,
            "computed_at": computed_at,
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The reports' index: each report with what it answers, and the lobby displays of the
    desks in the user's scope."""
    desks = Desk.objects.on(timezone.localdate()).order_by("name")
    if not sees_province(request.user):
        mine = {m.desk_id for m in request.user.current_memberships()}
        desks = desks.filter(pk__in=mine)
    return render(request, "reports/index.html", {"desks": desks[:200]})


def lobby(request: HttpRequest, desk_pk: int) -> HttpResponse:
    """A Center's lobby display: today's received and returned dossiers, counters, the month's
    on-time rate. Public, aggregate only, refreshes itself."""
    from django.shortcuts import get_object_or_404

    desk = get_object_or_404(Desk.objects.prefetch_related("counters"), pk=desk_pk)
    today = timezone.localdate()
    scope = Dossier.objects.filter(desk=desk)
    day = periods.custom(today, today)
    month = settlement_report(periods.month(today.year, today.month), "channel", scope).total
    return render(
        request,
        "reports/lobby.html",
        {
            "desk": desk,
            "received": scope.filter(
                received_at__gte=day.start_moment, received_at__lt=day.end_moment
            ).count(),
            "returned": scope.filter(
                returned_at__gte=day.start_moment, returned_at__lt=day.end_moment
            ).count(),
            "on_time": month.on_time_rate,
            "counters": desk.counters.all(),
            "now": timezone.localtime(),
        },
    )


@login_required
def timing(request: HttpRequest) -> HttpResponse:
    """Where time goes, for the chosen period and the user's scope."""

    period, problem = period_from(request.GET)
    scope = filtered(request)
    return render(
        request,
        "reports/timing.html",
        {
            "period": period,
            "problem": problem,
            "spreads": t.step_spreads(period, scope),
            "late": t.late_steps(period, scope),
            "stalled": t.stalled_now(scope),
            "reasons": t.reasons(period, scope),
            "slowest": t.slowest_procedures(period, scope),
            "holders": t.overdue_holders(scope),
            "period_kinds": PERIOD_KINDS,
            "params": request.GET,
            "years": range(timezone.localdate().year, 2018, -1),
        },
    )


@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """R-EVAL per receiving desk (index 5 is the desk's) and per competent agency."""

    period, problem = period_from(request.GET)
    scope = filtered(request)
    start, end = period.start_moment, period.end_moment
    active = scope.filter(received_at__lt=end).filter(finished_at__isnull=True) | scope.filter(
        finished_at__gte=start, received_at__isnull=False
    )
    desks = Desk.objects.filter(pk__in=active.values("desk_id")).order_by("name")
    agencies = Agency.objects.filter(pk__in=active.values("competent_agency_id")).order_by("name")
    rows = [
        ("desk", desk.name, evaluate(period, scope.filter(desk=desk), desk.kind)) for desk in desks
    ] + [
        ("agency", agency.name, evaluate(period, scope.filter(competent_agency=agency)))
        for agency in agencies
    ]
    return render(
        request,
        "reports/evaluation.html",
        {
            "period": period,
            "problem": problem,
            "rows": rows,
            "index_names": INDEX_NAMES,
            "period_kinds": PERIOD_KINDS,
            "params": request.GET,
            "years": range(timezone.localdate().year, 2018, -1),
        },
    )


@login_required
def service_index(request: HttpRequest) -> HttpResponse:
    """R-766 per competent agency, with the scope's own line and every indicator's formula."""

    period, problem = period_from(request.GET)
    rows, overall = report(period, filtered(request))
    return render(
        request,
        "reports/service_index.html",
        {
            "period": period,
            "problem": problem,
            "rows": rows,
            "overall": overall,
            "groups": INDEX_GROUPS,
            "indicators": INDICATORS,
            "period_kinds": PERIOD_KINDS,
            "params": request.GET,
            "years": range(timezone.localdate().year, 2018, -1),
        },
    )
