"""Self-assessment reminders (issue 7), each sent once per person and occasion:

- CCHC_INDEX_REMIND_DAYS working days (default 3) before a published framework's
  self-assessment deadline, to the staff of every agency whose assessment is not submitted,
  with what is still missing;
- once the deadline has passed unsubmitted, to that agency's leaders and to the reform office.

`manage.py send_index_reminders` runs it (daily from cron), like the plans' reminders.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.people import people_of, reform_office
from cchc.calendars.services import calendar_for
from cchc.core.reminders import send_once

from . import services as s
from .constants import AssessmentStatus, FrameworkStatus
from .models import AssessmentReminder, Framework


def run(today: dt.date | None = None) -> int:
    """Send what is due today; returns how many people were told."""
    today = today or timezone.localdate()
    total = 0
    frameworks = Framework.objects.filter(
        status=FrameworkStatus.PUBLISHED, self_deadline__isnull=False
    ).select_related("province")
    for framework in frameworks:
        deadline = framework.self_deadline
        assert deadline is not None
        calendar = calendar_for(framework.province)
        soon = today
        for _step in range(settings.CCHC_INDEX_REMIND_DAYS):
            soon = calendar.next_working_day(soon)
        open_ = list(
            framework.assessments.filter(status=AssessmentStatus.DRAFT).select_related("agency")
        )
        if not open_ or (today < deadline and soon < deadline):  # not yet within the window
            continue
        agencies = {a.agency_id for a in open_}
        staff = people_of(agencies, None, today)
        leaders = people_of(agencies, {Role.AGENCY_LEADER}, today)
        office = reform_office(today) if today > deadline else []
        title = framework.title
        for a in open_:
            if today <= deadline:
                left = s.missing(a)
                todo = (
                    f"Còn {len(left)} việc trước khi gửi Hội đồng: " + "; ".join(left[:10])
                    if left
                    else "Đã chấm đủ; lãnh đạo cơ quan cần bấm gửi Hội đồng thẩm định."
                )
                total += send_once(
                    AssessmentReminder,
                    {"assessment": a},
                    staff[a.agency_id],
                    f"self-due:{a.pk}",
                    f"[CCHC] Hạn tự đánh giá Chỉ số CCHC năm {framework.year}: {deadline:%d/%m/%Y}",
                    f"{a.agency.name} chưa gửi kết quả tự đánh giá “{title}”. "
                    f"Hạn gửi: {deadline:%d/%m/%Y}. {todo}",
                )
            else:
                total += send_once(
                    AssessmentReminder,
                    {"assessment": a},
                    leaders[a.agency_id] + office,
                    f"self-missing:{a.pk}",
                    f"[CCHC] Chưa gửi tự đánh giá Chỉ số CCHC năm {framework.year}: "
                    f"{a.agency.name}",
                    f"{a.agency.name} chưa gửi kết quả tự đánh giá “{title}”; hạn đã qua ngày "
                    f"{deadline:%d/%m/%Y}. Hội đồng thẩm định chấm các tiêu chí còn thiếu.",
                )
    return total
