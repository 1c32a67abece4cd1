"""R-TIME-5: a supplement restarts the limit; a pause pushes the due moment."""

import datetime as dt
from decimal import Decimal

from cchc.calendars.arithmetic import Limit, Suspension, WorkingCalendar
from cchc.calendars.vn import VietnamDayRules

from .test_real_dates import at

CAL = WorkingCalendar(rules=VietnamDayRules())


def test_pause_for_a_financial_obligation_moves_due_by_the_working_time_paused():
    # Received Mon 04/03/2019 09:00, 5 days → Mon 11/03 09:00. Paused Tue 14:00 → Thu 14:00:
    # 2 working days paused → due Wed 13/03/2019 09:00.
    pause = Suspension(at("05/03/2019 14:00"), at("07/03/2019 14:00"))
    assert CAL.due_with_suspensions(at("04/03/2019 09:00"), Limit(Decimal(5)), [pause]) == at(
        "13/03/2019 09:00"
    )


def test_supplement_restarts_the_limit_from_the_complete_dossier():
    # Supplement asked Tue 05/03, complete dossier arrives Mon 11/03 10:00: 5 days from then.
    supplement = Suspension(at("05/03/2019 10:00"), at("11/03/2019 10:00"), restart=True)
    assert CAL.due_with_suspensions(at("04/03/2019 09:00"), Limit(Decimal(5)), [supplement]) == at(
        "18/03/2019 10:00"
    )


def test_pause_over_tet_only_counts_working_time():
    pause = Suspension(at("01/02/2019 09:00"), at("12/02/2019 09:00"))  # Fri → Tue after Tết
    assert CAL.working_time_between(pause.start, pause.end) == dt.timedelta(hours=7.5 * 2)
