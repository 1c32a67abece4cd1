"""The periodic report on settling procedures (R-STATS), computed from the dossiers.

Definitions (for a period [start, end) in local time, over any slice):
- carried over: received before the start and not finished before it;
- new: received in the period, by channel (online, in person, by post);
- received = carried over + new;
- settled: returned in the period with a granted result, by timeliness (early/on time/late);
- refused: returned in the period with a reasoned refusal (R-INELIGIBLE);
- withdrawn: stopped in the period at the applicant's request or for lack of a supplement;
- in progress at the end: received before the end and not finished by it — not yet due or
  overdue (against the legal due moment); "suspended" counts those among them whose clock is
  stopped at the end (a subset, shown for information);
- received = settled + refused + withdrawn + in progress (tested for every row).
The on-time rate is (early + on time) / settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from cchc.dossiers import constants as c
from cchc.dossiers import rates
from cchc.dossiers.models import ClockStop, Dossier
from cchc.dossiers.rates import on_time_rate

from .models import MonthlyCounts
from .periods import Period
from .rollups import as_of

GROUPS = {
    "agency": ("competent_agency_id", "competent_agency__name", _("Cơ quan giải quyết")),
    "desk": ("desk_id", "desk__name", _("Nơi tiếp nhận")),
    "field": ("field_id", "field__name", _("Lĩnh vực")),
    "procedure": ("procedure_id", "procedure_version__name", _("Thủ tục")),
    "commune": ("applicant_area_id", "applicant_area__name", _("Xã, phường của người nộp")),
    "channel": ("channel", "channel", _("Hình thức nộp")),
    "level": ("competent_agency__area__level", "competent_agency__area__level", _("Cấp")),
}

COLUMNS = [
    ("carried_over", _("Từ kỳ trước chuyển sang")),
    ("new_online", _("Mới tiếp nhận trực tuyến")),
    ("new_in_person", _("Mới tiếp nhận trực tiếp")),
    ("new_post", _("Mới tiếp nhận qua bưu chính")),
    ("received", _("Tổng số hồ sơ tiếp nhận")),
    ("settled_early", _("Đã giải quyết trước hạn")),
    ("settled_on_time", _("Đã giải quyết đúng hạn")),
    ("settled_late", _("Đã giải quyết quá hạn")),
    ("settled", _("Tổng số đã giải quyết")),
    ("refused", _("Từ chối giải quyết")),
    ("withdrawn", _("Rút, dừng giải quyết")),
    ("in_progress_not_due", _("Đang giải quyết trong hạn")),
    ("in_progress_overdue", _("Đang giải quyết quá hạn")),
    ("in_progress", _("Tổng số đang giải quyết")),
    ("suspended", _("Trong đó: đang tạm dừng, chờ bổ sung")),
]


@dataclass
class Row:
    key: Any
    name: str
    cells: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> Decimal | None:
        settled = self.cells.get("settled", 0)
        if not settled:
            return None
        good = self.cells["settled_early"] + self.cells["settled_on_time"]
        return on_time_rate(good, settled)


@dataclass
class Report:
    period: Period
    group: str
    rows: list[Row]
    total: Row
    # when the figures were read from the rollups, the moment these were last rebuilt;
    # None when they were computed from the dossiers just now
    as_of: dt.datetime | None = None


def conditions(period: Period) -> dict[str, Q]:
    start, end = period.start_moment, period.end_moment
    finished_before_start = Q(finished_at__lt=start)
    new = Q(received_at__gte=start, received_at__lt=end)
    returned = Q(status=c.Status.RETURNED, returned_at__gte=start, returned_at__lt=end)
    granted = rates.settled(start, end)
    in_progress = Q(received_at__lt=end) & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
    return {
        "carried_over": Q(received_at__lt=start) & ~finished_before_start,
        "new_online": new & Q(channel=c.Channel.ONLINE),
        "new_in_person": new & Q(channel=c.Channel.IN_PERSON),
        "new_post": new & Q(channel=c.Channel.POST),
        "received": Q(received_at__lt=end) & ~finished_before_start,
        "settled_early": granted & Q(timeliness=c.Timeliness.EARLY),
        "settled_on_time": granted & Q(timeliness=c.Timeliness.ON_TIME),
        "settled_late": granted & Q(timeliness=c.Timeliness.LATE),
        "settled": granted,
        "refused": returned & Q(outcome=c.Outcome.REFUSED),
        "withdrawn": Q(
            status__in=[c.Status.WITHDRAWN, c.Status.CLOSED],
            received_at__isnull=False,
            finished_at__gte=start,
            finished_at__lt=end,
        ),
        "in_progress_not_due": in_progress & Q(legal_due_at__gte=end),
        "in_progress_overdue": in_progress & Q(legal_due_at__lt=end),
        "in_progress": in_progress,
        "suspended": in_progress & Q(stopped_at_end=True),
    }


def settlement_report(
    period: Period, group: str = "agency", scope: QuerySet[Dossier] | None = None
) -> Report:
    """One query: every cell for every group of the slice (received dossiers only)."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group}")
    key_field, name_field, _label = GROUPS[group]
    qs = (scope if scope is not None else Dossier.objects.all()).filter(received_at__isnull=False)
    end = period.end_moment
    open_stop = ClockStop.objects.filter(dossier=OuterRef("pk"), started_at__lt=end).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end)
    )
    qs = qs.annotate(stopped_at_end=Exists(open_stop))
    aggregates = {name: Count("pk", filter=cond) for name, cond in conditions(period).items()}
    values = qs.values(key_field, name_field).annotate(**aggregates).order_by(name_field, key_field)
    return _report(period, group, [(v[key_field], v[name_field], v) for v in values])


def _report(
    period: Period, group: str, found: list[tuple[Any, Any, dict[str, int]]], **extra: Any
) -> Report:
    names = dict(c.Channel.choices) if group == "channel" else {}
    levels = {"province": _("Cấp tỉnh"), "district": _("Cấp huyện"), "commune": _("Cấp xã")}
    rows = []
    for key, raw_name, values in found:
        cells = {name: values[name] for name, _label in COLUMNS}
        if not any(cells.values()):
            continue
        name = str(names.get(raw_name) or levels.get(raw_name) or raw_name or "—")
        rows.append(Row(key, name, cells))
    sums = {name: sum(r.cells[name] for r in rows) for name, _label in COLUMNS}
    total = Row(None, str(_("Tổng cộng")), sums)
    return Report(period, group, rows, total, **extra)


# The rollups' own names for the groups and filters they can serve (stats.GROUPS keys).
ROLLUP_FIELDS = {
    "agency": ("agency_id", "agency__name"),
    "desk": ("desk_id", "desk__name"),
    "field": ("field_id", "field__name"),
    "channel": ("channel", "channel"),
    "level": ("agency__area__level", "agency__area__level"),
}


def month_aligned(period: Period) -> bool:
    return period.start.day == 1 and (period.end + dt.timedelta(days=1)).day == 1


def rollup_report(period: Period, group: str, filters: dict[str, Any] | None = None) -> Report:
    """The same report from `MonthlyCounts` — one grouped read of a few thousand rows instead
    of every dossier — for a month-aligned period, a group of `ROLLUP_FIELDS` and filters
    on the rollups' own fields (`agency_id`, `desk_id`, `field_id`, `channel`,
    `agency__area__level`). Each cell is a sum of monthly events (see `MonthlyCounts`):

    - carried over = received − finished, both before the start;
    - in progress = received − finished, both before the end;
    - overdue = due − closed_due, both before the end; not yet due = in progress − overdue;
    - suspended = stops started − stops ended, both before the end;
    - the new, settled, refused and withdrawn cells: the months of the period.
    Tests check every cell against `settlement_report` on a generated workload.
    """

    if not month_aligned(period) or group not in ROLLUP_FIELDS:
        raise ValueError("the rollups serve month-aligned periods and their own groups")
    key_field, name_field = ROLLUP_FIELDS[group]
    start, end = period.start, period.end + dt.timedelta(days=1)
    before_start, within = Q(month__lt=start), Q(month__gte=start)
    sums = {
        "received_before_start": Sum("received", filter=before_start),
        "finished_before_start": Sum("finished", filter=before_start),
        "received_before_end": Sum("received"),
        "finished_before_end": Sum("finished"),
        "due_before_end": Sum("due"),
        "closed_due_before_end": Sum("closed_due"),
        "stops_started": Sum("stops_started"),
        "stops_ended": Sum("stops_ended"),
        "settled_early": Sum("settled_early", filter=within),
        "settled_on_time": Sum("settled_on_time", filter=within),
        "settled_late": Sum("settled_late", filter=within),
        "refused": Sum("refused", filter=within),
        "withdrawn": Sum("withdrawn", filter=within),
    }
    for channel in c.Channel.values:
        sums[f"new_{channel}"] = Sum("received", filter=within & Q(channel=channel))
    rows = (
        MonthlyCounts.objects.filter(month__lt=end, **(filters or {}))
        .values(key_field, name_field)
        .annotate(**sums)
        .order_by(name_field, key_field)
    )
    found = []
    for r in rows:
        v = {k: r[k] or 0 for k in sums}
        in_progress = v["received_before_end"] - v["finished_before_end"]
        overdue = v["due_before_end"] - v["closed_due_before_end"]
        cells = {
            "carried_over": v["received_before_start"] - v["finished_before_start"],
            "new_online": v["new_online"],
            "new_in_person": v["new_in_person"],
            "new_post": v["new_post"],
            "settled_early": v["settled_early"],
            "settled_on_time": v["settled_on_time"],
            "settled_late": v["settled_late"],
            "settled": v["settled_early"] + v["settled_on_time"] + v["settled_late"],
            "refused": v["refused"],
            "withdrawn": v["withdrawn"],
            "in_progress_not_due": in_progress - overdue,
            "in_progress_overdue": overdue,
            "in_progress": in_progress,
            "suspended": v["stops_started"] - v["stops_ended"],
        }
        cells["received"] = (
            cells["carried_over"] + cells["new_online"] + cells["new_in_person"] + cells["new_post"]
        )
        found.append((r[key_field], r[name_field], cells))
    return _report(period, group, found, as_of=as_of())
