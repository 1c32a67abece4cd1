"""Build a `WorkingCalendar` for a province from the database (the only ORM-aware part)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q

from .arithmetic import Period, Season, WorkingCalendar
from .models import CalendarOverride, OverrideKind, WorkingSchedule
from .vn import Override, VietnamDayRules


def _areas() -> Any:
    """The administrative areas' model, reached through the calendar's own relation: the
    calendar imports no other app (its arithmetic knows nothing of places)."""
    return WorkingSchedule._meta.get_field("province").related_model


def default_province() -> Any:
    return (
        _areas()
        .objects.filter(level="province", code=settings.CCHC_DEFAULT_PROVINCE_CODE)
        .order_by("-valid_from")
        .first()
    )


def calendar_for(province: Any) -> WorkingCalendar:
    """The working calendar of `province` (national overrides plus its own, its hours)."""
    national: dict[dt.date, Override] = {}
    provincial: dict[dt.date, Override] = {}
    scope = (
        Q(province__isnull=True) | Q(province=province) if province else Q(province__isnull=True)
    )
    for row in CalendarOverride.objects.filter(scope):
        target = national if row.province_id is None else provincial
        target[row.date] = Override(
            row.date, row.kind == OverrideKind.WORKING_DAY, row.name, row.reference
        )
    overrides = {**national, **provincial}  # a province's own announcement wins
    seasons: tuple[Season, ...] = ()
    if province is not None:
        seasons = tuple(
            Season(
                name=s.name,
                start=(s.start_month, s.start_day),
                end=(s.end_month, s.end_day),
                periods=(
                    Period(s.morning_start, s.morning_end),
                    Period(s.afternoon_start, s.afternoon_end),
                ),
            )
            for s in WorkingSchedule.objects.filter(province=province)
        )
    return WorkingCalendar(rules=VietnamDayRules(overrides=overrides), seasons=seasons)


def province_by_code(code: str) -> Any:
    return _areas().objects.filter(level="province", code=code).order_by("-valid_from").first()
