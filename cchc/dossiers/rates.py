"""The on-time rate (R-STATS): what is settled, what was in time, and the rate itself — the one
definition the periodic report, the rollups, the dashboards, the targets, the public
statistics and the indices all use.

- settled: returned with a granted result (a reasoned refusal is not "settled");
- in time: settled early or on time, against the legal due moment (not a new appointment);
- rate: in time / settled, as `cchc.core.rates.percentage` (Decimal, half up, one decimal).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from cchc.core.rates import percentage

from . import constants as c

IN_TIME = (c.Timeliness.EARLY, c.Timeliness.ON_TIME)


def settled(start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    """Dossiers settled (returned with a granted result), within [start, end) if given."""
    condition = Q(status=c.Status.RETURNED, outcome=c.Outcome.GRANTED)
    if start is not None:
        condition &= Q(returned_at__gte=start)
    if end is not None:
        condition &= Q(returned_at__lt=end)
    return condition


def settled_in_time(start: dt.datetime | None = None, end: dt.datetime | None = None) -> Q:
    return settled(start, end) & Q(timeliness__in=IN_TIME)


def on_time_rate(in_time: int | None, settled_count: int | None) -> Decimal | None:
    """R-STATS: the share of settled dossiers settled early or on time, in percent."""
    return percentage(in_time, settled_count)
