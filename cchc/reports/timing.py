"""Where time goes: working time per step, agency and officer; late steps; stalled dossiers;
supplement and refusal reasons; the slowest procedures; who holds the most overdue work."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cchc.dossiers import constants as c
from cchc.dossiers.inbox import is_stalled
from cchc.dossiers.models import Dossier, DossierStep, SupplementRequest
from cchc.dossiers.services.common import calendar_of

from .periods import Period


@dataclass(frozen=True)
class Spread:
    name: str
    count: int
    median_hours: Decimal
    p90_hours: Decimal


def _spread(name: str, hours: list[float]) -> Spread:
    ordered = sorted(hours)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))] if ordered else 0.0
    return Spread(
        name,
        len(ordered),
        Decimal(str(round(statistics.median(ordered), 1))) if ordered else Decimal(0),
        Decimal(str(round(p90, 1))),
    )


def step_spreads(period: Period, scope: QuerySet[Dossier]) -> dict[str, list[Spread]]:
    """Median and 90th percentile of working hours per agency and per officer."""
    steps = DossierStep.objects.filter(
        dossier__in=scope,
        status=c.StepStatus.DONE,
        finished_at__gte=period.start_moment,
        finished_at__lt=period.end_moment,
        started_at__isnull=False,
    ).select_related("agency", "assignee", "dossier__province")
    by_agency: dict[str, list[float]] = defaultdict(list)
    by_officer: dict[str, list[float]] = defaultdict(list)
    for step in steps.iterator(chunk_size=2000):
        hours = (
            calendar_of(step.dossier).working_time_between(step.started_at, step.finished_at)
        ).total_seconds() / 3600
        by_agency[step.agency.name].append(hours)
        if step.assignee_id:
            by_officer[str(step.assignee)].append(hours)

    def ranked(groups: dict[str, list[float]]) -> list[Spread]:
        return sorted(
            (_spread(k, v) for k, v in groups.items()), key=lambda s: s.median_hours, reverse=True
        )

    return {"agencies": ranked(by_agency), "officers": ranked(by_officer)}


def late_steps(period: Period, scope: QuerySet[Dossier], limit: int = 10) -> list[dict[str, Any]]:
    return list(
        DossierStep.objects.filter(
            dossier__in=scope,
            finished_at__gte=period.start_moment,
            finished_at__lt=period.end_moment,
        )
        .values("name", "agency__name")
        .annotate(done=Count("pk"), late=Count("pk", filter=Q(timeliness=c.Timeliness.LATE)))
        .filter(late__gt=0)
        .order_by("-late", "name")[:limit]
    )


def stalled_now(scope: QuerySet[Dossier], limit: int = 50) -> list[Dossier]:
    now = timezone.now()
    open_ = (
        scope.filter(status__in=c.CLOCK_RUNNING)
        .select_related("province", "holder_agency", "procedure_version")
        .order_by("last_action_at")
    )
    return [d for d in open_[:500] if is_stalled(d, now)][:limit]


def reasons(period: Period, scope: QuerySet[Dossier], limit: int = 10) -> dict[str, list]:
    supplements = Counter(
        SupplementRequest.objects.filter(
            dossier__in=scope,
            requested_at__gte=period.start_moment,
            requested_at__lt=period.end_moment,
        ).values_list("reason", flat=True)
    )
    refusals = Counter(
        scope.filter(
            Q(status=c.Status.NOT_RECEIVED) | Q(outcome=c.Outcome.REFUSED),
            finished_at__gte=period.start_moment,
            finished_at__lt=period.end_moment,
        ).values_list("refusal_reason", flat=True)
    )
    return {
        "supplements": supplements.most_common(limit),
        "refusals": refusals.most_common(limit),
    }


def slowest_procedures(period: Period, scope: QuerySet[Dossier], limit: int = 10) -> list[Spread]:
    returned = scope.filter(
        status=c.Status.RETURNED,
        returned_at__gte=period.start_moment,
        returned_at__lt=period.end_moment,
    ).select_related("procedure_version", "province")
    hours: dict[str, list[float]] = defaultdict(list)
    for d in returned.iterator(chunk_size=2000):
        spent = calendar_of(d).working_time_between(d.received_at, d.returned_at)
        hours[d.procedure_version.name].append(spent.total_seconds() / 3600)
    spreads = [_spread(name, values) for name, values in hours.items()]
    return sorted(spreads, key=lambda s: s.median_hours, reverse=True)[:limit]


def overdue_holders(scope: QuerySet[Dossier], limit: int = 10) -> list[dict[str, Any]]:
    return list(
        DossierStep.objects.filter(
            dossier__in=scope, status=c.StepStatus.ACTIVE, due_at__lt=timezone.now()
        )
        .exclude(dossier__status__in=[c.Status.PAUSED, c.Status.SUPPLEMENT_REQUESTED])
        .values("assignee__full_name", "assignee__username", "agency__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:limit]
    )
