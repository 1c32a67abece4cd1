"""Operations rules, one place each: the maintenance notice period, the window in force, the
usage counters, and which staff accounts are locked for disuse or an ended posting."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.constants import Role
from cchc.accounts.models import AccountKind, Membership, User
from cchc.calendars.services import calendar_for, default_province
from cchc.core import tenancy
from cchc.core.audit import log_action
from cchc.core.errors import Invalid

from .models import MaintenanceWindow, UsageCount

logger = logging.getLogger(__name__)

# --- announced maintenance (item 41) ----------------------------------------------------

CACHE_KEY = "operations:maintenance"


def earliest_start(announced: dt.datetime) -> dt.date:
    """The first day a window announced at `announced` may start: the notice period's
    working days (CCHC_MAINTENANCE_NOTICE_DAYS, 5) counted after the announcement's day on
    the official calendar (Tết and make-up Saturdays included)."""
    calendar = calendar_for(default_province())
    day = timezone.localdate(announced)
    for _i in range(settings.CCHC_MAINTENANCE_NOTICE_DAYS):
        day = calendar.next_working_day(day)
    return day


def check_window(window: MaintenanceWindow, *, now: dt.datetime | None = None) -> None:
    announced = window.announced_at or now or timezone.now()
    problems = {}
    if window.ends_at and window.starts_at and window.ends_at <= window.starts_at:
        problems["ends_at"] = _("Thời điểm kết thúc phải sau thời điểm bắt đầu.")
    first = earliest_start(announced)
    if window.starts_at and timezone.localdate(window.starts_at) < first:
        problems["starts_at"] = _(
            "Bảo trì phải được thông báo trước ít nhất %(days)s ngày làm việc: sớm nhất bắt "
            "đầu từ ngày %(first)s."
        ) % {"days": settings.CCHC_MAINTENANCE_NOTICE_DAYS, "first": f"{first:%d/%m/%Y}"}
    if problems:
        raise Invalid("invalid_input", " ".join(problems.values()), problems)


def windows() -> list[tuple[dt.datetime, dt.datetime, str]]:
    """The windows not over and not cancelled, cached a minute (every request asks)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = list(
            MaintenanceWindow.objects.filter(cancelled_at__isnull=True, ends_at__gt=timezone.now())
            .order_by("starts_at")
            .values_list("starts_at", "ends_at", "reason")
        )
        cache.set(CACHE_KEY, found, 60)
    return found


def forget_windows() -> None:
    cache.delete(CACHE_KEY)


def current_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime, str] | None:
    moment = now or timezone.now()
    return next((w for w in windows() if w[0] <= moment < w[1]), None)


def announced_window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime, str] | None:
    """The next or current window, shown on every page from its announcement."""
    moment = now or timezone.now()
    return next((w for w in windows() if w[1] > moment), None)


# --- page and API use (item 28) ---------------------------------------------------------


class UsageCounter:
    """Requests counted in memory; a background thread of each process adds them to
    `UsageCount` every CCHC_USAGE_FLUSH_SECONDS (0: only when asked, as in tests). Nothing is
    written on a request's path; a process that dies loses at most that interval."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[tuple[str, dt.date, int, str]] = Counter()
        self.thread: threading.Thread | None = None

    def hit(self, agency_key: int, side: str) -> None:
        month = timezone.localdate().replace(day=1)
        with self.lock:  # counted in the database of the province the request works in
            self.counts[(tenancy.current(), month, agency_key, side)] += 1
            if self.thread is None and settings.CCHC_USAGE_FLUSH_SECONDS > 0:
                self.thread = threading.Thread(target=self._loop, daemon=True, name="usage")
                self.thread.start()

    def _loop(self) -> None:
        while True:
            time.sleep(settings.CCHC_USAGE_FLUSH_SECONDS)
            try:
                self.flush()
            except Exception:  # the statistics never take the site down
                logger.exception("usage counters not written")
            finally:
                connection.close()  # this thread's own connection

    def flush(self) -> int:
        with self.lock:
            counts, self.counts = self.counts, Counter()
        for (alias, month, agency_key, side), n in counts.items():
            with tenancy.province_database(alias), transaction.atomic():
                row, _created = UsageCount.objects.select_for_update().get_or_create(
                    month=month, agency_key=agency_key, side=side
                )
                UsageCount.objects.filter(pk=row.pk).update(requests=F("requests") + n)
        return sum(counts.values())


usage = UsageCounter()


def side_of(path: str) -> str | None:
    if path.startswith(("/static/", "/media/", "/suc-khoe/", "/mo-phong/", "/favicon", "/metrics")):
        return None
    if path.startswith("/api/"):
        return "api"
    if path.startswith(tuple(settings.CCHC_PUBLIC_PATHS)) or path == "/":
        return "portal"
    return "staff"


def agency_key_of(user: Any) -> int:
    """The agency of the user's first current posting (0: none)."""
    membership = (
        user.memberships_on().order_by("valid_from", "pk").values_list("agency_id", flat=True)
    )
    return next(iter(membership), 0) or 0


# --- unused and ended accounts (item 37) ------------------------------------------------


def staff_accounts() -> Any:
    return User.objects.filter(kind=AccountKind.STAFF, is_active=True, is_superuser=False)


def accounts_to_lock(today: dt.date) -> tuple[list[User], list[User]]:
    """(idle, ended): staff accounts unused for CCHC_ACCOUNT_IDLE_DAYS — last signed in, or
    created, before then — and accounts whose every posting has ended."""
    limit = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=settings.CCHC_ACCOUNT_IDLE_DAYS), dt.time())
    )
    staff = staff_accounts()
    idle = list(
        staff.filter(Q(last_login__lt=limit) | Q(last_login__isnull=True, date_joined__lt=limit))
    )
    current = Membership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today),
        Q(valid_to__isnull=True) | Q(valid_to__gte=today),
    ).values("user_id")
    ended = list(
        staff.exclude(pk__in=current)
        .annotate(last=Max("memberships__valid_to"))
        .filter(last__lt=today)
        .exclude(pk__in=[u.pk for u in idle])
    )
    return idle, ended


def leaders_of(user: User, today: dt.date) -> list[User]:
    agencies = Membership.objects.filter(user=user).values("agency_id")
    return list(
        User.objects.filter(
            is_active=True,
            memberships__agency_id__in=agencies,
            memberships__role=Role.AGENCY_LEADER,
        )
        .exclude(pk=user.pk)
        .distinct()
    )


@transaction.atomic
def lock(user: User, reason: str, *, today: dt.date) -> None:
    before = {"is_active": True}
    user.is_active = False
    user.save(update_fields=["is_active"])
    log_action(user, "account.lock", actor=None, before=before, after={"is_active": False},
               reason=reason)  # fmt: skip
