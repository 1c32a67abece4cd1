"""Properties of the deadline arithmetic that must hold for every start and limit."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.calendars.arithmetic import VN_ZONE, Limit, Suspension, WorkingCalendar
from cchc.calendars.vn import VietnamDayRules

CAL = WorkingCalendar(rules=VietnamDayRules())

moments = st.datetimes(min_value=dt.datetime(2018, 12, 1), max_value=dt.datetime(2026, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=VN_ZONE)
)
day_counts = st.integers(min_value=0, max_value=40)
hour_counts = st.integers(min_value=0, max_value=200)


def inside_or_at_close(moment: dt.datetime) -> bool:
    local = moment.astimezone(VN_ZONE)
    return any(
        dt.datetime.combine(local.date(), p.start, VN_ZONE)
        <= local
        <= dt.datetime.combine(local.date(), p.end, VN_ZONE)
        for p in CAL.periods_on(local.date())
    )


@settings(max_examples=150, deadline=None)
@given(moments, day_counts)
def test_due_moment_is_always_within_working_time(start, n):
    assert inside_or_at_close(CAL.due(start, Limit(Decimal(n))))


@settings(max_examples=150, deadline=None)
@given(moments, day_counts, day_counts)
def test_adding_a_then_b_working_days_equals_adding_a_plus_b(start, a, b):
    once = CAL.add_working_days(start, a + b)
    twice = CAL.add_working_days(CAL.add_working_days(start, a), b)
    if a == 0 or b == 0:  # a zero limit means "by the close of the day", not "no time"
        return
    assert once == twice


@settings(max_examples=150, deadline=None)
@given(moments, hour_counts, hour_counts)
def test_adding_a_then_b_working_hours_equals_adding_a_plus_b(start, a, b):
    begin = CAL.clock_start(start)
    once = CAL.add_working_time(begin, dt.timedelta(hours=a + b))
    twice = CAL.add_working_time(
        CAL.add_working_time(begin, dt.timedelta(hours=a)), dt.timedelta(hours=b)
    )
    assert once == twice


@settings(max_examples=150, deadline=None)
@given(
    moments, st.integers(min_value=1, max_value=30), moments, st.integers(0, 20000), st.booleans()
)
def test_a_suspension_never_shortens_a_deadline(start, n, stop_at, minutes, restart):
    limit = Limit(Decimal(n))
    base = CAL.due(start, limit)
    stop_start = max(start, min(stop_at, base))
    stop = Suspension(stop_start, stop_start + dt.timedelta(minutes=minutes), restart=restart)
    assert CAL.due_with_suspensions(start, limit, [stop]) >= base


@settings(max_examples=100, deadline=None)
@given(moments, day_counts)
def test_working_time_between_start_and_due_is_the_limit(start, n):
    # Away from partial days, N working days is N full days of working time.
    begin = CAL.clock_start(start)
    due = CAL.due(start, Limit(Decimal(n)))
    if n == 0:
        return
    length = CAL.day_length(begin.date())
    assert CAL.working_time_between(begin, due) == n * length
