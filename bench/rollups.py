"""The periodic report computed from the dossiers against the same report from the rollups
(issue 20). Run from the repository root on the bench database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/rollups.py

For a year and a month (by agency), and for the province dashboard's twelve-month series, it
times both paths in this one process (median of 3 live runs and 10 rollup runs), checks that
every cell is the same, and prints a Markdown table for RESULTS.md. The year and month default
to 2025 and October 2025 (`BENCH_YEAR`, `BENCH_MONTH`).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: F401  (configures Django for the bench database)
from django.db import connection
from django.utils import timezone

from cchc.dossiers.models import Dossier
from cchc.reports import periods
from cchc.reports.rollups import as_of
from cchc.reports.stats import rollup_report, settlement_report
from cchc.reports.views import monthly_series, rollup_series

YEAR = int(os.environ.get("BENCH_YEAR", "2025"))
MONTH = int(os.environ.get("BENCH_MONTH", "10"))


def timed(fn: Callable[[], Any], times: int) -> tuple[float, Any]:
    spent, result = [], None
    for _ in range(times):
        began = time.perf_counter()
        result = fn()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), result


def cells(report: Any) -> dict[Any, dict[str, int]]:
    return {row.key: dict(row.cells) for row in report.rows}


def main() -> None:
    if as_of() is None:
        sys.exit("the rollups were never built: manage.py rebuild_rollups")
    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    rows = [
        "| what | rows | computed from the dossiers | from the rollups | same cells |",
        "|---|---|---|---|---|",
    ]
    for label, period in (
        (f"year {YEAR}, by agency", periods.year(YEAR)),
        (f"{MONTH:02d}/{YEAR}, by agency", periods.month(YEAR, MONTH)),
    ):
        live_ms, live = timed(lambda p=period: settlement_report(p, "agency"), 3)
        roll_ms, roll = timed(lambda p=period: rollup_report(p, "agency"), 10)
        same = cells(live) == cells(roll)
        rows.append(
            f"| {label} | {len(roll.rows)} | {live_ms:,.0f} ms | {roll_ms:,.1f} ms | "
            f"{'yes' if same else '**no**'} |"
        )
        print(rows[-1], flush=True)
    live_ms, live = timed(lambda: monthly_series(Dossier.objects.all()), 1)
    roll_ms, roll = timed(lambda: rollup_series(), 10)
    rows.append(
        f"| the dashboard's 12 months, province | {len(roll or [])} | {live_ms:,.0f} ms | "
        f"{roll_ms:,.1f} ms | {'yes' if live == roll else '**no**'} |"
    )
    print("\n".join(rows))
    computed = timezone.localtime(as_of())
    print(f"\n{Dossier.objects.count():,} dossiers; rollups computed at {computed:%d/%m/%Y %H:%M}.")


if __name__ == "__main__":
    main()
