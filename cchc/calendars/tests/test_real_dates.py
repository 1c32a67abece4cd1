"""Deadlines on Vietnam's real calendar (R-TIME-1…4, R-TIME-7): Tết, swaps, make-up Saturdays."""

import datetime as dt
from decimal import Decimal

import pytest

from cchc.calendars.arithmetic import VN_ZONE, Limit, LimitUnit, Period, Season, WorkingCalendar
from cchc.calendars.vn import Override, VietnamDayRules

VN = WorkingCalendar(rules=VietnamDayRules())


def at(text: str) -> dt.datetime:
    """'dd/mm/yyyy hh:mm' in Vietnam's time zone."""
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN_ZONE)


def days(n: int | str) -> Limit:
    return Limit(Decimal(n), LimitUnit.WORKING_DAYS)


@pytest.mark.parametrize(
    ("received", "limit", "due"),
    [
        # R-TIME-4 example across Tết 2019 (break 02–10/02/2019).
        ("01/02/2019 09:00", 3, "13/02/2019 09:00"),
        # Make-up Saturday 05/01/2019 counts as a working day.
        ("04/01/2019 09:00", 1, "05/01/2019 09:00"),
        # 31/12/2018 was swapped off, 01/01/2019 is New Year.
        ("28/12/2018 10:00", 1, "02/01/2019 10:00"),
        # 29/04–01/05/2019 off (29/04 swapped with Saturday 04/05/2019, which is worked).
        ("26/04/2019 14:00", 2, "03/05/2019 14:00"),
        ("26/04/2019 14:00", 3, "04/05/2019 14:00"),
        # Hùng Kings 2019 fell on Sunday 14/04: Monday 15/04 off in compensation.
        ("12/04/2019 09:00", 1, "16/04/2019 09:00"),
        # National Day 2025: 01/09 and 02/09 off.
        ("29/08/2025 09:00", 1, "03/09/2025 09:00"),
        # Tết 2025: 27/01–31/01 off.
        ("24/01/2025 10:00", 2, "04/02/2025 10:00"),
        # Make-up Saturday 26/04/2025 (for Friday 02/05/2025).
        ("25/04/2025 09:00", 1, "26/04/2025 09:00"),
        ("29/04/2025 09:00", 1, "05/05/2025 09:00"),
        # Tết 2026: 16–20/02 off.
        ("13/02/2026 15:00", 1, "23/02/2026 15:00"),
        # Vietnam Culture Day, a holiday from 2026: 24/11.
        ("23/11/2026 09:00", 1, "25/11/2026 09:00"),
        # Hùng Kings 2026 on Sunday 26/04 → Monday 27/04 off; 30/04 and 01/05 off.
        ("24/04/2026 09:00", 2, "29/04/2026 09:00"),
        ("29/04/2026 09:00", 1, "04/05/2026 09:00"),
    ],
)
def test_working_days_skip_holidays_and_count_make_up_saturdays(received, limit, due):
    assert VN.due(at(received), days(limit)) == at(due)


def test_day_of_receipt_is_not_a_full_day():
    # Received Monday 09:00 with 1 working day: due Tuesday 09:00, not Monday 17:00.
    assert VN.due(at("04/03/2019 09:00"), days(1)) == at("05/03/2019 09:00")


def test_received_after_hours_starts_next_working_period_and_ends_at_close():
    # Monday 18:00 → the clock starts Tuesday 07:30; 3 days: Tue, Wed, Thu → Thursday 17:00.
    received = at("04/03/2019 18:00")
    assert VN.clock_start(received) == at("05/03/2019 07:30")
    assert VN.due(received, days(3)) == at("07/03/2019 17:00")


def test_received_before_opening_starts_at_opening():
    assert VN.due(at("04/03/2019 06:45"), days(1)) == at("04/03/2019 17:00")


def test_received_on_a_holiday_starts_on_the_next_working_day():
    # Received online on 05/02/2019 (Tết): the clock starts Monday 11/02/2019 07:30.
    assert VN.clock_start(at("05/02/2019 10:00")) == at("11/02/2019 07:30")
    assert VN.due(at("05/02/2019 10:00"), days(1)) == at("11/02/2019 17:00")


def test_cutoff_pushes_same_day_procedures_to_the_next_working_day():
    cutoff = dt.time(15, 0)
    before = Limit(Decimal(0), LimitUnit.WORKING_DAYS, cutoff)
    assert VN.due(at("04/03/2019 14:00"), before) == at("04/03/2019 17:00")
    assert VN.due(at("04/03/2019 15:30"), before) == at("05/03/2019 17:00")
    # Friday after the cut-off before Tết 2019: settled on Monday 11/02.
    assert VN.due(at("01/02/2019 15:10"), before) == at("11/02/2019 17:00")


def test_working_hours_run_only_inside_working_periods():
    limit = Limit(Decimal(8), LimitUnit.WORKING_HOURS)
    assert VN.due(at("04/03/2019 10:30"), limit) == at("05/03/2019 11:00")


def test_half_day_is_half_of_that_days_working_time():
    assert VN.due(at("04/03/2019 07:30"), days("0.5")) == at("04/03/2019 11:15")


def test_calendar_days_ending_on_a_holiday_move_to_the_next_working_day():
    limit = Limit(Decimal(5), LimitUnit.CALENDAR_DAYS)
    # 31/01/2019 + 5 days = 05/02/2019 (Tết) → close of Monday 11/02/2019.
    assert VN.due(at("31/01/2019 09:00"), limit) == at("11/02/2019 17:00")
    assert VN.due(at("04/03/2019 09:00"), limit) == at("11/03/2019 17:00")  # Sat 09 → Mon 11


def test_override_day_off_announced_late_moves_the_due_date():
    extra = dt.date(2019, 3, 5)
    rules = VietnamDayRules(
        overrides={extra: Override(extra, False, "Nghỉ đột xuất", "QĐ 1/QĐ-UBND")}
    )
    calendar = WorkingCalendar(rules=rules)
    assert calendar.due(at("04/03/2019 09:00"), days(1)) == at("06/03/2019 09:00")


def test_override_can_make_a_weekend_a_working_day():
    sat = dt.date(2019, 3, 9)
    rules = VietnamDayRules(overrides={sat: Override(sat, True, "Làm bù", "TB 2/TB-UBND")})
    calendar = WorkingCalendar(rules=rules)
    assert calendar.due(at("08/03/2019 09:00"), days(1)) == at("09/03/2019 09:00")


def test_seasonal_schedule_changes_working_hours():
    summer = Season(
        "Mùa hè",
        (4, 1),
        (9, 30),
        (Period(dt.time(7), dt.time(11)), Period(dt.time(13, 30), dt.time(17))),
    )
    calendar = WorkingCalendar(rules=VietnamDayRules(), seasons=(summer,))
    assert calendar.is_working_time(at("06/05/2019 07:10"))
    assert not calendar.is_working_time(at("06/03/2019 07:10"))
    assert not calendar.is_working_time(at("06/05/2019 11:15"))


def test_explain_names_every_skipped_day_and_the_make_up_saturday():
    explanation = VN.explain(at("01/02/2019 09:00"), days(3))
    skipped = {line.date: line.text for line in explanation.lines if line.kind == "skipped"}
    assert skipped[dt.date(2019, 2, 5)] == "Tết Nguyên Đán"
    assert skipped[dt.date(2019, 2, 4)] == "Giao thừa Tết Nguyên Đán"
    assert skipped[dt.date(2019, 2, 9)] == "Thứ Bảy"
    assert len(skipped) == 9  # 02/02 … 10/02
    made_up = VN.explain(at("04/01/2019 09:00"), days(1)).lines
    assert any(
        line.kind == "made_up" and "31/12/2018" in line.text and line.date == dt.date(2019, 1, 5)
        for line in made_up
    )


def test_explain_says_why_the_clock_started_later():
    cutoff_limit = Limit(Decimal(0), LimitUnit.WORKING_DAYS, dt.time(15, 0))
    lines = VN.explain(at("04/03/2019 15:30"), cutoff_limit).lines
    assert lines[0].kind == "start" and "15:00" in lines[0].text


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        VN.due(dt.datetime(2019, 3, 4, 9, 0), days(1))


def test_the_most_specific_season_wins_whatever_the_order():
    all_year = Season("Cả năm", (1, 1), (12, 31), (Period(dt.time(7, 30), dt.time(17)),))
    winter = Season("Mùa đông", (10, 15), (4, 14), (Period(dt.time(8), dt.time(17)),))
    for seasons in ((all_year, winter), (winter, all_year)):
        calendar = WorkingCalendar(rules=VietnamDayRules(), seasons=seasons)
        assert not calendar.is_working_time(at("07/01/2019 07:45"))  # winter: from 08:00
        assert calendar.is_working_time(at("06/05/2019 07:45"))  # all-year rule in May
