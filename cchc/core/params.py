"""Numbers typed into pages' forms and filters, parsed once with bounds.

`"abc"`, `"²"`, `"-1"` or a 30-digit number is not an id: the helpers answer None (or the
default) and the page treats it as "nothing chosen", never as a server error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MAX_ID = 2**63 - 1  # the largest value a BIGINT column holds


def as_int(value: Any, *, lo: int = 0, hi: int = MAX_ID, default: int | None = None) -> int | None:
    """`value` as a whole number in [lo, hi] written in ASCII digits, else `default`."""
    if value is None:
        return default
    text = str(value).strip()
    negative = text.startswith("-")
    digits = text[1:] if negative else text
    if not digits or not digits.isascii() or not digits.isdecimal() or len(digits) > 19:
        return default
    number = -int(digits) if negative else int(digits)
    return number if lo <= number <= hi else default


def as_id(value: Any) -> int | None:
    """A row id (1 … 2^63−1) or None."""
    return as_int(value, lo=1)


DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
FIRST_YEAR, LAST_YEAR = 1900, 2200  # no date in a dossier or a report lies outside


def as_day(value: Any, formats: tuple[str, ...] = DAY_FORMATS) -> dt.date | None:
    """A calendar day typed as dd/mm/yyyy (or ISO), in the years 1900–2200, else None: a day
    like 31/12/9999 would overflow every "next day" computed from it."""
    text = str(value or "").strip()[:20]
    for fmt in formats:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
    return None
