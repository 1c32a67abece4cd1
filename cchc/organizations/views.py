import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.params import as_day
from cchc.core.text import search_terms

from .constants import AgencyKind, AreaLevel
from .models import AdministrativeArea, Agency, Desk


def _date_param(request: HttpRequest) -> tuple[dt.date, str]:
    """The `on` date from the query string; a bad value falls back to today with a message."""
    raw = request.GET.get("on", "").strip()
    if not raw:
        return timezone.localdate(), ""
    day = as_day(raw)
    if day is not None:
        return day, ""
    return timezone.localdate(), _(
        "Ngày “%(raw)s” không hợp lệ; hãy nhập theo dạng dd/mm/yyyy."
    ) % {"raw": raw}


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    day, error = _date_param(request)
    qs = AdministrativeArea.objects.on(day).select_related("parent")
    level = request.GET.get("level", "")
    if level in AreaLevel.values:
        qs = qs.filter(level=level)
    for term in search_terms(request.GET.get("q", "")):
        qs = qs.filter(Q(search_text__contains=term) | Q(code=term))
    page = Paginator(qs.order_by("level", "code"), 100).get_page(request.GET.get("page"))
    counts = {
        lv: AdministrativeArea.objects.on(day).filter(level=lv).count() for lv in AreaLevel.values
    }
    return render(
        request,
        "organizations/areas.html",
        {
            "page": page,
            "day": day,
            "error": error,
            "level": level,
            "levels": AreaLevel.choices,
            "counts": counts,
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def agencies(request: HttpRequest) -> HttpResponse:
    day, error = _date_param(request)
    qs = Agency.objects.on(day).select_related("area")
    kind = request.GET.get("kind", "")
    if kind in AgencyKind.values:
        qs = qs.filter(kind=kind)
    for term in search_terms(request.GET.get("q", "")):
        qs = qs.filter(search_text__contains=term)
    page = Paginator(qs.order_by("kind", "name"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/agencies.html",
        {
            "page": page,
            "day": day,
            "error": error,
            "kind": kind,
            "kinds": AgencyKind.choices,
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.select_related("area", "parent"), pk=pk)
    return render(
        request,
        "organizations/agency_detail.html",
        {
            "agency": agency,
            "successions_out": agency.successions_out.select_related("successor"),
            "successions_in": agency.successions_in.select_related("predecessor"),
            "desks": agency.desks.all(),
            "qms": agency.qms_records.all(),
            "autonomy": agency.autonomy_records.all(),
            "staffing": agency.staffing_records.all(),
        },
    )


@login_required
def desks(request: HttpRequest) -> HttpResponse:
    day, error = _date_param(request)
    qs = (
        Desk.objects.on(day)
        .select_related("agency", "area")
        .prefetch_related("counters", "opening_periods")
    )
    for term in search_terms(request.GET.get("q", "")):
        qs = qs.filter(search_text__contains=term)
    page = Paginator(qs.order_by("kind", "name"), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "organizations/desks.html",
        {"page": page, "day": day, "error": error, "q": request.GET.get("q", "")},
    )
