"""R-CORRECT's rules: the correction dossier's limit and its short process (the service that
opens one is `returns.request_correction`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from cchc.accounts.constants import Role
from cchc.calendars.arithmetic import Limit, LimitUnit

from ..models import Dossier


def correction_limit() -> Limit:
    """R-CORRECT: back at the desk within CCHC_CORRECTION_DAYS (3) working days."""
    return Limit(Decimal(settings.CCHC_CORRECTION_DAYS), LimitUnit.WORKING_DAYS)


def correction_steps(d: Dossier) -> list[tuple[str, Any, bool, str, Decimal]]:
    """The correction's own short process: the desk, the agency that erred (or the competent
    one), its leader's signature, the desk again; the days shared as 2 + 1."""
    days = Decimal(settings.CCHC_CORRECTION_DAYS)
    sign = min(Decimal(1), days)
    return [
        ("Tiếp nhận yêu cầu đính chính", d.receiving_agency, True, Role.RECEPTIONIST, Decimal(0)),
        ("Đính chính kết quả", d.competent_agency, False, Role.SPECIALIST, days - sign),
        ("Lãnh đạo ký kết quả đính chính", d.competent_agency, False, Role.AGENCY_LEADER, sign),
        ("Trả kết quả đính chính", d.receiving_agency, True, Role.RECEPTIONIST, Decimal(0)),
    ]
