"""Reporting periods: month, quarter, 6 months, year or custom, as local-time moments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @property
    def start_moment(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_moment(self) -> dt.datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min)
        )


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def month(year: int, number: int) -> Period:
    return Period(dt.date(year, number, 1), _month_end(year, number), f"Tháng {number:02d}/{year}")


def quarter(year: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    return Period(dt.date(year, first, 1), _month_end(year, first + 2), f"Quý {number}/{year}")


def half(year: int, number: int) -> Period:
    first = 1 if number == 1 else 7
    label = f"6 tháng đầu năm {year}" if number == 1 else f"6 tháng cuối năm {year}"
    return Period(dt.date(year, first, 1), _month_end(year, first + 5), label)


def year(number: int) -> Period:
    return Period(dt.date(number, 1, 1), dt.date(number, 12, 31), f"Năm {number}")


def custom(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValueError("Ngày kết thúc phải sau ngày bắt đầu.")
    return Period(start, end, f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}")
