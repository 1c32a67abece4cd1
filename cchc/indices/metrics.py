"""Live data a `metric` criterion is scored on: each gives a numerator and a denominator for
one agency and one year (denominator 0: no data, the council scores it by hand)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from cchc.dossiers.models import Dossier
from cchc.organizations.constants import QmsStandard, QmsStatus
from cchc.organizations.models import Agency, QualityCertification
from cchc.reports import targets
from cchc.reports.periods import Period


def _year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"Năm {year}")


def _scope(agency: Agency):  # type: ignore[no-untyped-def]
    return Dossier.objects.filter(competent_agency=agency)


def _on_time(agency: Agency, year: int) -> tuple[int, int]:
    m = targets.on_time_share(_year(year), _scope(agency))
    return m.numerator or 0, m.denominator or 0


def _online(agency: Agency, year: int) -> tuple[int, int]:
    m = targets.online_shares(_year(year), _scope(agency))[0]
    return m.numerator or 0, m.denominator or 0


def _satisfaction(agency: Agency, year: int) -> tuple[int, int]:
    m = targets.satisfaction_share(_year(year), _scope(agency))
    return m.numerator or 0, m.denominator or 0


def _iso(agency: Agency, year: int) -> tuple[int, int]:
    latest = QualityCertification.objects.filter(agency=agency).status_on(dt.date(year, 12, 31))
    if not latest:
        return 0, 0
    applying = any(
        standard == QmsStandard.ISO_9001_2015
        and record.status in (QmsStatus.APPLYING, QmsStatus.ANNOUNCED)
        for (_agency, standard), record in latest.items()
    )
    return int(applying), 1


METRICS: dict[str, tuple[Any, Callable[[Agency, int], tuple[int, int]]]] = {
    "on_time": (_("Tỷ lệ hồ sơ giải quyết đúng hạn trong năm"), _on_time),
    "online": (_("Tỷ lệ hồ sơ nộp trực tuyến trong năm"), _online),
    "satisfaction": (_("Tỷ lệ hồ sơ được đánh giá hài lòng trong năm"), _satisfaction),
    "iso": (_("Áp dụng TCVN ISO 9001:2015 (có = 100%)"), _iso),
}


def measure(code: str, agency: Agency, year: int) -> tuple[int, int]:
    if code not in METRICS:
        return 0, 0
    return METRICS[code][1](agency, year)
