"""Who works where on a day: the people lookups every reminder and alert shares."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q

from .constants import Role
from .models import Membership


def current_memberships(day: dt.date) -> Any:
    return Membership.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=day),
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        user__is_active=True,
    ).select_related("user")


def people_of(agency_ids: set[int], roles: set[str] | None, day: dt.date) -> dict[int, list[Any]]:
    rows = current_memberships(day).filter(agency_id__in=agency_ids)
    if roles is not None:
        rows = rows.filter(role__in=roles)
    out: dict[int, list[Any]] = defaultdict(list)
    for m in rows:
        out[m.agency_id].append(m.user)
    return out


def reform_office(day: dt.date) -> list[Any]:
    return [m.user for m in current_memberships(day).filter(role=Role.REFORM_OFFICER)]
