"""A task's deadline as the plan writes it (a date, a month, a quarter, "all year"), turned into
the date by which it is due: the last working day of that month, quarter or year on the
province's working calendar (a Sunday 31/12 becomes Friday 29/12)."""

from __future__ import annotations

import calendar as monthcal
import datetime as dt

from django.utils.translation import gettext as _

from cchc.calendars.arithmetic import WorkingCalendar
from cchc.core.errors import Invalid

from .constants import DeadlineKind


class DeadlineError(Invalid):
    """A deadline that cannot be read; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_deadline", message)


def written_end(kind: str, year: int, number: int | None, date: dt.date | None) -> dt.date:
    """The last calendar day of the period the plan names."""
    if kind == DeadlineKind.DATE:
        if date is None:
            raise DeadlineError(_("Thời hạn theo ngày cần ghi ngày cụ thể."))
        return date
    if kind == DeadlineKind.MONTH:
        if number is None or not 1 <= number <= 12:
            raise DeadlineError(_("Thời hạn theo tháng cần ghi tháng từ 1 đến 12."))
        return dt.date(year, number, monthcal.monthrange(year, number)[1])
    if kind == DeadlineKind.QUARTER:
        if number is None or not 1 <= number <= 4:
            raise DeadlineError(_("Thời hạn theo quý cần ghi quý từ 1 đến 4."))
        month = number * 3
        return dt.date(year, month, monthcal.monthrange(year, month)[1])
    if kind == DeadlineKind.YEAR:
        return dt.date(year, 12, 31)
    raise DeadlineError(_("Loại thời hạn không hợp lệ."))


def due_date(
    calendar: WorkingCalendar, kind: str, year: int, number: int | None, date: dt.date | None
) -> dt.date:
    """A date stays as written; a month, quarter or year ends on its last working day."""
    end = written_end(kind, year, number, date)
    if kind == DeadlineKind.DATE:
        return end
    day = end
    for _attempt in range(60):  # a long Tết closure never spans two months
        if calendar.is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    return end
