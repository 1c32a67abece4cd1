"""The Decision 766/QĐ-TTg service index (R-766), per competent agency and period.

100 points in five groups (transparency 18, progress and results 20, digitisation 22, online
services 22, satisfaction 18). Each group is split into indicators; every indicator is a share
(numerator / denominator) turned into points pro rata up to a threshold (100 % unless the rule
says otherwise: procedures online ≥ 80 % and online dossiers ≥ 50 % earn full points).

An indicator the system cannot measure (the national portal not connected) or that has
nothing to count in the period is "no data": it scores nothing and its points leave the measured
maximum, so the total is shown as "x of the y points measured",
never padded with zeros or full marks. The split of each group into indicators is this
project's reading of the decision's annex and lives in `INDICATORS` (docs/reports.md).

Counting rules (R-766): a dossier with more than one supplement request counts as late; the
applicant's supplement time is excluded — the 766 due moment is the limit counted from
reception, pushed by the working time of every clock stop (not restarted from zero, as the
one-stop rule R-TIME-5.1 does for the legal due moment).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from cchc.accounts.services import national_identities
from cchc.calendars.arithmetic import Suspension
from cchc.core.rates import percentage
from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier, DossierDocument, DossierFee
from cchc.dossiers.services.common import calendar_of, limit_of
from cchc.integrations.dvcqg import SYSTEM as PORTAL
from cchc.integrations.dvcqg.client import enabled as portal_connected
from cchc.integrations.models import MessageStatus, OutboxMessage
from cchc.organizations.models import Agency
from cchc.portal.models import Rating
from cchc.procedures.constants import OnlineLevel

from .periods import Period

CENT = Decimal("0.01")
Key = int | None  # the competent agency's id; None for the whole scope


@dataclass(frozen=True)
class Group:
    code: str
    name: Any  # a lazy translation
    points: int


GROUPS = (
    Group("transparency", _("Công khai, minh bạch"), 18),
    Group("progress", _("Tiến độ, kết quả giải quyết"), 20),
    Group("digitisation", _("Số hóa hồ sơ, kết quả"), 22),
    Group("online", _("Cung cấp dịch vụ công trực tuyến"), 22),
    Group("satisfaction", _("Mức độ hài lòng"), 18),
)


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: Any  # lazy translations
    points: Decimal
    definition: Any
    threshold: Decimal = Decimal(100)  # the share (%) that earns full points
    measurable: bool = True


def _i(code: str, group: str, points: int, name: Any, definition: Any, **kw: object) -> Indicator:
    return Indicator(code, group, name, Decimal(points), definition, **kw)  # type: ignore[arg-type]


INDICATORS = (
    _i(
        "published",
        "transparency",
        6,
        _("Thủ tục được công bố, công khai"),
        _(
            "Thủ tục (phiên bản) của hồ sơ tiếp nhận trong kỳ đã công bố kèm quyết định công bố / "
            "số thủ tục có hồ sơ tiếp nhận trong kỳ."
        ),
    ),
    _i(
        "synced",
        "transparency",
        6,
        _("Hồ sơ đồng bộ trạng thái lên Cổng Dịch vụ công quốc gia"),
        _(
            "Hồ sơ tiếp nhận trong kỳ mà mọi thay đổi trạng thái đã được Cổng Dịch vụ công "
            "quốc gia nhận / hồ sơ tiếp nhận trong kỳ (khi đã cấu hình kết nối Cổng)."
        ),
    ),
    _i(
        "publicity_rated",
        "transparency",
        6,
        _("Đánh giá về công khai thủ tục"),
        _(
            "Đánh giá của hồ sơ trả kết quả trong kỳ không chấm “không hài lòng” tiêu chí "
            "công khai / đánh giá có chấm tiêu chí này."
        ),
    ),
    _i(
        "on_time_766",
        "progress",
        10,
        _("Hồ sơ giải quyết đúng hạn (cách tính 766)"),
        _(
            "Hồ sơ trả kết quả trong kỳ có kết quả xong trước hạn 766 và không quá một lần yêu cầu "
            "bổ sung / hồ sơ trả kết quả trong kỳ. Hạn 766 = thời hạn tính từ khi tiếp nhận, cộng "
            "thời gian làm việc của các lần dừng tính thời hạn (không tính lại từ đầu)."
        ),
    ),
    _i(
        "not_overdue",
        "progress",
        6,
        _("Hồ sơ đang giải quyết chưa quá hạn"),
        _(
            "Hồ sơ đang giải quyết vào cuối kỳ mà hạn theo quy định chưa qua / hồ sơ đang giải "
            "quyết vào cuối kỳ."
        ),
    ),
    _i(
        "time_rated",
        "progress",
        4,
        _("Đánh giá về thời gian giải quyết"),
        _(
            "Đánh giá của hồ sơ trả kết quả trong kỳ không chấm “không hài lòng” tiêu chí "
            "thời gian / đánh giá có chấm tiêu chí này."
        ),
    ),
    _i(
        "digitised",
        "digitisation",
        8,
        _("Hồ sơ được số hóa khi tiếp nhận"),
        _(
            "Hồ sơ tiếp nhận trong kỳ mà mọi giấy tờ đã nhận đều có bản điện tử (bản quét, tệp "
            "nộp trực tuyến hoặc giấy tờ lấy từ kho dữ liệu) / hồ sơ tiếp nhận trong kỳ."
        ),
    ),
    _i(
        "electronic_result",
        "digitisation",
        8,
        _("Kết quả giải quyết được số hóa, trả bản điện tử"),
        _(
            "Hồ sơ trả kết quả (giải quyết) trong kỳ có kết quả điện tử ký số, lưu vào kho dữ "
            "liệu của người nộp / hồ sơ trả kết quả (giải quyết) trong kỳ."
        ),
    ),
    _i(
        "reused",
        "digitisation",
        6,
        _("Khai thác, sử dụng lại dữ liệu số hóa"),
        _(
            "Hồ sơ tiếp nhận trong kỳ có ít nhất một giấy tờ lấy từ kho dữ liệu (kết quả, bản số "
            "hóa đã có) / hồ sơ tiếp nhận trong kỳ của thủ tục có thành phần được tái sử dụng."
        ),
    ),
    _i(
        "online_procedures",
        "online",
        6,
        _("Thủ tục cung cấp dịch vụ công trực tuyến"),
        _(
            "Thủ tục có hồ sơ tiếp nhận trong kỳ được cung cấp trực tuyến (một phần hoặc toàn "
            "trình) / số thủ tục có hồ sơ tiếp nhận trong kỳ; từ 80% được điểm tối đa."
        ),
        threshold=Decimal(80),
    ),
    _i(
        "online_dossiers",
        "online",
        8,
        _("Hồ sơ nộp trực tuyến"),
        _(
            "Hồ sơ tiếp nhận trong kỳ nộp trực tuyến / hồ sơ tiếp nhận trong kỳ của các thủ tục có "
            "cung cấp trực tuyến; từ 50% được điểm tối đa."
        ),
        threshold=Decimal(50),
    ),
    _i(
        "online_payment",
        "online",
        4,
        _("Thanh toán trực tuyến"),
        _("Khoản phí, lệ phí thu trong kỳ thanh toán trực tuyến / khoản phí, lệ phí thu trong kỳ."),
    ),
    _i(
        "vneid",
        "online",
        4,
        _("Hồ sơ trực tuyến xác thực bằng định danh điện tử"),
        _(
            "Hồ sơ trực tuyến tiếp nhận trong kỳ của tài khoản đã liên kết định danh điện tử "
            "(VNeID) / hồ sơ trực tuyến tiếp nhận trong kỳ."
        ),
    ),
    _i(
        "satisfied",
        "satisfaction",
        18,
        _("Người dân, doanh nghiệp hài lòng"),
        _(
            "Hồ sơ trả kết quả trong kỳ được đánh giá hài lòng (không tiêu chí nào "
            "“không hài lòng”) / hồ sơ trả kết quả trong kỳ có đánh giá."
        ),
    ),
)
BY_CODE = {i.code: i for i in INDICATORS}
assert all(sum(i.points for i in INDICATORS if i.group == g.code) == g.points for g in GROUPS), (
    "indicator points must add up to their group's"
)


@dataclass(frozen=True)
class Measure:
    indicator: Indicator
    numerator: int | None = None
    denominator: int | None = None

    @property
    def share(self) -> Decimal | None:
        if not self.indicator.measurable:
            return None
        return percentage(self.numerator, self.denominator)

    @property
    def points(self) -> Decimal | None:
        if not self.indicator.measurable or not self.denominator or self.numerator is None:
            return None
        ratio = Decimal(100) * self.numerator / self.denominator / self.indicator.threshold
        return (min(Decimal(1), ratio) * self.indicator.points).quantize(CENT, ROUND_HALF_UP)


@dataclass
class GroupScore:
    group: Group
    measures: list[Measure]

    @property
    def score(self) -> Decimal | None:
        values = [m.points for m in self.measures if m.points is not None]
        return sum(values, Decimal(0)) if values else None

    @property
    def measured_max(self) -> Decimal:
        return sum((m.indicator.points for m in self.measures if m.points is not None), Decimal(0))


@dataclass
class ServiceIndex:
    measures: dict[str, Measure] = field(default_factory=dict)

    @property
    def groups(self) -> list[GroupScore]:
        return [
            GroupScore(g, [self.measures[i.code] for i in INDICATORS if i.group == g.code])
            for g in GROUPS
        ]

    @property
    def total(self) -> Decimal | None:
        scores = [g.score for g in self.groups if g.score is not None]
        return sum(scores, Decimal(0)) if scores else None

    @property
    def measured_max(self) -> Decimal:
        return sum((g.measured_max for g in self.groups), Decimal(0))


Counts = dict[Key, list[int]]  # key → [numerator, denominator]


def _count(pairs: Iterable[tuple[Key, bool]]) -> Counts:
    counts: Counts = defaultdict(lambda: [0, 0])
    for key, hit in pairs:
        counts[key][1] += 1
        counts[key][0] += int(hit)
    return counts


def _key(by_agency: bool) -> str | None:
    return "competent_agency_id" if by_agency else None


def _values(qs: QuerySet, by_agency: bool, *fields: str) -> Iterable[tuple]:  # type: ignore[type-arg]
    """Rows of (key, *fields), the key being the agency id or None."""
    if by_agency:
        return qs.values_list("competent_agency_id", *fields)
    return ((None, *row) for row in qs.values_list(*fields))


def _grouped(qs: QuerySet, by_agency: bool, hit: Q) -> Counts:  # type: ignore[type-arg]
    """numerator / denominator per key in one GROUP BY (or one aggregate)."""
    if by_agency:
        rows = (
            qs.order_by()
            .values("competent_agency_id")
            .annotate(n=Count("pk", filter=hit), d=Count("pk"))
        )
        return {r["competent_agency_id"]: [r["n"], r["d"]] for r in rows}
    row = qs.aggregate(n=Count("pk", filter=hit), d=Count("pk"))
    return {None: [row["n"], row["d"]]} if row["d"] else {}


def due_766(d: Dossier) -> object:
    """The due moment under R-766: every clock stop pushes it, none restarts it."""
    calendar = calendar_of(d)
    stops = [
        Suspension(s.started_at, s.ended_at)
        for s in d.clock_stops.all()
        if s.ended_at is not None and s.ended_at >= s.started_at
    ]
    return calendar.due_with_suspensions(d.received_at, limit_of(d), stops)  # type: ignore[arg-type]


def on_time_766(d: Dossier) -> bool:
    if d.supplement_rounds > 1:
        return False
    finished = d.result_ready_at or d.returned_at
    return finished is not None and finished <= due_766(d)  # type: ignore[operator]


def _rated(returned: QuerySet, by_agency: bool, criterion: str | None) -> Counts:  # type: ignore[type-arg]
    rows = Rating.objects.filter(dossier__in=returned)
    pairs: list[tuple[Key, bool]] = []
    fields = ("dossier__competent_agency_id",) if by_agency else ()
    for row in rows.values_list(*fields, "scores", "satisfied"):
        key = row[0] if by_agency else None
        scores, satisfied = row[-2], row[-1]
        if criterion is None:
            pairs.append((key, bool(satisfied)))
        elif isinstance(scores, dict) and criterion in scores:
            pairs.append((key, int(scores[criterion]) > 0))
    return _count(pairs)


def compute(
    period: Period, scope: QuerySet[Dossier], *, by_agency: bool
) -> dict[Key, ServiceIndex]:
    """The service index per competent agency (by_agency) or for the whole scope (key None)."""
    start, end = period.start_moment, period.end_moment
    received = scope.filter(received_at__gte=start, received_at__lt=end)
    returned = scope.filter(status=c.Status.RETURNED, returned_at__gte=start, returned_at__lt=end)
    counts: dict[str, Counts] = {}

    # procedures with dossiers received in the period: published, offered online
    versions: dict[Key, dict[int, tuple[bool, str]]] = defaultdict(dict)
    for key, version_id, announcement, published_at, online in _values(
        received,
        by_agency,
        "procedure_version_id",
        "procedure_version__announcement",
        "procedure_version__published_at",
        "procedure_version__online_level",
    ):
        versions[key][version_id] = (bool(announcement and published_at), online)
    counts["published"] = _count(
        (key, flag) for key, vs in versions.items() for flag, _ in vs.values()
    )
    counts["online_procedures"] = _count(
        (key, online != OnlineLevel.NONE)
        for key, vs in versions.items()
        for _, online in vs.values()
    )
    counts["online_dossiers"] = _grouped(
        received.exclude(procedure_version__online_level=OnlineLevel.NONE),
        by_agency,
        Q(channel=c.Channel.ONLINE),
    )

    # progress under the 766 counting rule
    counts["on_time_766"] = _count(
        ((d.competent_agency_id if by_agency else None), on_time_766(d))
        for d in returned.select_related("procedure_version", "province")
        .prefetch_related("clock_stops")
        .only(
            "pk",
            "competent_agency_id",
            "province",
            "procedure_version__time_limit",
            "procedure_version__time_unit",
            "procedure_version__cutoff_time",
            "received_at",
            "result_ready_at",
            "returned_at",
            "supplement_rounds",
            "corrects_id",  # limit_of: a correction has its own limit
        )
        .iterator(chunk_size=2000)
    )
    open_at_end = scope.filter(received_at__lt=end, legal_due_at__isnull=False).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    )
    counts["not_overdue"] = _grouped(open_at_end, by_agency, Q(legal_due_at__gte=end))

    # digitisation
    with_docs = received.annotate(
        docs=Count("documents", filter=Q(documents__received=True)),
        scanned=Count("documents", filter=Q(documents__received=True) & ~Q(documents__file="")),
    ).filter(docs__gt=0)
    counts["digitised"] = _count(
        (key, docs == scanned)
        for key, docs, scanned in _values(with_docs, by_agency, "docs", "scanned")
    )
    counts["electronic_result"] = _grouped(
        returned.filter(outcome=c.Outcome.GRANTED), by_agency, Q(result_signed_at__isnull=False)
    )
    reusable = received.filter(procedure_version__documents__reusable=True).distinct()
    counts["reused"] = _grouped(
        received.filter(pk__in=reusable.values("pk")),
        by_agency,
        Q(pk__in=DossierDocument.objects.filter(reused_from__isnull=False).values("dossier_id")),
    )

    # status events delivered to the national portal (issue 18), once it is connected
    if portal_connected():
        events = OutboxMessage.objects.filter(system=PORTAL)
        counts["synced"] = _grouped(
            received,
            by_agency,
            Q(pk__in=events.filter(status=MessageStatus.DELIVERED).values("dossier_id"))
            & ~Q(pk__in=events.exclude(status=MessageStatus.DELIVERED).values("dossier_id")),
        )

    # online payment and electronic identification
    fees = DossierFee.objects.filter(
        dossier__in=scope, paid_at__gte=start, paid_at__lt=end, exempt=False
    )
    fee_key = ("dossier__competent_agency_id",) if by_agency else ()
    counts["online_payment"] = _count(
        ((row[0] if by_agency else None), row[-1] == c.PaymentMethod.ONLINE)
        for row in fees.values_list(*fee_key, "method")
    )
    identified = national_identities().values("user_id")
    counts["vneid"] = _grouped(
        received.filter(channel=c.Channel.ONLINE), by_agency, Q(applicant_user__in=identified)
    )

    # ratings
    counts["publicity_rated"] = _rated(returned, by_agency, "cong-khai")
    counts["time_rated"] = _rated(returned, by_agency, "thoi-gian")
    counts["satisfied"] = _rated(returned, by_agency, None)

    keys: set[Key] = {None} if not by_agency else set()
    for per_key in counts.values():
        keys.update(per_key)
    result: dict[Key, ServiceIndex] = {}
    for key in keys:
        index = ServiceIndex()
        for indicator in INDICATORS:
            pair = counts.get(indicator.code, {}).get(key)
            index.measures[indicator.code] = (
                Measure(indicator, pair[0], pair[1])
                if pair and indicator.measurable
                else Measure(indicator)
            )
        result[key] = index
    return result


def report(
    period: Period, scope: QuerySet[Dossier]
) -> tuple[list[tuple[int | None, str, ServiceIndex]], ServiceIndex | None]:
    """(agency id, name, index) rows, best first, and the whole scope's index."""

    per_agency = compute(period, scope, by_agency=True)
    names = dict(
        Agency.objects.filter(pk__in=[k for k in per_agency if k]).values_list("pk", "name")
    )
    rows = sorted(
        ((key, names.get(key, "—") if key else "—", index) for key, index in per_agency.items()),
        key=lambda row: (-(row[2].total or 0), row[1]),
    )
    return rows, compute(period, scope, by_agency=False).get(None)
