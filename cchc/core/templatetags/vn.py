"""Dates as Vietnamese pages write them, fast: the inbox and the dossier page print dozens of
moments per request, and Django's `date` filter goes through the localisation machinery for
each (a tenth of the inbox's time). Same output as `|date:"H:i d/m/Y"` and `|date:"d/m/Y"`
in the current time zone (Asia/Ho_Chi_Minh by default)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


def _local(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def day(value: dt.date | None) -> str:
    """dd/mm/yyyy of a date or of a moment, in the current time zone."""
    if not isinstance(value, dt.date):
        return ""
    v = _local(value)
    return f"{v.day:02d}/{v.month:02d}/{v.year:04d}"


@register.filter
def moment(value: dt.datetime | None) -> str:
    """hh:mm dd/mm/yyyy of a moment, in the current time zone (a date alone: dd/mm/yyyy)."""
    if not isinstance(value, dt.datetime):
        return day(value)
    v = _local(value)
    return f"{v.hour:02d}:{v.minute:02d} {v.day:02d}/{v.month:02d}/{v.year:04d}"
