"""Warnings that keep dossiers from hanging silently: before a due moment, once overdue, and
when nobody has acted for a while (stalled). Run by `manage.py send_deadline_alerts`."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.models import User

from . import constants as c
from .inbox import is_stalled
from .models import Dossier, DossierStep
from .notify import alert_staff
from .services.common import calendar_of


def _members(agency_id: int, roles: tuple[str, ...], day: dt.date) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__agency_id=agency_id,
            memberships__role__in=roles,
        )
        .filter(Q(memberships__valid_from__isnull=True) | Q(memberships__valid_from__lte=day))
        .filter(Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=day))
        .distinct()
    )


def holders(step: DossierStep, day: dt.date) -> list[User]:
    if step.assignee_id:
        return [step.assignee]  # type: ignore[list-item]
    return _members(step.agency_id, (step.role,), day)


def supervisors(d: Dossier, day: dt.date) -> list[User]:
    return list(
        User.objects.filter(
            Q(memberships__desk_id=d.desk_id)
            | Q(memberships__desk__isnull=True, memberships__agency_id=d.receiving_agency_id),
            memberships__role=Role.CENTER_SUPERVISOR,
            is_active=True,
        ).distinct()
    )


def send_alerts(now: dt.datetime | None = None) -> Counter[str]:
    now = now or timezone.now()
    day = timezone.localdate(now)
    sent: Counter[str] = Counter()
    window = dt.timedelta(hours=settings.CCHC_ALERT_BEFORE_HOURS)
    steps = (
        DossierStep.objects.filter(status=c.StepStatus.ACTIVE, dossier__status__in=c.CLOCK_RUNNING)
        .select_related("dossier", "dossier__province", "dossier__procedure_version", "assignee")
        .order_by("due_at")
    )
    stalled_seen: set[int] = set()
    for step in steps.iterator(chunk_size=500):
        d = step.dossier
        calendar = calendar_of(d)
        code = d.code or d.pk
        if step.due_at and step.due_at < now:
            sent["overdue"] += alert_staff(
                d,
                holders(step, day) + _members(step.agency_id, (Role.AGENCY_LEADER,), day),
                kind=c.NotificationKind.OVERDUE,
                text=f"Hồ sơ {code}: bước “{step.name}” đã quá hạn "
                f"({timezone.localtime(step.due_at):%H:%M %d/%m/%Y}).",
                key=f"overdue:{step.pk}",
            )
        elif step.due_at and calendar.working_time_between(now, step.due_at) <= window:
            sent["deadline"] += alert_staff(
                d,
                holders(step, day),
                kind=c.NotificationKind.DEADLINE,
                text=f"Hồ sơ {code}: bước “{step.name}” đến hạn lúc "
                f"{timezone.localtime(step.due_at):%H:%M %d/%m/%Y}.",
                key=f"deadline:{step.pk}",
            )
        if d.pk not in stalled_seen and is_stalled(d, now):
            stalled_seen.add(d.pk)
            sent["stalled"] += alert_staff(
                d,
                holders(step, day)
                + _members(step.agency_id, (Role.AGENCY_LEADER,), day)
                + supervisors(d, day),
                kind=c.NotificationKind.STALLED,
                text=f"Hồ sơ {code} không có thao tác nào từ "
                f"{timezone.localtime(d.last_action_at):%H:%M %d/%m/%Y} (đang ở bước "
                f"“{step.name}”, {step.agency.name}).",
                key=f"stalled:{d.pk}:{d.last_action_at:%Y%m%d%H%M}",
            )
    sent.update(online_alerts(now, day))
    return sent


def online_decision_due(d: Dossier) -> dt.datetime:
    """R-ONLINE: received, asked to complete or refused within 8 working hours of arrival
    (counted from the next working period when it arrives outside working hours)."""
    calendar = calendar_of(d)
    return calendar.add_working_time(
        calendar.clock_start(d.submitted_at), dt.timedelta(hours=ONLINE_DECISION_HOURS)
    )


ONLINE_DECISION_HOURS = 8


def online_alerts(now: dt.datetime, day: dt.date) -> Counter[str]:
    """New online dossiers reach the desk at once; undecided ones after 8 working hours go to
    the Center supervisor too."""
    sent: Counter[str] = Counter()
    waiting = Dossier.objects.filter(
        status=c.Status.SUBMITTED, channel=c.Channel.ONLINE
    ).select_related("desk", "province")
    for d in waiting.iterator(chunk_size=500):
        officers = list(
            User.objects.filter(
                is_active=True,
                memberships__desk_id=d.desk_id,
                memberships__role=Role.RECEPTIONIST,
            ).distinct()
        )
        due = online_decision_due(d)
        sent["online_new"] += alert_staff(
            d,
            officers,
            kind=c.NotificationKind.DEADLINE,
            text=f"Hồ sơ trực tuyến {d.submission_code} chờ tiếp nhận; hạn kiểm tra "
            f"{timezone.localtime(due):%H:%M %d/%m/%Y}.",
            key=f"online:{d.pk}",
        )
        if now > due:
            sent["online_late"] += alert_staff(
                d,
                officers + supervisors(d, day),
                kind=c.NotificationKind.OVERDUE,
                text=f"Hồ sơ trực tuyến {d.submission_code} quá 8 giờ làm việc chưa được "
                "tiếp nhận, yêu cầu bổ sung hoặc từ chối.",
                key=f"online-late:{d.pk}",
            )
    return sent
