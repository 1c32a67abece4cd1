"""`/api/v1/reports/…`: the same numbers as the pages, as JSON."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cchc.accounts.auth import AUTH
from cchc.core.api import ApiError

from .rollups import agency_months as rows
from .scope import sees_province
from .service_index import report
from .stats import GROUPS
from .targets import all_targets
from .views import filtered, period_from, report_for

router = Router(tags=["reports"], auth=AUTH)


class RowOut(Schema):
    key: Any
    name: str
    cells: dict[str, int]
    on_time_rate: float | None


class SettlementOut(Schema):
    period: str
    start: str
    end: str
    group: str
    as_of: dt.datetime | None = Field(
        None,
        description="Khi số liệu đọc từ bảng tổng hợp: thời điểm tính lại bảng; null khi tính "
        "trực tiếp từ hồ sơ.",
    )
    rows: list[RowOut]
    total: RowOut


def _row(row: Any) -> dict[str, Any]:
    rate = row.on_time_rate
    return {
        "key": row.key,
        "name": row.name,
        "cells": row.cells,
        "on_time_rate": float(rate) if rate is not None else None,
    }


@router.get(
    "/settlement",
    response=SettlementOut,
    summary="Báo cáo tình hình, kết quả giải quyết TTHC (R-STATS)",
    description="Tham số như trang báo cáo: period (month, quarter, half, year, custom), year, "
    "number, start, end (dd/mm/yyyy), group, agency, desk, field, commune, level, channel. "
    "Cán bộ CCHC xem toàn tỉnh theo tháng, quý, 6 tháng, năm được đọc từ bảng tổng hợp "
    "(as_of cho biết lúc tính); live=1 tính trực tiếp từ hồ sơ.",
)
def settlement(request: HttpRequest, group: str = "agency") -> Any:
    period, _problem = period_from(request.GET)
    if group not in GROUPS:
        raise ApiError(
            422, "invalid_parameter", _("Nhóm báo cáo không hợp lệ."), [{"field": "group"}]
        )
    report = report_for(request, period, group)
    return {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "group": report.group,
        "as_of": report.as_of,
        "rows": [_row(r) for r in report.rows],
        "total": _row(report.total),
    }


class MetricOut(Schema):
    code: str
    name: str
    definition: str
    numerator: int | None
    denominator: int | None
    value: float | None
    target: float | None
    light: str


@router.get("/targets", response=list[MetricOut], summary="Chỉ tiêu của kế hoạch, đo trực tiếp")
def targets(request: HttpRequest) -> Any:
    period, _problem = period_from(request.GET)
    return [
        {
            "code": m.code,
            "name": m.name,
            "definition": m.definition,
            "numerator": m.numerator,
            "denominator": m.denominator,
            "value": float(m.value) if m.value is not None else None,
            "target": float(m.target) if m.target is not None else None,
            "light": m.light,
        }
        for m in all_targets(period, filtered(request))
    ]


class IndicatorOut(Schema):
    code: str
    group: str
    name: str
    definition: str
    max_points: float
    numerator: int | None
    denominator: int | None
    share: float | None
    points: float | None


class ServiceIndexOut(Schema):
    agency: str
    agency_id: int | None
    total: float | None
    measured_max: float
    groups: dict[str, float | None]
    indicators: list[IndicatorOut]


class ServiceIndexReport(Schema):
    period: str
    agencies: list[ServiceIndexOut]
    overall: ServiceIndexOut | None


def _num(value: Any) -> float | None:
    return float(value) if value is not None else None


def _index(key: int | None, name: str, index: Any) -> dict[str, Any]:
    return {
        "agency": name,
        "agency_id": key,
        "total": _num(index.total),
        "measured_max": float(index.measured_max),
        "groups": {g.group.code: _num(g.score) for g in index.groups},
        "indicators": [
            {
                "code": m.indicator.code,
                "group": m.indicator.group,
                "name": str(m.indicator.name),
                "definition": str(m.indicator.definition),
                "max_points": float(m.indicator.points),
                "numerator": m.numerator if m.points is not None else None,
                "denominator": m.denominator if m.points is not None else None,
                "share": _num(m.share),
                "points": _num(m.points),
            }
            for m in index.measures.values()
        ],
    }


@router.get(
    "/service-index",
    response=ServiceIndexReport,
    summary="Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) theo cơ quan",
    description="Tham số kỳ như trang báo cáo. Chỉ tiêu chưa có số liệu có points = null.",
)
def service_index(request: HttpRequest) -> Any:

    period, _problem = period_from(request.GET)
    rows, overall = report(period, filtered(request))
    return {
        "period": period.label,
        "agencies": [_index(key, name, index) for key, name, index in rows],
        "overall": _index(None, "", overall) if overall else None,
    }


class CellOut(Schema):
    received: int
    settled: int
    on_time: int
    on_time_rate: float | None


class AgencyMonthsOut(Schema):
    agency_id: int
    agency: str
    months: list[CellOut]
    total: CellOut


@router.get(
    "/agency-months",
    response=list[AgencyMonthsOut],
    summary="Một năm theo cơ quan × tháng (từ bảng tổng hợp tháng)",
    description="Tiếp nhận, đã giải quyết, đúng hạn theo cơ quan giải quyết và tháng, đọc từ bảng "
    "tổng hợp (`rebuild_rollups`). Cán bộ CCHC, quản trị: mọi cơ quan; người khác: cơ quan "
    "của mình.",
)
def agency_months(request: HttpRequest, year: int) -> Any:

    if not 2000 <= year <= 2100:
        raise ApiError(422, "invalid_parameter", _("Năm không hợp lệ."), [{"field": "year"}])
    user = request.user
    agencies = None
    if not sees_province(user):
        agencies = [m.agency_id for m in user.current_memberships()]  # type: ignore[union-attr]
    return rows(year, agencies)
