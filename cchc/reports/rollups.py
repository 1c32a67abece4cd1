"""Rebuilding the monthly rollups from the dossiers (two grouped queries, one bulk insert)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import Greatest, TruncMonth
from django.utils import timezone

from cchc.core.rates import percentage
from cchc.dossiers import constants as c
from cchc.dossiers.models import ClockStop, Dossier
from cchc.dossiers.rates import on_time_rate
from cchc.portal.models import Rating

from . import periods
from .models import DashboardSnapshot, MonthlyCounts
from .targets import Metric, all_targets

KEY = ("competent_agency_id", "desk_id", "field_id", "channel")


COLUMNS = (
    "received",
    "settled_early",
    "settled_on_time",
    "settled_late",
    "refused",
    "withdrawn",
    "finished",
    "due",
    "closed_due",
    "stops_started",
    "stops_ended",
    "rated",
    "satisfied",
)


def _month(value: Any) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def rebuild() -> int:
    """Three grouped reads (dossiers by reception, dossiers by finish, clock stops), each
    bucketing two kinds of events at once, then one bulk insert, in one transaction."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":  # every read sees one moment
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _rebuild()


def _rebuild() -> int:
    now = timezone.now()
    zone = timezone.get_default_timezone()
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))

    def add(month: Any, key: tuple, column: str, n: int) -> None:
        if month is not None and n:
            rows[(_month(month), *key)][column] += n

    def two_events(qs: Any, prefix: str, first: str, second: str, columns: tuple[str, str]) -> None:
        """Count `qs` by key and by the months of two moments at once (one grouped read)."""
        key_fields = [prefix + k for k in KEY]
        grouped = (
            qs.annotate(m=TruncMonth(first, tzinfo=zone), m2=TruncMonth(second, tzinfo=zone))
            .values("m", "m2", *key_fields)
            .annotate(n=Count("pk"))
            .order_by()
        )
        for r in grouped:
            key = tuple(r[k] for k in key_fields)
            add(r["m"], key, columns[0], r["n"])
            add(r["m2"], key, columns[1], r["n"])

    two_events(
        Dossier.objects.filter(received_at__isnull=False),
        "",
        "received_at",
        "legal_due_at",
        ("received", "due"),
    )
    granted = Q(status=c.Status.RETURNED, outcome=c.Outcome.GRANTED)
    finished = (
        Dossier.objects.filter(received_at__isnull=False, finished_at__isnull=False)
        .annotate(
            m=TruncMonth("finished_at", tzinfo=zone),
            later_m=TruncMonth(Greatest("finished_at", "legal_due_at"), tzinfo=zone),
        )
        .values("m", "later_m", *KEY)
        .annotate(
            finished=Count("pk"),
            settled_early=Count("pk", filter=granted & Q(timeliness=c.Timeliness.EARLY)),
            settled_on_time=Count("pk", filter=granted & Q(timeliness=c.Timeliness.ON_TIME)),
            settled_late=Count("pk", filter=granted & Q(timeliness=c.Timeliness.LATE)),
            refused=Count("pk", filter=Q(status=c.Status.RETURNED, outcome=c.Outcome.REFUSED)),
            withdrawn=Count("pk", filter=Q(status__in=[c.Status.WITHDRAWN, c.Status.CLOSED])),
        )
        .order_by()
    )
    for r in finished:
        key = tuple(r[k] for k in KEY)
        for name in COLUMNS[1:7]:
            add(r["m"], key, name, r[name])
        add(r["later_m"], key, "closed_due", r["finished"])
    two_events(
        ClockStop.objects.filter(dossier__received_at__isnull=False),
        "dossier__",
        "started_at",
        "ended_at",
        ("stops_started", "stops_ended"),
    )
    ratings = (
        Rating.objects.filter(dossier__received_at__isnull=False)
        .annotate(m=TruncMonth("created_at", tzinfo=zone))
        .values("m", *["dossier__" + k for k in KEY])
        .annotate(n=Count("pk"), good=Count("pk", filter=Q(satisfied=True)))
        .order_by()
    )
    for r in ratings:
        key = tuple(r["dossier__" + k] for k in KEY)
        add(r["m"], key, "rated", r["n"])
        add(r["m"], key, "satisfied", r["good"])
    MonthlyCounts.objects.all().delete()
    MonthlyCounts.objects.bulk_create(
        [
            MonthlyCounts(
                month=month,
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
    snapshot_province(now)
    return len(rows)


# Bumped whenever `MonthlyCounts` gains a column the reports read: after such an upgrade the
# table holds zeros in it until the next rebuild, so the reports compute live until then.
ROLLUP_VERSION = 3


def as_of() -> dt.datetime | None:
    """When the rollups were last rebuilt by this version of the code (None: never)."""

    return (
        DashboardSnapshot.objects.filter(key="province", data__rollup_version=ROLLUP_VERSION)
        .values_list("computed_at", flat=True)
        .first()
    )


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


def public_year(day: dt.date, by: str) -> list[dict[str, Any]]:
    """The public statistics page (R-STATS, R-RATING): for `day`'s year, per competent agency
    (`by="agency"`) or per desk, the dossiers received in the year and in `day`'s month, those
    settled in the year, the on-time rate of those, and the share of the year's ratings that
    were satisfied. One GROUP BY over the rollups (about a hundred rows a month)."""
    group = "desk" if by == "desk" else "agency"
    this_month = day.replace(day=1)
    sums = (
        MonthlyCounts.objects.filter(
            month__gte=dt.date(day.year, 1, 1), month__lte=dt.date(day.year, 12, 1)
        )
        .values(f"{group}_id", f"{group}__name")
        .annotate(
            received_year=Sum("received"),
            received_month=Sum("received", filter=Q(month=this_month)),
            good=Sum("settled_early") + Sum("settled_on_time"),
            settled=Sum("settled_early") + Sum("settled_on_time") + Sum("settled_late"),
            rated_n=Sum("rated"),
            satisfied_n=Sum("satisfied"),
        )
        .order_by(f"{group}__name", f"{group}_id")
    )
    return [
        {
            "name": s[f"{group}__name"],
            "received_year": s["received_year"],
            "received_month": s["received_month"] or 0,
            "settled": s["settled"],
            "on_time_pct": on_time_rate(s["good"], s["settled"]),
            "satisfaction_pct": percentage(s["satisfied_n"], s["rated_n"]),
        }
        for s in sums
        if s["received_year"] or s["settled"] or s["rated_n"]
    ]


def _cell(received: int, good: int, settled: int) -> dict[str, Any]:
    rate = on_time_rate(good, settled)
    return {"received": received, "settled": settled, "on_time": good, "on_time_rate": rate}


def overdue_by_agency(scope: Any, now: Any) -> list[dict[str, Any]]:
    """The ten competent agencies holding the most open dossiers past their legal due moment."""
    return list(
        scope.filter(status__in=c.ACTIVE_STATUSES, legal_due_at__lt=now)
        .values("competent_agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:10]
    )


def snapshot_province(now: dt.datetime) -> None:
    """Store the province dashboard's year targets and overdue agencies (read by the page)."""

    metrics = all_targets(periods.year(timezone.localdate().year), Dossier.objects.all())
    DashboardSnapshot.objects.update_or_create(
        key="province",
        defaults={
            "computed_at": now,
            "data": {
                "rollup_version": ROLLUP_VERSION,
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

    snap = DashboardSnapshot.objects.filter(key="province").first()
    if snap is None:
        return None
    metrics = [
        Metric(**{**m, "target": Decimal(m["target"]) if m["target"] is not None else None})
        for m in snap.data["metrics"]
    ]
    return metrics, snap.data["overdue"], snap.computed_at
