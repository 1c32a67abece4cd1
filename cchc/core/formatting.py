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


def number(value: Decimal | float | int | None, empty: str = "—") -> str:
    """A figure as Vietnamese documents print it: `100` (never `1E+2`), `93,5`, `1.234,75`;
    trailing zeros of a decimal dropped; `empty` for no value."""
    if value is None:
        return empty
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    text = f"{amount:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")
