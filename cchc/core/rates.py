"""Percentages as every page, export, report and index shows them: one function.

`percentage(part, whole)` is part / whole × 100 as a `Decimal` with one decimal, rounded half
up (6.25 → 6.3, where binary floats would say 6.2), or None when there is nothing to count.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ONE_DECIMAL = Decimal("0.1")


def percentage(part: int | None, whole: int | None) -> Decimal | None:
    if not whole or part is None:
        return None
    return (Decimal(100) * Decimal(part) / Decimal(whole)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
