"""The evaluation of settling procedures (R-EVAL, Circular 01/2018 arts. 12–15).

Nine indices scored 2 / 1 / 0. Per-dossier indices (1, 2, 3, 7) are averaged over the
dossiers returned in the period, to one decimal; per-unit indices (5, 8, 9) are scored once for
the unit; indices 4 (agencies the applicant dealt with) and 6 (publicity of procedures) have no
data in the system and are left out, as the rule says for indices without data.
Staff score = the staff indices (1, 2, 3, 4, 7; max 10) that have data; agency score = every
index with data (max 18).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier
from cchc.organizations.constants import DeskKind
from cchc.portal.models import Feedback, FeedbackStatus, FeedbackTopic
from cchc.procedures.constants import OnlineLevel

from .periods import Period

STAFF_INDICES = (1, 2, 3, 4, 7)
INDEX_NAMES = {
    1: "Tổng thời gian giải quyết so với quy định",
    2: "Thời gian thực hiện của từng cơ quan so với quy định",
    3: "Số lần liên hệ để hoàn thiện hồ sơ",
    4: "Số cơ quan phải liên hệ",
    5: "Giải quyết tại chỗ tại bộ phận một cửa",
    6: "Công khai thủ tục hành chính",
    7: "Thái độ, hành vi của cán bộ",
    8: "Tiếp nhận, xử lý phản ánh, kiến nghị",
    9: "Dịch vụ công trực tuyến",
}
# Index 5: share of the desk's procedures settled at the desk for 2 points, by desk kind.
SPOT_SHARE = {
    DeskKind.PROVINCIAL_CENTER: Decimal(20),
    DeskKind.DEPARTMENT_RECEPTION: Decimal(20),
    DeskKind.DISTRICT_RECEPTION: Decimal(50),
    DeskKind.COMMUNE_RECEPTION: Decimal(100),
    DeskKind.COMMUNE_CENTER: Decimal(100),
}


def dossier_scores(d: Dossier, complaints: set[int]) -> dict[int, int]:
    """Indices 1, 2, 3, 4, 7 for one returned dossier."""
    by_time = {c.Timeliness.EARLY: 2, c.Timeliness.ON_TIME: 1, c.Timeliness.LATE: 0}
    # the agencies' steps; the desk's return waits for the applicant and is judged by index 1
    steps = [s.timeliness for s in d.steps.all() if s.timeliness and not s.at_desk]
    if any(t == c.Timeliness.LATE for t in steps):
        units = 0
    elif steps and all(t == c.Timeliness.EARLY for t in steps):
        units = 2
    else:
        units = 1
    rounds = d.supplement_rounds
    conduct = 0 if d.pk in complaints else by_time.get(d.timeliness, 0)
    return {
        1: by_time.get(d.timeliness, 0),
        2: units,
        3: 2 if rounds == 0 else (1 if rounds == 1 else 0),
        7: conduct,
    }


@dataclass
class Evaluation:
    dossiers: int
    indices: dict[int, Decimal | None] = field(default_factory=dict)

    @property
    def staff_score(self) -> Decimal | None:
        values = [self.indices[i] for i in STAFF_INDICES if self.indices.get(i) is not None]
        return sum(values, Decimal(0)) if values else None  # type: ignore[arg-type]

    @property
    def agency_score(self) -> Decimal | None:
        values = [v for v in self.indices.values() if v is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def staff_band(self) -> str:
        score = self.staff_score
        if score is None:
            return "Chưa có dữ liệu"
        if score >= 5:
            return "Hoàn thành 100% nhiệm vụ"
        return "Hoàn thành từ 70% nhiệm vụ" if score >= Decimal("3.5") else "Dưới 70% nhiệm vụ"

    @property
    def agency_band(self) -> str:
        score = self.agency_score
        if score is None:
            return "Chưa có dữ liệu"
        for limit, band in ((15, "Xuất sắc"), (12, "Tốt"), (9, "Khá"), (6, "Trung bình")):
            if score >= limit:
                return band
        return "Yếu"


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def evaluate(period: Period, scope: QuerySet[Dossier], desk_kind: str | None = None) -> Evaluation:
    returned = (
        scope.filter(
            status=c.Status.RETURNED,
            returned_at__gte=period.start_moment,
            returned_at__lt=period.end_moment,
        )
        .prefetch_related("steps")
        .only("pk", "timeliness", "supplement_rounds")
    )
    complaints = set(
        Feedback.objects.filter(topic=FeedbackTopic.OFFICER, dossier__in=scope)
        .exclude(dossier=None)
        .values_list("dossier_id", flat=True)
    )
    # Index 4 (agencies the applicant dealt with) is not recorded: the system knows the desk,
    # not whether the applicant was sent elsewhere. Left out, never given full marks.
    per_dossier: dict[int, list[int]] = {i: [] for i in STAFF_INDICES if i != 4}
    count = 0
    for d in returned.iterator(chunk_size=2000):
        count += 1
        for index, score in dossier_scores(d, complaints).items():
            per_dossier[index].append(score)
    indices: dict[int, Decimal | None] = {i: _mean(v) for i, v in per_dossier.items()}
    indices[4] = None
    indices[5] = _spot_index(period, scope, desk_kind)
    indices[6] = None
    indices[8] = _feedback_index(period, scope)
    indices[9] = _online_index(period, scope)
    return Evaluation(count, dict(sorted(indices.items())))


def _spot_index(period: Period, scope: QuerySet[Dossier], desk_kind: str | None) -> Decimal | None:
    received = scope.filter(received_at__gte=period.start_moment, received_at__lt=period.end_moment)
    if desk_kind is None or not received.exists():
        return None
    procedures = {}
    for procedure_id, spot in received.values_list("procedure_id", "on_the_spot"):
        procedures[procedure_id] = procedures.get(procedure_id, False) or spot
    share = Decimal(100) * sum(procedures.values()) / len(procedures)
    # every dossier is received and returned at the one-stop desk, so at least 1 point
    return Decimal(2) if share >= SPOT_SHARE.get(DeskKind(desk_kind), Decimal(100)) else Decimal(1)


def _feedback_index(period: Period, scope: QuerySet[Dossier]) -> Decimal | None:
    rows = Feedback.objects.filter(
        due_at__gte=period.start_moment, due_at__lt=period.end_moment, dossier__in=scope
    )
    total = rows.count()
    if not total:
        return Decimal(2)  # no feedback received: full points (the rule's "none")
    on_time = sum(
        1
        for f in rows
        if f.status == FeedbackStatus.ANSWERED and f.answered_at and f.answered_at <= f.due_at
    )
    share = Decimal(100) * on_time / total
    return Decimal(2) if share == 100 else (Decimal(1) if share >= 90 else Decimal(0))


def _online_index(period: Period, scope: QuerySet[Dossier]) -> Decimal | None:
    received = scope.filter(received_at__gte=period.start_moment, received_at__lt=period.end_moment)
    total = received.count()
    if not total:
        return None
    procedures = received.values_list("procedure_version__online_level", flat=True).distinct()
    levels = list(procedures)
    offered = sum(1 for level in levels if level != OnlineLevel.NONE)
    online = received.filter(channel=c.Channel.ONLINE)
    online_share = Decimal(100) * online.count() / total
    none_late = not online.filter(timeliness=c.Timeliness.LATE).exists()
    procedures_share = Decimal(100) * offered / len(levels) if levels else Decimal(0)
    if procedures_share >= 20 and online_share >= 30 and none_late:
        return Decimal(2)
    if offered and online_share >= 15 and none_late:
        return Decimal(1)
    return Decimal(0)
