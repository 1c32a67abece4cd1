"""`/api/v1/reports/…`: the same numbers as the pages, as JSON."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from cchc.core.api import AUTH, ApiError

from .stats import GROUPS, settlement_report
from .targets import all_targets
from .views import filtered, period_from

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
    "number, start, end (dd/mm/yyyy), group, agency, desk, field, commune, level, channel.",
)
def settlement(request: HttpRequest, group: str = "agency") -> Any:
    period, _problem = period_from(request.GET)
    if group not in GROUPS:
        raise ApiError(422, "invalid_parameter", "Nhóm báo cáo không hợp lệ.", [{"field": "group"}])
    report = settlement_report(period, group, filtered(request))
    return {
        "period": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "group": report.group,
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
