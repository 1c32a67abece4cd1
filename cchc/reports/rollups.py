"""Rebuilding the monthly rollups from the dossiers (two grouped queries, one bulk insert)."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
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
    return len(rows)
