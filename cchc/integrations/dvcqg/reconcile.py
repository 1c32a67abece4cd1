"""The daily comparison of what the portal holds with the local dossiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cchc.dossiers.models import Dossier

from ..models import OutboxMessage
from ..outbox import DeliveryError
from ..transport import Transport
from . import SYSTEM, client, mapping

# The reception is reported as 2 ("Được tiếp nhận") and the processing as 4: both mean the
# dossier is being handled, whichever the portal saw last.
SAME = {2: 4}


def _same(field: str, portal: Any, local: Any) -> bool:
    if field == "TrangThaiHoSo":
        return SAME.get(int(portal or 0), int(portal or 0)) == SAME.get(int(local), int(local))
    return str(portal or "") == str(local or "")


def differences(day: dt.date) -> list[str]:
    """Each difference between the portal's records of the dossiers with an event on `day` and
    the local dossiers, in words."""
    try:
        status, answer = Transport.get_json(
            client.url(f"ho-so/?ngay={day.isoformat()}"),
            client.headers(),
            settings.CCHC_DVCQG_TIMEOUT,
        )
    except DeliveryError as exc:
        return [f"Không kết nối được Cổng DVCQG ({client.url('')}): {exc}"]
    if status != 200:
        return [f"Không đọc được dữ liệu của Cổng DVCQG: HTTP {status}"]
    held = {str(r.get("IdHoSoDiaPhuong")): r for r in answer.get("data", [])}
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    end = start + dt.timedelta(days=1)
    local_ids = set(
        OutboxMessage.objects.filter(
            system=SYSTEM, created_at__gte=start, created_at__lt=end
        ).values_list("ordering_key", flat=True)
    )
    prefix = f"{settings.CCHC_DVCQG_SYSTEM_CODE}-"
    held_pks = {k.removeprefix(prefix) for k in held if k.startswith(prefix)}
    dossiers = Dossier.objects.filter(
        Q(pk__in=[int(k) for k in local_ids | held_pks if k.isdigit()])
    ).select_related("procedure_version")
    found: list[str] = []
    seen = set()
    for d in dossiers:
        key = mapping.local_id(d)
        seen.add(key)
        label = d.code or d.submission_code or key
        record = held.get(key)
        if record is None:
            found.append(f"{label}: Cổng DVCQG chưa có hồ sơ này")
            continue
        for field, local in mapping.current(d).items():
            if not _same(field, record.get(field), local):
                found.append(
                    f"{label}: {field} trên Cổng là {record.get(field)!r}, tại địa phương là "
                    f"{local!r}"
                )
    for key in sorted(set(held) - seen):
        found.append(f"{key}: Cổng DVCQG có hồ sơ không có tại địa phương")
    return found
