"""Vietnamese display formats used outside templates (PDF data, exports, messages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone


def money(amount: Decimal | int | None) -> str:
    """`1500000` → `1.500.000 đồng` (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return f"{int(amount):,}".replace(",", ".") + " đồng"


def local_moment(moment: dt.datetime | None) -> str:
    """`hh:mm dd/mm/yyyy` in Asia/Ho_Chi_Minh, as printed on the forms."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")
