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

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cchc.dossiers import constants as c
from cchc.dossiers.models import ClockStop, Dossier

from .periods import Period

GROUPS = {
    "agency": ("competent_agency_id", "competent_agency__name", "Cơ quan giải quyết"),
    "desk": ("desk_id", "desk__name", "Nơi tiếp nhận"),
    "field": ("field_id", "field__name", "Lĩnh vực"),
    "procedure": ("procedure_id", "procedure_version__name", "Thủ tục"),
    "commune": ("applicant_area_id", "applicant_area__name", "Xã, phường của người nộp"),
    "channel": ("channel", "channel", "Hình thức nộp"),
    "level": ("competent_agency__area__level", "competent_agency__area__level", "Cấp"),
}

COLUMNS = [
    ("carried_over", "Từ kỳ trước chuyển sang"),
    ("new_online", "Mới tiếp nhận trực tuyến"),
    ("new_in_person", "Mới tiếp nhận trực tiếp"),
    ("new_post", "Mới tiếp nhận qua bưu chính"),
    ("received", "Tổng số hồ sơ tiếp nhận"),
    ("settled_early", "Đã giải quyết trước hạn"),
    ("settled_on_time", "Đã giải quyết đúng hạn"),
    ("settled_late", "Đã giải quyết quá hạn"),
    ("settled", "Tổng số đã giải quyết"),
    ("refused", "Từ chối giải quyết"),
    ("withdrawn", "Rút, dừng giải quyết"),
    ("in_progress_not_due", "Đang giải quyết trong hạn"),
    ("in_progress_overdue", "Đang giải quyết quá hạn"),
    ("in_progress", "Tổng số đang giải quyết"),
    ("suspended", "Trong đó: đang tạm dừng, chờ bổ sung"),
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
        return (Decimal(100) * good / settled).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Report:
    period: Period
    group: str
    rows: list[Row]
    total: Row


def conditions(period: Period) -> dict[str, Q]:
    start, end = period.start_moment, period.end_moment
    finished_before_start = Q(finished_at__lt=start)
    new = Q(received_at__gte=start, received_at__lt=end)
    returned = Q(status=c.Status.RETURNED, returned_at__gte=start, returned_at__lt=end)
    granted = returned & Q(outcome=c.Outcome.GRANTED)
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
    names = dict(c.Channel.choices) if group == "channel" else {}
    levels = {"province": "Cấp tỉnh", "district": "Cấp huyện", "commune": "Cấp xã"}
    rows = []
    for values in (
        qs.values(key_field, name_field).annotate(**aggregates).order_by(name_field, key_field)
    ):
        cells = {name: values[name] for name in aggregates}
        if not any(cells.values()):
            continue
        raw_name = values[name_field]
        name = str(names.get(raw_name) or levels.get(raw_name) or raw_name or "—")
        rows.append(Row(values[key_field], name, cells))
    total = Row(None, "Tổng cộng", {name: sum(r.cells[name] for r in rows) for name in aggregates})
    return Report(period, group, rows, total)
