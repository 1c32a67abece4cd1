"""Self-assessment reminders: N working days before the deadline to the agency's staff, once;
after it, unsubmitted, to the agency's leaders and the reform office, once."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command

from cchc.indices import services as s
from cchc.indices.models import AssessmentReminder
from cchc.indices.reminders import run as run_reminders
from cchc.indices.tests.test_assessments import small_framework
from cchc.integrations import outbox

pytestmark = pytest.mark.django_db


def run(day):
    """The daily command, then the worker's pass (the mails go through the outbox)."""
    told = run_reminders(day)
    outbox.sweep()
    return told


def test_reminders_count_working_days_and_go_once_to_the_right_people(world, settings):
    settings.CCHC_INDEX_REMIND_DAYS = 3
    f = small_framework(world)
    f.self_deadline = dt.date(2026, 12, 14)  # a Monday
    f.save()
    s.publish(f, actor=world.reform_officer)
    # Tuesday 08/12: three working days ahead is Friday 11/12, before the deadline
    assert run(dt.date(2026, 12, 8)) == 0
    # Wednesday 09/12: Thursday, Friday, (weekend,) Monday — the deadline is within reach
    assert run(dt.date(2026, 12, 9)) >= 2
    told = {r.user for r in AssessmentReminder.objects.filter(key__startswith="self-due:")}
    assert {world.dept_specialist, world.dept_leader} <= told
    assert world.receptionist not in told  # a commune desk is not a department
    for r in AssessmentReminder.objects.filter(key__startswith="self-due:"):
        assert r.user.memberships.filter(agency=r.assessment.agency).exists()
    note = AssessmentReminder.objects.filter(user=world.dept_specialist).get()
    assert "14/12/2026" in note.subject and "1.1 chưa tự chấm điểm" in note.body
    assert any(world.dept_specialist.email in m.to for m in mail.outbox)
    assert run(dt.date(2026, 12, 10)) == 0  # once per person
    # Tuesday 15/12, not submitted: the leaders and the reform office, once
    assert run(dt.date(2026, 12, 15)) >= 2
    late = {r.user for r in AssessmentReminder.objects.filter(key__startswith="self-missing:")}
    assert {world.dept_leader, world.reform_officer} <= late
    assert world.dept_specialist not in late
    assert run(dt.date(2026, 12, 16)) == 0
    out = io.StringIO()
    call_command("send_index_reminders", stdout=out)
    assert "nhắc việc tự đánh giá" in out.getvalue()


def test_submitted_and_draft_frameworks_remind_no_one(world):
    f = small_framework(world)
    f.self_deadline = dt.date(2026, 12, 14)
    f.save()
    assert run(dt.date(2026, 12, 15)) == 0  # a draft framework has no assessments yet
    s.publish(f, actor=world.reform_officer)
    f.assessments.update(status="submitted")
    assert run(dt.date(2026, 12, 9)) == 0 and run(dt.date(2026, 12, 15)) == 0
