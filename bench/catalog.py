"""The whole catalog at scale (issue 21): a generated national catalog of N procedures (default
2,000) imported as drafts, imported again (unchanged), published by one announcement decision,
then searched (with each search's plan). Prints the figures for bench/RESULTS.md; the catalog
pages' query counts are asserted by the tests (test_announcements.py, test_query_counts.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_catalog_bench \\
        .venv/bin/python bench/catalog.py 2000

The database must hold the reference data (migrate, load_reference_data); the generated codes
(9.xxxxxx) do not collide with real ones. Each record is a copy of one of the 56 sample records
(data/catalog/national/mau-laythutuc.json) under a new code and a varied name, so the
documents, fees and channels are as varied as the real ones.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
django.setup()

from django.db import connection  # noqa: E402

from cchc.procedures import announcements, sync  # noqa: E402
from cchc.procedures.constants import VersionStatus  # noqa: E402
from cchc.procedures.models import ProcedureVersion  # noqa: E402
from cchc.procedures.querysets import search_versions  # noqa: E402

WORDS = ["cấp", "đổi", "gia hạn", "điều chỉnh", "thu hồi", "xác nhận", "đăng ký", "cấp lại"]


def generated(n: int) -> list[dict]:
    base = Path(__file__).resolve().parents[1] / "data" / "catalog" / "national"
    sample = json.loads((base / "mau-laythutuc.json").read_text(encoding="utf-8"))["result"]
    records = []
    for i in range(n):
        record = copy.deepcopy(sample[i % len(sample)])
        record["MATTHC"] = f"9.{i:06d}"
        record["TENTTHC"] = (
            f"{WORDS[i % len(WORDS)].capitalize()} {record['TENTTHC'].lower()} (mẫu {i})"
        )
        records.append(record)
    return records


def timed(label: str, work):
    start = time.perf_counter()
    result = work()
    print(f"{label}: {time.perf_counter() - start:.1f} s")
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    if sys.argv[2:] == ["search"]:  # the searches only, on the catalog a run left
        return search()
    ProcedureVersion.objects.filter(procedure__code__startswith="9.").delete()
    records = generated(n)
    first = timed(f"import {n} records (drafts)", lambda: sync.sync(records, actor=None))
    print(f"  created {len(first.created)}, refused {len(first.refused)}")
    decision = {
        "number": f"BENCH-{time.time():.0f}",
        "signed_on": "2026-01-01",
        "effective_from": "2026-01-01",
        "items": [{"code": r["MATTHC"], "action": "new", "level": "commune"} for r in records],
    }
    report = timed(
        "publish them by one decision", lambda: announcements.apply(decision, actor=None)
    )
    print(f"  published {len(report.published)}, refused {len(report.refused)}")
    again = timed(f"import the same {n} records again", lambda: sync.sync(records, actor=None))
    print(f"  unchanged {len(again.unchanged)}")
    search()


def search() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk import
            cursor.execute("ANALYZE procedures_procedureversion")
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
    print(f"published versions in the catalog: {published.count()}")
    for query in ("giay xac nhan tinh trang hon nhan", "ho tich", "mau 1999"):
        qs = search_versions(published, query).order_by("procedure__code")[:50]
        start = time.perf_counter()
        for _ in range(20):
            rows = list(qs.values_list("pk", flat=True))
        took = (time.perf_counter() - start) / 20 * 1000
        with connection.cursor() as cursor:
            sql, params = qs.values_list("pk").query.sql_with_params()
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql, params)
                lines = [r[0].strip() for r in cursor.fetchall()]
                plan = " / ".join(x for x in lines if "Scan" in x or "Index" in x)
            else:
                plan = ""
        print(f"search “{query}”: {len(rows)} rows, {took:.1f} ms; plan: {plan[:400]}")


if __name__ == "__main__":
    main()
