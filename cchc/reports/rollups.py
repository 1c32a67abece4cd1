"""Rebuilding the monthly rollups from the dossiers (two grouped queries, one bulk insert)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier

from .models import MonthlyCounts

KEY = ("competent_agency_id", "desk_id", "field_id", "channel")


@transaction.atomic
def rebuild() -> int:
    zone = timezone.get_default_timezone()
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    received = (
        Dossier.objects.filter(received_at__isnull=False)
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .values("month", *KEY)
        .annotate(n=Count("pk"))
    )
    for r in received:
        rows[(r["month"], *[r[k] for k in KEY])]["received"] = r["n"]
    granted = Q(status=c.Status.RETURNED, outcome=c.Outcome.GRANTED)
    finished = (
        Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=False)
        .annotate(month=TruncMonth("finished_at", tzinfo=zone))
        .values("month", *KEY)
        .annotate(
            settled_early=Count("pk", filter=granted & Q(timeliness=c.Timeliness.EARLY)),
            settled_on_time=Count("pk", filter=granted & Q(timeliness=c.Timeliness.ON_TIME)),
            settled_late=Count("pk", filter=granted & Q(timeliness=c.Timeliness.LATE)),
            refused=Count("pk", filter=Q(status=c.Status.RETURNED, outcome=c.Outcome.REFUSED)),
            withdrawn=Count("pk", filter=Q(status__in=[c.Status.WITHDRAWN, c.Status.CLOSED])),
        )
    )
    for r in finished:
        cells = rows[(r["month"], *[r[k] for k in KEY])]
        for name in ("settled_early", "settled_on_time", "settled_late", "refused", "withdrawn"):
            cells[name] = r[name]
    MonthlyCounts.objects.all().delete()
    MonthlyCounts.objects.bulk_create(
        [
            MonthlyCounts(
                month=month.date() if hasattr(month, "date") else month,
                agency_id=agency,
                desk_id=desk,
                field_id=field,
                channel=channel,
                **cells,
            )
            for (month, agency, desk, field, channel), cells in rows.items()
        ],
        batch_size=2000,
    )
    snapshot_province()
    return len(rows)


def agency_months(year: int, agencies: list[int] | None = None) -> list[dict[str, Any]]:
    """A year's report by competent agency × month, read from the rollups in one GROUP BY.

    Each row: the agency and, per month 1–12, received / settled / on-time rate (None when
    nothing was settled), plus the year's totals. `agencies` limits the rows (None: all).
    """
    rows = MonthlyCounts.objects.filter(
        month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    )
    if agencies is not None:
        rows = rows.filter(agency_id__in=agencies)
    sums = (
        rows.values("agency_id", "agency__name", "month")
        .annotate(
            r=Sum("received"),
            e=Sum("settled_early"),
            o=Sum("settled_on_time"),
            l=Sum("settled_late"),
        )
        .order_by("agency__name", "agency_id", "month")
    )
    out: dict[int, dict[str, Any]] = {}
    for s in sums:
        row = out.setdefault(
            s["agency_id"],
            {
                "agency_id": s["agency_id"],
                "agency": s["agency__name"],
                "months": [_cell(0, 0, 0) for _ in range(12)],
            },
        )
        row["months"][s["month"].month - 1] = _cell(
            s["r"], s["e"] + s["o"], s["e"] + s["o"] + s["l"]
        )
    for row in out.values():
        received = sum(m["received"] for m in row["months"])
        settled = sum(m["settled"] for m in row["months"])
        good = sum(m["on_time"] for m in row["months"])
        row["total"] = _cell(received, good, settled)
    return list(out.values())


def _cell(received: int, good: int, settled: int) -> dict[str, Any]:
    rate = round(100 * good / settled, 1) if settled else None
    return {"received": received, "settled": settled, "on_time": good, "on_time_rate": rate}


def overdue_by_agency(scope: Any, now: Any) -> list[dict[str, Any]]:
    """The ten competent agencies holding the most open dossiers past their legal due moment."""
    return list(
        scope.filter(status__in=c.ACTIVE_STATUSES, legal_due_at__lt=now)
        .values("competent_agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:10]
    )


def snapshot_province() -> None:
    """Store the province dashboard's year targets and overdue agencies (read by the page)."""
    from . import periods
    from .models import DashboardSnapshot
    from .targets import all_targets

    now = timezone.now()
    metrics = all_targets(periods.year(timezone.localdate().year), Dossier.objects.all())
    DashboardSnapshot.objects.update_or_create(
        key="province",
        defaults={
            "computed_at": now,
            "data": {
                "metrics": [
                    {
                        "code": m.code,
                        "name": m.name,
                        "definition": m.definition,
                        "numerator": m.numerator,
                        "denominator": m.denominator,
                        "target": str(m.target) if m.target is not None else None,
                        "unit": m.unit,
                    }
                    for m in metrics
                ],
                "overdue": overdue_by_agency(Dossier.objects.all(), now),
            },
        },
    )


def province_snapshot() -> tuple[list[Any], list[dict[str, Any]], Any] | None:
    """(metrics, overdue, computed_at) from the last rebuild, or None before the first."""
    from decimal import Decimal

    from .models import DashboardSnapshot
    from .targets import Metric

    snap = DashboardSnapshot.objects.filter(key="province").first()
    if snap is None:
        return None
    metrics = [
        Metric(**{**m, "target": Decimal(m["target"]) if m["target"] is not None else None})
        for m in snap.data["metrics"]
    ]
    return metrics, snap.data["overdue"], snap.computed_at
