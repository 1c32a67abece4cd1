"""Working-time arithmetic (tính thời hạn giải quyết), free of the ORM.

Rules: R-TIME-1 … R-TIME-7 in `docs/rules.md`; decisions in docs/adr/0003.

* A day is working or not by a `DayRules` object (weekends, public holidays, the Government's
  swaps, make-up Saturdays and administrator overrides).
* A working day has one or more working periods (default 07:30–11:30 and 13:30–17:00), which
  may change with the season.
* The clock starts at the moment of receipt if it lies inside a working period and before
  the procedure's cut-off; otherwise at the start of the next working period.
* "N working days" ends at the same point of the working day (the same working time elapsed
  since the day's start) on the N-th following working day; a clock started at the very start
  of a day therefore ends at the close of the N-th working day counted from that day.
* "N working hours" is N hours of working time; "N calendar days" ends at the close of the
  working day on the N-th calendar day, or of the next working day if that day is off (Civil
  Code art. 148).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

VN_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
ZERO = dt.timedelta(0)


class LimitUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    WORKING_HOURS = "working_hours"
    CALENDAR_DAYS = "calendar_days"


@dataclass(frozen=True)
class DayInfo:
    """Whether `date` is a working day, and the rule that says so."""

    date: dt.date
    is_working: bool
    reason: str = ""
    reference: str = ""


class DayRules(Protocol):
    def day(self, date: dt.date) -> DayInfo: ...


@dataclass(frozen=True)
class Period:
    start: dt.time
    end: dt.time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a working period must end after it starts")


DEFAULT_PERIODS: tuple[Period, ...] = (
    Period(dt.time(7, 30), dt.time(11, 30)),
    Period(dt.time(13, 30), dt.time(17, 0)),
)


@dataclass(frozen=True)
class Season:
    """Working periods used from `start` (month, day) to `end` (month, day), inclusive.

    A season may wrap the new year (e.g. winter from (10, 1) to (3, 31)).
    """

    name: str
    start: tuple[int, int]
    end: tuple[int, int]
    periods: tuple[Period, ...]

    def span(self) -> int:
        """Days the season covers (in a leap year): the shorter season is the more specific."""
        start = dt.date(2024, *self.start)
        end = dt.date(2024, *self.end)
        return ((end - start).days % 366) + 1

    def applies(self, date: dt.date) -> bool:
        key = (date.month, date.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end


@dataclass(frozen=True)
class Limit:
    """A time limit: an amount (fractions allowed) in a unit, with an optional cut-off."""

    amount: Decimal
    unit: LimitUnit = LimitUnit.WORKING_DAYS
    cutoff: dt.time | None = None

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("a time limit cannot be negative")


@dataclass(frozen=True)
class Suspension:
    """A stop of the clock (R-TIME-5), kept as its own interval.

    `restart=True` (a supplement): when the complete dossier arrives at `end`, the whole limit
    runs again from zero. Otherwise (a pause) the due moment moves by the working time paused.
    """

    start: dt.datetime
    end: dt.datetime
    restart: bool = False
    reason: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("a suspension must end after it starts")


@dataclass(frozen=True)
class ExplainLine:
    date: dt.date
    kind: str  # "start", "skipped", "made_up", "counted", "suspension", "due"
    text: str
    reference: str = ""


@dataclass(frozen=True)
class Explanation:
    received_at: dt.datetime
    clock_start: dt.datetime
    due: dt.datetime
    lines: tuple[ExplainLine, ...] = field(default_factory=tuple)


class WeekendOnly:
    """Monday–Friday working days, nothing else: a baseline for tests and other countries."""

    def day(self, date: dt.date) -> DayInfo:
        if date.weekday() >= 5:
            return DayInfo(date, False, _weekday_name(date))
        return DayInfo(date, True)


def _weekday_name(date: dt.date) -> str:
    return "Thứ Bảy" if date.weekday() == 5 else "Chủ nhật" if date.weekday() == 6 else ""


@dataclass(frozen=True)
class WorkingCalendar:
    """A calendar of working days and working periods in one time zone."""

    rules: DayRules = field(default_factory=WeekendOnly)
    seasons: tuple[Season, ...] = ()
    default_periods: tuple[Period, ...] = DEFAULT_PERIODS
    zone: ZoneInfo = VN_ZONE
    round_up_to_period_end: bool = False

    # -- days and periods -------------------------------------------------------------------

    def day(self, date: dt.date) -> DayInfo:
        return self.rules.day(date)

    def is_working_day(self, date: dt.date) -> bool:
        return self.rules.day(date).is_working

    def periods_on(self, date: dt.date) -> tuple[Period, ...]:
        if not self.is_working_day(date):
            return ()
        # The most specific season wins: a summer schedule beats an all-year one.
        applicable = [season for season in self.seasons if season.applies(date)]
        if applicable:
            return min(applicable, key=Season.span).periods
        return self.default_periods

    def _intervals(self, date: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        return [
            (
                dt.datetime.combine(date, p.start, self.zone),
                dt.datetime.combine(date, p.end, self.zone),
            )
            for p in self.periods_on(date)
        ]

    def day_length(self, date: dt.date) -> dt.timedelta:
        return sum((end - start for start, end in self._intervals(date)), ZERO)

    def next_working_day(self, date: dt.date) -> dt.date:
        """The first working day strictly after `date` (searches up to 10 years)."""
        day = date
        for _ in range(3660):
            day += dt.timedelta(days=1)
            if self.periods_on(day):
                return day
        raise ValueError("no working day within ten years")

    def previous_working_day(self, date: dt.date) -> dt.date:
        day = date
        for _ in range(3660):
            day -= dt.timedelta(days=1)
            if self.periods_on(day):
                return day
        raise ValueError("no working day within ten years")

    def day_start(self, date: dt.date) -> dt.datetime:
        return self._intervals(date)[0][0]

    def day_end(self, date: dt.date) -> dt.datetime:
        return self._intervals(date)[-1][1]

    # -- moments ----------------------------------------------------------------------------

    def local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("naive datetimes are not accepted; give a time zone")
        return moment.astimezone(self.zone)

    def is_working_time(self, moment: dt.datetime) -> bool:
        """True if `moment` lies inside a working period (start inclusive, end exclusive)."""
        moment = self.local(moment)
        return any(start <= moment < end for start, end in self._intervals(moment.date()))

    def is_within_hours(self, moment: dt.datetime) -> bool:
        """True if `moment` is a moment a person can be served: inside a working period, its
        end included (an appointment at 17:00 is the end of the afternoon, not after it)."""
        moment = self.local(moment)
        return any(start <= moment <= end for start, end in self._intervals(moment.date()))

    def clock_start(self, moment: dt.datetime, cutoff: dt.time | None = None) -> dt.datetime:
        """When the clock starts for something received at `moment` (R-TIME-4)."""
        moment = self.local(moment)
        date = moment.date()
        if cutoff is None or moment.timetz().replace(tzinfo=None) < cutoff:
            for start, end in self._intervals(date):
                if moment < start:
                    return start
                if moment < end:
                    return moment
        return self.day_start(self.next_working_day(date))

    def _elapsed_in_day(self, moment: dt.datetime) -> dt.timedelta:
        elapsed = ZERO
        for start, end in self._intervals(moment.date()):
            if moment <= start:
                break
            elapsed += min(moment, end) - start
        return elapsed

    def _moment_at_elapsed(self, date: dt.date, elapsed: dt.timedelta) -> dt.datetime:
        """The earliest moment of `date` with `elapsed` working time behind it."""
        intervals = self._intervals(date)
        remaining = elapsed
        for start, end in intervals:
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        return intervals[-1][1]

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time inside [a, b]; zero if b is not after a."""
        a, b = self.local(a), self.local(b)
        if b <= a:
            return ZERO
        total = ZERO
        day = a.date()
        while day <= b.date():
            for start, end in self._intervals(day):
                lo, hi = max(start, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        """The moment when `amount` of working time has passed after `start`.

        When the amount runs out exactly at the end of a period, that end is the answer.
        """
        if amount < ZERO:
            raise ValueError("cannot add negative working time")
        moment = self.local(start)
        remaining = amount
        day = moment.date()
        if remaining == ZERO:
            return moment
        for _ in range(3660 * 2):
            for begin, end in self._intervals(day):
                if end <= moment:
                    continue
                lo = max(begin, moment)
                available = end - lo
                if remaining <= available:
                    return lo + remaining
                remaining -= available
            day += dt.timedelta(days=1)
        raise ValueError("working time does not fit in ten years")

    # -- limits -----------------------------------------------------------------------------

    def add_working_days(
        self, start: dt.datetime, days: Decimal | int, cutoff: dt.time | None = None
    ) -> dt.datetime:
        days = Decimal(days)
        if days < 0:
            raise ValueError("cannot add a negative number of days")
        begin = self.clock_start(start, cutoff)
        if days == 0:
            return self.day_end(begin.date())
        whole = int(days.to_integral_value(rounding=ROUND_FLOOR))
        fraction = days - whole
        elapsed = self._elapsed_in_day(begin)
        day = begin.date()
        for _ in range(whole):
            day = self.next_working_day(day)
        if whole == 0:
            due = begin
        elif elapsed == ZERO:
            due = self.day_end(self.previous_working_day(day))
        else:
            due = self._moment_at_elapsed(day, min(elapsed, self.day_length(day)))
        if fraction:
            length = self.day_length(due.date()) or self.day_length(self.next_working_day(day))
            seconds = (Decimal(length.total_seconds()) * fraction).to_integral_value()
            due = self.add_working_time(due, dt.timedelta(seconds=int(seconds)))
        return due

    def add_calendar_days(
        self, start: dt.datetime, days: int, cutoff: dt.time | None = None
    ) -> dt.datetime:
        begin = self.clock_start(start, cutoff)
        last = begin.date() + dt.timedelta(days=int(days))
        if not self.periods_on(last):
            last = self.next_working_day(last)
        return self.day_end(last)

    def due(self, start: dt.datetime, limit: Limit) -> dt.datetime:
        """The due moment of `limit` for something received at `start`."""
        if limit.unit == LimitUnit.WORKING_DAYS:
            moment = self.add_working_days(start, limit.amount, limit.cutoff)
        elif limit.unit == LimitUnit.WORKING_HOURS:
            begin = self.clock_start(start, limit.cutoff)
            seconds = int((limit.amount * 3600).to_integral_value())
            moment = self.add_working_time(begin, dt.timedelta(seconds=seconds))
        else:
            moment = self.add_calendar_days(start, int(limit.amount), limit.cutoff)
        return self._round(moment)

    def _round(self, moment: dt.datetime) -> dt.datetime:
        if not self.round_up_to_period_end:
            return moment
        for start, end in self._intervals(moment.date()):
            if start < moment <= end:
                return end
        return moment

    def due_with_suspensions(
        self, start: dt.datetime, limit: Limit, suspensions: Sequence[Suspension] = ()
    ) -> dt.datetime:
        """The due moment after the clock stops (R-TIME-5), applied in chronological order.

        A supplement (restart) runs the whole limit again from the complete dossier's arrival;
        a pause pushes the due moment by the working time it lasted.
        """
        due = self.due(start, limit)
        for stop in sorted(suspensions, key=lambda s: (s.start, s.end)):
            if stop.restart:
                due = self.due(stop.end, limit)
            else:
                due = self.add_working_time(due, self.working_time_between(stop.start, stop.end))
        return due

    # -- explanation ------------------------------------------------------------------------

    def days_between(self, first: dt.date, last: dt.date) -> Iterator[DayInfo]:
        day = first
        while day <= last:
            yield self.day(day)
            day += dt.timedelta(days=1)

    def explain(
        self, start: dt.datetime, limit: Limit, suspensions: Sequence[Suspension] = ()
    ) -> Explanation:
        """Why the due moment is what it is (R-TIME-7): every day skipped and its rule."""
        received = self.local(start)
        begin = self.clock_start(received, limit.cutoff)
        due = self.due_with_suspensions(received, limit, suspensions)
        lines: list[ExplainLine] = []
        if begin != received:
            if (
                limit.cutoff is not None
                and received.time() >= limit.cutoff
                and (self.is_working_day(received.date()))
            ):
                why = f"Nhận sau giờ tiếp nhận {limit.cutoff:%H:%M} của thủ tục"
            else:
                why = "Nhận ngoài giờ làm việc"
            lines.append(
                ExplainLine(
                    received.date(),
                    "start",
                    f"{why}: thời hạn bắt đầu tính từ {begin:%H:%M %d/%m/%Y}",
                )
            )
        for stop in suspensions:
            effect = (
                "tính lại toàn bộ thời hạn từ khi nhận đủ hồ sơ"
                if stop.restart
                else "lùi hạn thêm thời gian tạm dừng"
            )
            lines.append(
                ExplainLine(
                    self.local(stop.start).date(),
                    "suspension",
                    f"Tạm dừng {self.local(stop.start):%H:%M %d/%m/%Y} – "
                    f"{self.local(stop.end):%H:%M %d/%m/%Y}: {effect}"
                    + (f" ({stop.reason})" if stop.reason else ""),
                )
            )
        for info in self.days_between(received.date(), due.date()):
            if not info.is_working:
                lines.append(ExplainLine(info.date, "skipped", info.reason, info.reference))
            elif info.reason:
                lines.append(ExplainLine(info.date, "made_up", info.reason, info.reference))
        lines.append(ExplainLine(due.date(), "due", f"Hạn giải quyết: {due:%H:%M %d/%m/%Y}"))
        return Explanation(received, begin, due, tuple(lines))
