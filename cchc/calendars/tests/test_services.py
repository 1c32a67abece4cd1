"""The calendar built from the database: a province's seasons and announced overrides."""

import datetime as dt
from decimal import Decimal

import pytest

from cchc.calendars.arithmetic import Limit
from cchc.calendars.models import CalendarOverride, OverrideKind, WorkingSchedule
from cchc.calendars.services import calendar_for, default_province

from .test_real_dates import at

pytestmark = pytest.mark.django_db


def test_the_loaded_province_works_the_default_hours():
    calendar = calendar_for(default_province())
    assert calendar.due(at("04/03/2019 09:00"), Limit(Decimal(1))) == at("05/03/2019 09:00")
    assert not calendar.is_working_time(at("04/03/2019 12:00"))


def test_a_summer_schedule_entered_by_the_administrator_applies_in_summer_only():
    province = default_province()
    WorkingSchedule.objects.create(
        province=province,
        name="Mùa hè",
        start_month=4,
        start_day=15,
        end_month=10,
        end_day=14,
        morning_start="07:00",
        morning_end="11:00",
        afternoon_start="13:30",
        afternoon_end="16:30",
        reference="QĐ giờ làm việc mùa hè (ví dụ)",
    )
    calendar = calendar_for(province)
    assert calendar.is_working_time(at("06/05/2019 07:10"))
    assert not calendar.is_working_time(at("06/05/2019 16:45"))
    assert calendar.is_working_time(at("06/03/2019 16:45"))  # the all-year schedule in March


def test_a_provincial_override_wins_over_a_national_one_and_others_keep_theirs():
    province = default_province()
    day = dt.date(2019, 3, 5)
    CalendarOverride.objects.create(
        date=day, kind=OverrideKind.DAY_OFF, name="Nghỉ toàn quốc", reference="TB 1"
    )
    assert not calendar_for(None).is_working_day(day)
    CalendarOverride.objects.create(
        date=day,
        kind=OverrideKind.WORKING_DAY,
        name="Tỉnh vẫn làm việc",
        reference="TB 2",
        province=province,
    )
    assert calendar_for(province).is_working_day(day)
    assert calendar_for(province).day(day).reference == "TB 2"
    assert not calendar_for(None).is_working_day(day)
