"""Feedback (PAKN) reminders, each sent once per person and occasion:

- CCHC_FEEDBACK_REMIND_DAYS working days before an answer is due, to the leaders of the agency
  handling it (the reform office while it is routed to no agency);
- once the due day has passed unanswered, to those leaders and to the reform office.

`manage.py send_feedback_reminders` runs it (daily from cron).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.people import people_of, reform_office
from cchc.calendars.services import calendar_for, default_province
from cchc.core.reminders import send_once

from .models import Feedback, FeedbackReminder, FeedbackStatus
from .services import FEEDBACK_HANDLERS


def run(today: dt.date | None = None) -> int:
    """Send what is due today; returns how many people were told."""
    today = today or timezone.localdate()
    calendar = calendar_for(default_province())
    soon = today
    for _step in range(settings.CCHC_FEEDBACK_REMIND_DAYS):
        soon = calendar.next_working_day(soon)
    horizon = dt.datetime.combine(soon, dt.time.max, tzinfo=calendar.zone)
    open_ = list(
        Feedback.objects.exclude(status=FeedbackStatus.ANSWERED)
        .filter(due_at__lte=horizon)
        .select_related("agency")
    )
    # the handling agency's leaders, and those of the agency above it (a commune's Center
    # answers to the commune People's Committee)
    leaders = people_of({f.agency_id for f in open_ if f.agency_id}, set(FEEDBACK_HANDLERS), today)
    heads = people_of(
        {f.agency.parent_id for f in open_ if f.agency_id and f.agency.parent_id},
        {Role.AGENCY_LEADER},
        today,
    )
    office = reform_office(today)
    total = 0
    for f in open_:
        due_day = timezone.localdate(f.due_at)
        handlers = (
            [*leaders.get(f.agency_id, []), *heads.get(f.agency.parent_id, [])]
            if f.agency_id
            else office
        )
        where = f.agency.name if f.agency_id else "Sở Nội vụ"
        if due_day >= today:
            total += send_once(
                FeedbackReminder,
                {"feedback": f},
                handlers,
                f"soon:{f.pk}:{due_day:%Y%m%d}",
                f"[PAKN] {f.tracking_code} cần trả lời trước {due_day:%d/%m/%Y}",
                f"Phản ánh, kiến nghị {f.tracking_code} ({where}) chưa được trả lời; hạn trả "
                f"lời là ngày {due_day:%d/%m/%Y}.\n\n{f.content[:500]}",
            )
        else:
            total += send_once(
                FeedbackReminder,
                {"feedback": f},
                [*handlers, *office],
                f"late:{f.pk}:{due_day:%Y%m%d}",
                f"[PAKN] {f.tracking_code} đã quá hạn trả lời",
                f"Phản ánh, kiến nghị {f.tracking_code} ({where}) đã quá hạn trả lời từ ngày "
                f"{due_day:%d/%m/%Y} mà chưa được trả lời.",
            )
    return total
