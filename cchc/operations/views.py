"""The administrators' access report (checklist item 28): sign-ins by month, who signed in
from where, and page and API use per agency."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cchc.organizations.models import Agency

from . import services
from .models import AccessEvent, UsageCount


@login_required
def access_report(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("operations.view_accessevent"):  # superusers have it
        raise PermissionDenied
    services.usage.flush()  # this process's last requests too
    since = timezone.localdate().replace(day=1) - dt.timedelta(days=365)
    months = (
        AccessEvent.objects.filter(at__date__gte=since)
        .annotate(month=TruncMonth("at"))
        .values("month")
        .annotate(
            sign_ins=Count("pk", filter=Q(kind=AccessEvent.Kind.SIGN_IN)),
            people=Count("user", filter=Q(kind=AccessEvent.Kind.SIGN_IN), distinct=True),
            failed=Count("pk", filter=Q(kind=AccessEvent.Kind.FAILED)),
        )
        .order_by("-month")
    )
    usage = list(
        UsageCount.objects.filter(month__gte=since)
        .values("month", "agency_key", "side")
        .annotate(n=Sum("requests"))
        .order_by("-month", "agency_key", "side")
    )
    names = dict(
        Agency.objects.filter(pk__in={u["agency_key"] for u in usage}).values_list("pk", "name")
    )
    table: dict[tuple[dt.date, int], dict[str, int]] = {}
    for row in usage:
        table.setdefault((row["month"], row["agency_key"]), {})[row["side"]] = row["n"]
    rows = [
        {
            "month": month,
            "agency": names.get(key, "") if key else "",
            "staff": sides.get("staff", 0),
            "portal": sides.get("portal", 0),
            "api": sides.get("api", 0),
        }
        for (month, key), sides in table.items()
    ]
    recent = AccessEvent.objects.select_related("user")[:50]
    return render(
        request,
        "operations/access_report.html",
        {"months": months, "rows": rows, "recent": recent},
    )
