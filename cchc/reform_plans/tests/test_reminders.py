"""Reminders before reporting and task deadlines; alerts on missing reports and overdue tasks
to the lead agency's leaders and the reform office — each person once per occasion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from cchc.integrations import outbox
from cchc.reform_plans import reporting as r
from cchc.reform_plans.models import PlanReminder
from cchc.reform_plans.reminders import run as run_reminders
from cchc.reform_plans.testing import plan_with_department_task

pytestmark = pytest.mark.django_db


def run(day):
    """The daily command, then the worker's pass (the mails go through the outbox)."""
    told = run_reminders(day)
    outbox.sweep()
    return told


@pytest.fixture
def setup(world):
    for user, email in (
        (world.dept_specialist, "chuyenvien@sxd.example"),
        (world.dept_leader, "giamdoc@sxd.example"),
        (world.reform_officer, "cchc@snv.example"),
    ):
        user.email = email
        user.save()
    plan, task = plan_with_department_task(world)
    periods = {p.title: p for p in r.open_periods(plan)}
    return plan, task, periods


def subjects(to):
    return [m.subject for m in mail.outbox if to in m.to]


def test_reporting_deadline_reminder_then_missing_report_alert(world, setup):
    _plan, task, periods = setup
    # Wed 11/09/2019: the Q3 deadline (Mon 16/09, as 15/09 is a Sunday) is 3 working days away
    run(dt.date(2019, 9, 11))
    assert "[CCHC] Hạn gửi báo cáo Quý 3/2019: 16/09/2019" in subjects("chuyenvien@sxd.example")
    before = len(mail.outbox)
    run(dt.date(2019, 9, 11))
    assert len(mail.outbox) == before  # once per person and occasion
    mail.outbox.clear()
    run(dt.date(2019, 9, 17))
    alert = "[CCHC] Chưa gửi báo cáo Quý 3/2019: nhiệm vụ 3.1"
    assert alert in subjects("giamdoc@sxd.example") and alert in subjects("cchc@snv.example")
    assert alert not in subjects("chuyenvien@sxd.example")  # the alert goes up, not down
    assert (
        PlanReminder.objects.filter(
            key=f"report-missing:{periods['Quý 3/2019'].pk}:{task.pk}"
        ).count()
        == 2
    )


def test_a_filed_report_and_a_done_task_stop_the_reminders(world, setup):
    _plan, task, periods = setup
    rep = r.save_report(
        periods["Quý 3/2019"],
        task,
        progress="done_on_time",
        percent=100,
        narrative="Xong",
        actor=world.dept_specialist,
    )
    r.file_report(rep, actor=world.dept_specialist)
    run(dt.date(2019, 9, 11))
    run(dt.date(2019, 10, 1))
    assert not any("Quý 3/2019" in x for x in subjects("chuyenvien@sxd.example"))
    assert not any("Quý 3/2019" in x and "3.1" in x for x in subjects("giamdoc@sxd.example"))
    assert not any(x.startswith("[CCHC] Nhiệm vụ 3.1") for x in subjects("giamdoc@sxd.example"))
    # the earlier quarters were never reported: those alerts still go out
    assert "[CCHC] Chưa gửi báo cáo Quý 1/2019: nhiệm vụ 3.1" in subjects("giamdoc@sxd.example")


def test_task_deadline_reminder_then_overdue_alert(world, setup):
    _plan, _task, _periods = setup
    run(dt.date(2019, 9, 25))  # due Mon 30/09/2019, three working days ahead
    assert "[CCHC] Nhiệm vụ 3.1 đến hạn ngày 30/09/2019" in subjects("chuyenvien@sxd.example")
    run(dt.date(2019, 10, 1))
    assert "[CCHC] Nhiệm vụ 3.1 quá hạn" in subjects("giamdoc@sxd.example")
    assert "[CCHC] Nhiệm vụ 3.1 quá hạn" in subjects("cchc@snv.example")
