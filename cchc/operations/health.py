"""Liveness and readiness (django-health-check): the database, the cache, the file store, the
disk, the task worker and the outbox backlog."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.contrib.psutil import Disk
from health_check.exceptions import ServiceUnavailable, ServiceWarning
from health_check.views import HealthCheckView


@dataclasses.dataclass
class Worker(HealthCheck):
    """Tasks waiting longer than CCHC_HEALTH_TASK_WAIT_SECONDS: no worker is taking them."""

    def run(self) -> None:
        from django_tasks_db.models import DBTaskResult

        limit = timezone.now() - dt.timedelta(seconds=settings.CCHC_HEALTH_TASK_WAIT_SECONDS)
        oldest = (
            DBTaskResult.objects.ready()
            .filter(enqueued_at__lt=limit)
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
        if oldest is not None:
            minutes = int((timezone.now() - oldest).total_seconds() // 60)
            raise ServiceUnavailable(f"tasks waiting for {minutes} min: is db_worker running?")


@dataclasses.dataclass
class Outbox(HealthCheck):
    """Messages to the national systems due for longer than CCHC_HEALTH_OUTBOX_WAIT_SECONDS (a
    system down for that long, or no worker), and any set aside for an administrator."""

    def run(self) -> None:
        from cchc.integrations.models import MessageStatus, OutboxMessage

        limit = timezone.now() - dt.timedelta(seconds=settings.CCHC_HEALTH_OUTBOX_WAIT_SECONDS)
        late = OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lt=limit)
        if late.exists():
            raise ServiceUnavailable(f"{late.count()} outbound messages overdue")
        dead = OutboxMessage.objects.filter(status=MessageStatus.DEAD).count()
        if dead:
            raise ServiceWarning(f"{dead} outbound messages set aside")


class _Checks(HealthCheckView):
    """A failing check answers 503 Service Unavailable (the library says 500), with
    Retry-After, as load balancers and monitors expect."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
            response["Retry-After"] = "30"
        return response


class Live(_Checks):
    """The process answers (no dependency checked: a restart would not fix them)."""

    checks = ()


@dataclasses.dataclass
class MediaDisk(Disk):
    """The disk of the stored files (uploads, results), filled beyond 90 %."""

    path: str = dataclasses.field(default_factory=lambda: str(settings.MEDIA_ROOT))

    def run(self) -> None:
        if not isinstance(default_storage, FileSystemStorage):
            return  # files on an object store: its own monitoring watches its space
        folder = Path(self.path)
        while not folder.exists() and folder != folder.parent:  # before the first upload
            folder = folder.parent
        self.path = str(folder)
        super().run()


NODE = (
    "health_check.checks.Database",
    "health_check.checks.Cache",
    "health_check.checks.Storage",
    MediaDisk,
)


class Ready(_Checks):
    """Whether this node should take traffic: its database, cache, file store and disk."""

    checks = NODE


class Status(_Checks):
    """The whole service, for monitoring: the node's checks, the task worker, and the messages
    to the national systems (a backlog is no reason to take a web node out of service, so it
    is not part of readiness)."""

    checks = (*NODE, Worker, Outbox)
