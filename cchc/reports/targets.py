"""The 2019 plan's targets as live metrics (definitions also in docs/reports.md).

Every metric gives its numerator and denominator, or "no data" (never zero or full marks) when
the system cannot measure it yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from cchc.core.rates import percentage
from cchc.dossiers import constants as c
from cchc.dossiers import rates
from cchc.dossiers.models import Dossier
from cchc.organizations.constants import AgencyKind, AutonomyLevel, DeskKind, QmsStandard, QmsStatus
from cchc.organizations.models import Agency, AutonomyRecord, QualityCertification, StaffingRecord
from cchc.procedures.constants import OnlineLevel, VersionStatus
from cchc.procedures.models import Competence, ProcedureVersion

from .periods import Period


def traffic_light(value: Decimal | None, target: Decimal | None) -> str:
    """green when the target is met, amber within 10 points, red below; grey without data."""
    if value is None or target is None:
        return "no_data"
    if value >= target:
        return "green"
    return "amber" if value >= target - 10 else "red"


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    definition: str
    numerator: int | None
    denominator: int | None
    target: Decimal | None = None
    unit: str = "%"

    @property
    def value(self) -> Decimal | None:
        return percentage(self.numerator, self.denominator)

    @property
    def light(self) -> str:
        return traffic_light(self.value, self.target)


def _pct(code, name, definition, num, den, target=None):  # type: ignore[no-untyped-def]
    return Metric(code, name, definition, num, den, Decimal(target) if target is not None else None)


def published_on(period: Period) -> QuerySet[ProcedureVersion]:
    return (
        ProcedureVersion.objects.filter(
            status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]
        )
        .exclude(valid_from__gt=period.end)
        .exclude(valid_to__lt=period.end)
    )


def one_stop_share(period: Period, level: str) -> Metric:
    versions = [
        v for v in published_on(period).select_related("procedure") if level in v.level_list()
    ]
    with_rule = set(
        Competence.objects.filter(procedure_id__in=[v.procedure_id for v in versions])
        .exclude(valid_from__gt=period.end)
        .exclude(valid_to__lt=period.end)
        .values_list("procedure_id", flat=True)
    )
    return _pct(
        f"one_stop_{level}",
        f"Thủ tục cấp {dict(province='tỉnh', district='huyện', commune='xã')[level]} giải quyết "
        "theo cơ chế một cửa",
        "Thủ tục đang có hiệu lực của cấp này có quy tắc thẩm quyền để bộ phận một cửa tiếp nhận "
        "/ tổng số thủ tục của cấp.",
        sum(1 for v in versions if v.procedure_id in with_rule),
        len(versions),
        100,
    )


def on_time_share(period: Period, scope: QuerySet[Dossier]) -> Metric:
    start, end = period.start_moment, period.end_moment
    settled = scope.filter(rates.settled(start, end))
    return _pct(
        "on_time",
        "Hồ sơ giải quyết đúng hạn",
        "Hồ sơ trả kết quả trong kỳ trước hạn hoặc đúng hạn / hồ sơ trả kết quả trong kỳ "
        "(so với hạn theo quy định, không theo ngày hẹn lại).",
        settled.filter(timeliness__in=rates.IN_TIME).count(),
        settled.count(),
        100,
    )


def on_the_spot_share(
    period: Period,
    scope: QuerySet[Dossier],
    desk_kinds: list[str],
    *,
    frequent_only: bool,
    code: str,
    name: str,
    target: int,
) -> Metric:
    received = scope.filter(
        desk__kind__in=desk_kinds,
        received_at__gte=period.start_moment,
        received_at__lt=period.end_moment,
    )
    if frequent_only:
        received = received.filter(procedure_version__frequently_received=True)
    procedures = {
        row["procedure_id"]: row["spot"]
        for row in received.values("procedure_id").annotate(
            spot=Count("pk", filter=Q(on_the_spot=True))
        )
    }
    definition = (
        "Thủ tục có hồ sơ tiếp nhận trong kỳ tại nơi này được giải quyết tại chỗ (bộ phận một cửa "
        "tiếp nhận, thẩm định và trả kết quả) / thủ tục có hồ sơ tiếp nhận trong kỳ"
        + (
            " (chỉ tính thủ tục được đánh dấu thường xuyên phát sinh hồ sơ)."
            if frequent_only
            else "."
        )
    )
    return _pct(
        code,
        name,
        definition,
        sum(1 for spot in procedures.values() if spot),
        len(procedures) or None,
        target,
    )


def online_shares(period: Period, scope: QuerySet[Dossier]) -> list[Metric]:
    new = scope.filter(received_at__gte=period.start_moment, received_at__lt=period.end_moment)
    versions = list(published_on(period).values_list("online_level", flat=True))
    return [
        _pct(
            "online_dossiers",
            "Hồ sơ nộp trực tuyến",
            "Hồ sơ tiếp nhận trong kỳ nộp trực tuyến / hồ sơ tiếp nhận trong kỳ.",
            new.filter(channel=c.Channel.ONLINE).count(),
            new.count(),
        ),
        _pct(
            "online_full",
            "Thủ tục cung cấp dịch vụ công trực tuyến toàn trình",
            "Thủ tục đang có hiệu lực cung cấp trực tuyến toàn trình / tổng số thủ tục.",
            versions.count(OnlineLevel.FULL),
            len(versions),
        ),
        _pct(
            "online_partial",
            "Thủ tục cung cấp dịch vụ công trực tuyến một phần",
            "Thủ tục đang có hiệu lực cung cấp trực tuyến một phần / tổng số thủ tục.",
            versions.count(OnlineLevel.PARTIAL),
            len(versions),
        ),
    ]


def iso_commune_share(period: Period) -> Metric:
    day = period.end
    communes = list(
        Agency.objects.on(day)
        .filter(kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE)
        .values_list("pk", flat=True)
    )
    latest = QualityCertification.objects.filter(agency_id__in=communes).status_on(day)
    applying = {
        agency
        for (agency, standard), record in latest.items()
        if standard == QmsStandard.ISO_9001_2015
        and record.status in (QmsStatus.APPLYING, QmsStatus.ANNOUNCED)
    }
    return _pct(
        "iso_communes",
        "UBND cấp xã áp dụng TCVN ISO 9001:2015",
        "UBND cấp xã đang hoạt động ngày cuối kỳ có hồ sơ ISO 9001:2015 đang áp dụng hoặc đã "
        "công bố phù hợp / tổng số UBND cấp xã. Không có hồ sơ ISO nào thì “chưa có số liệu”.",
        len(applying) if latest else None,
        len(communes),
        100,
    )


def iso_upgrade_share(period: Period) -> Metric:
    day = period.end
    agencies = Agency.objects.on(day).filter(
        kind__in=[AgencyKind.DEPARTMENT, AgencyKind.DISTRICT_PEOPLES_COMMITTEE]
    )
    latest = QualityCertification.objects.filter(agency__in=agencies).status_on(day)
    had_2008 = {a for (a, std) in latest if std == QmsStandard.ISO_9001_2008}
    moved = {
        a
        for (a, std), r in latest.items()
        if std == QmsStandard.ISO_9001_2015 and a in had_2008 and r.status == QmsStatus.ANNOUNCED
    }
    return _pct(
        "iso_upgrade",
        "Sở, ngành, UBND cấp huyện chuyển đổi ISO 9001:2008 sang 2015",
        "Cơ quan từng áp dụng ISO 9001:2008 đã công bố phù hợp ISO 9001:2015 / cơ quan từng áp "
        "dụng ISO 9001:2008.",
        len(moved) if had_2008 else None,
        len(had_2008),
        100,
    )


def satisfaction_share(period: Period, scope: QuerySet[Dossier]) -> Metric:
    rated = scope.filter(
        returned_at__gte=period.start_moment,
        returned_at__lt=period.end_moment,
        rating__isnull=False,
    )
    return _pct(
        "satisfaction",
        "Mức độ hài lòng",
        "Hồ sơ trả kết quả trong kỳ được đánh giá hài lòng (không tiêu chí nào “không hài lòng”) / "
        "hồ sơ trả kết quả trong kỳ có đánh giá.",
        rated.filter(rating__satisfied=True).count(),
        rated.count(),
    )


def staffing(period: Period, base_year: int) -> list[Metric]:
    year = period.end.year
    now = StaffingRecord.objects.filter(year=year).aggregate(q=Sum("quota"), h=Sum("headcount"))
    base = StaffingRecord.objects.filter(year=base_year).aggregate(q=Sum("quota"))
    return [
        _pct(
            "staffing_fill",
            f"Biên chế có mặt / biên chế được giao năm {year}",
            "Tổng số người có mặt / tổng biên chế được giao (hồ sơ biên chế của năm).",
            now["h"],
            now["q"],
        ),
        _pct(
            "staffing_vs_base",
            f"Biên chế được giao năm {year} so với năm {base_year}",
            "Tổng biên chế được giao năm báo cáo / năm gốc.",
            now["q"],
            base["q"],
        ),
    ]


def autonomy(period: Period) -> list[Metric]:
    rows = AutonomyRecord.objects.filter(year=period.end.year)
    total = rows.count()

    return [
        _pct(
            f"autonomy_{level}",
            f"Đơn vị sự nghiệp: {label}",
            "Đơn vị sự nghiệp công lập ở mức tự chủ này / đơn vị có hồ sơ tự chủ của năm.",
            rows.filter(level=level).count() if total else None,
            total,
        )
        for level, label in AutonomyLevel.choices
    ]


def all_targets(period: Period, scope: QuerySet[Dossier], base_year: int = 2015) -> list[Metric]:
    district_desks = [DeskKind.DISTRICT_RECEPTION]
    return [
        one_stop_share(period, "province"),
        one_stop_share(period, "district"),
        one_stop_share(period, "commune"),
        on_time_share(period, scope),
        on_the_spot_share(
            period,
            scope,
            [DeskKind.PROVINCIAL_CENTER],
            frequent_only=False,
            code="spot_center",
            name="Thủ tục giải quyết tại chỗ tại Trung tâm PVHCC tỉnh",
            target=20,
        ),
        on_the_spot_share(
            period,
            scope,
            district_desks,
            frequent_only=True,
            code="spot_district",
            name="Thủ tục giải quyết tại chỗ tại bộ phận một cửa cấp huyện",
            target=50,
        ),
        *online_shares(period, scope),
        iso_commune_share(period),
        iso_upgrade_share(period),
        *staffing(period, base_year),
        *autonomy(period),
        satisfaction_share(period, scope),
    ]
