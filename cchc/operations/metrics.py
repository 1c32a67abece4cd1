"""Prometheus metrics (prometheus_client): request latency and queries per route, and — read
when Prometheus scrapes — the task queue, the outbox per national system, and the dossiers
received and returned in the last hour.

django-prometheus would be the usual choice; its releases pin Django below 6.1, so the few
request metrics are taken here with the same client library it uses."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

LATENCY = Histogram(
    "cchc_request_seconds",
    "Time to answer a request, by route",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUERIES = Histogram(
    "cchc_request_queries",
    "Database queries a request ran, by route",
    ["route"],
    buckets=(1, 2, 5, 10, 20, 30, 50, 100, 200),
)
RESPONSES = Counter("cchc_responses", "Responses by route and status class", ["route", "status"])


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/metrics":
            return self.get_response(request)
        count = [0]

        def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            count[0] += 1
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.view_name if match else "") or "unmatched"
        LATENCY.labels(route, request.method or "").observe(time.perf_counter() - start)
        QUERIES.labels(route).observe(count[0])
        RESPONSES.labels(route, f"{response.status_code // 100}xx").inc()
        return response


class StateCollector(Collector):
    """Figures read from the database at each scrape (one process answers, so once)."""

    NAMES = (
        "cchc_tasks_waiting",
        "cchc_tasks_oldest_wait_seconds",
        "cchc_outbox_messages",
        "cchc_outbox_oldest_due_seconds",
        "cchc_dossiers_received_last_hour",
        "cchc_dossiers_returned_last_hour",
    )

    def describe(self) -> Iterator[GaugeMetricFamily]:
        """The names, without touching the database (asked at registration, at start-up)."""
        for name in self.NAMES:
            yield GaugeMetricFamily(name, name)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from django_tasks_db.models import DBTaskResult

        from cchc.dossiers.models import Dossier
        from cchc.integrations.models import OutboxMessage

        now = timezone.now()
        ready = DBTaskResult.objects.ready().aggregate(n=Count("pk"), oldest=Min("enqueued_at"))
        yield GaugeMetricFamily("cchc_tasks_waiting", "Tasks waiting for a worker", ready["n"])
        yield GaugeMetricFamily(
            "cchc_tasks_oldest_wait_seconds",
            "How long the oldest waiting task has waited",
            (now - ready["oldest"]).total_seconds() if ready["oldest"] else 0,
        )
        messages = GaugeMetricFamily(
            "cchc_outbox_messages", "Outbox messages by national system and status",
            labels=["system", "status"],
        )  # fmt: skip
        for row in OutboxMessage.objects.values("system", "status").annotate(n=Count("pk")):
            messages.add_metric([row["system"], row["status"]], row["n"])
        yield messages
        overdue = GaugeMetricFamily(
            "cchc_outbox_oldest_due_seconds",
            "How long the oldest pending message of each system has been due",
            labels=["system"],
        )
        for row in (
            OutboxMessage.objects.filter(status="pending", next_attempt_at__lte=now)
            .values("system")
            .annotate(due=Min("next_attempt_at"))
        ):
            overdue.add_metric([row["system"]], (now - row["due"]).total_seconds())
        yield overdue
        hour = now - dt.timedelta(hours=1)
        yield GaugeMetricFamily(
            "cchc_dossiers_received_last_hour",
            "Dossiers received in the last hour",
            Dossier.objects.filter(received_at__gte=hour).count(),
        )
        yield GaugeMetricFamily(
            "cchc_dossiers_returned_last_hour",
            "Dossiers returned in the last hour",
            Dossier.objects.filter(returned_at__gte=hour).count(),
        )


_STATE = StateCollector()


def register() -> None:
    if _STATE not in REGISTRY._collector_to_names:
        REGISTRY.register(_STATE)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """`/metrics` for Prometheus; with CCHC_METRICS_TOKEN set, only with that bearer token.
    Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (docs/operations.md)."""
    token = settings.CCHC_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and not secrets.compare_digest(given, token):
        return HttpResponse("Forbidden", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_STATE)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
