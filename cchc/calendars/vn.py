"""Vietnam's official working days: the `holidays` package plus administrator overrides.

The package knows New Year, Tết, Hùng Kings, 30/4, 1/5, 2/9 with its adjacent day, the
Government's swaps and make-up Saturdays up to its release; an administrator adds later
announcements as overrides (R-TIME-2), which always win.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import holidays

from .arithmetic import DayInfo, _weekday_name

_SWAP_NOTE = re.compile(r"(\d{2}/\d{2}/\d{4})")


@dataclass(frozen=True)
class Override:
    """An announced change to one day: a day off or a (make-up) working day."""

    date: dt.date
    is_working: bool
    name: str
    reference: str = ""


@dataclass
class VietnamDayRules:
    """Working days in Vietnam, for one province's set of overrides."""

    overrides: Mapping[dt.date, Override] = field(default_factory=dict)
    language: str = "vi"
    _years: dict[int, Any] = field(default_factory=dict, init=False, repr=False)

    def _calendar(self, year: int) -> Any:
        table = self._years.get(year)
        if table is None:
            table = holidays.country_holidays("VN", years=year, language=self.language)
            self._years[year] = table
        return table

    def _makeup_reason(self, date: dt.date) -> str:
        """Name a make-up Saturday after the day off it pays for, when the package says which."""
        wanted = date.strftime("%d/%m/%Y")
        for year in (date.year - 1, date.year, date.year + 1):
            for day_off, name in self._calendar(year).items():
                if wanted in str(name):
                    return f"Ngày làm bù (cho ngày nghỉ {day_off:%d/%m/%Y})"
        return "Ngày làm bù"

    def day(self, date: dt.date) -> DayInfo:
        override = self.overrides.get(date)
        if override is not None:
            return DayInfo(date, override.is_working, override.name, override.reference)
        table = self._calendar(date.year)
        if date in table.weekend_workdays:
            return DayInfo(date, True, self._makeup_reason(date))
        name = table.get(date)
        if name:
            return DayInfo(date, False, str(name))
        if date.weekday() >= 5:
            return DayInfo(date, False, _weekday_name(date))
        return DayInfo(date, True)
