"""Where a request's time goes (issue 20). Run from the repository root on the bench database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench \\
        .venv/bin/python bench/where_time_goes.py

For each scenario of `bench/run.py` it sends 40 requests through Django's test client in this
one process (no web server, no concurrency): first without the profiler, for the time and the
statements per request, then under cProfile, for the shares of the profiled time spent in
psycopg's `execute` (the round trips), in the ORM's SQL compilation, in template rendering
(with the lazy queries it triggers) and in the middleware before the view. Prints a Markdown
table for RESULTS.md and writes the full profiles to bench/out/profile-<scenario>.txt.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

N = int(os.environ.get("BENCH_PROFILE_REQUESTS", "40"))
SCENARIOS = (
    "inbox",
    "lookup",
    "dossier",
    "reception",
    "statistics",
    "dashboard",
    "leader",
    "periodic",
)

# label → (file suffix, function name, the callers counted: a function name, or "" for any)
# Each part is counted at its outermost call only, so nested calls are not counted twice.
PARTS = {
    "psycopg execute": ("psycopg/cursor.py", "execute", ""),
    # the compilation of a whole statement, as `execute_sql` asks for it (subqueries inside)
    "SQL compilation": ("django/db/models/sql/compiler.py", "as_sql", "execute_sql"),
    # the page's template as the view renders it (includes its lazy queries)
    "templates": ("django/template/backends/django.py", "render", ""),
    "model instances": ("django/db/models/base.py", "from_db", ""),
}


def request(client: Client, s: dict, i: int):  # type: ignore[no-untyped-def]
    path = random.choice(s["paths"])
    headers = dict(s["headers"])
    cookie = headers.pop("Cookie", None)
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    if "body" in s:
        headers["Idempotency-Key"] = f"profile-{time.time_ns()}-{i}"
        content_type = headers.pop("Content-Type")
        response = client.post(path, s["body"], content_type=content_type, headers=headers)
    else:
        response = client.get(path, headers=headers)
    assert response.status_code < 400, (path, response.status_code)
    return response


def share(stats: pstats.Stats, suffix: str, name: str, via: str, total: float) -> float:
    """The cumulative time of a function's calls from `via` (any caller but itself when
    empty), as a share of the total."""
    spent = 0.0
    for (file, _line, func), (_cc, _nc, _tt, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func != name or not file.endswith(suffix):
            continue
        spent += sum(
            c[3]
            for caller, c in callers.items()
            if (caller[2] == via if via else not (caller[0] == file and caller[2] == func))
        )
    return spent / total if total else 0.0


def main() -> None:
    scenarios = run.prepare()
    scenarios.pop("_meta")
    only = {x for x in os.environ.get("BENCH_ONLY", "").split(",") if x}
    rows = [
        "| scenario | statements | ms per request (no profiler) | " + " | ".join(PARTS) + " |",
        "|---|---|---|" + "---|" * len(PARTS),
    ]
    for name in SCENARIOS:
        if name not in scenarios or (only and name not in only):
            continue
        s = scenarios[name]
        client = Client(HTTP_HOST="127.0.0.1")
        for i in range(5):  # warm the per-process caches
            request(client, s, i)
        times, counts = [], []
        for i in range(N):
            with CaptureQueriesContext(connection) as ctx:
                began = time.perf_counter()
                request(client, s, i)
                times.append((time.perf_counter() - began) * 1000)
            counts.append(len(ctx))
        reset_queries()
        profile = cProfile.Profile()
        profile.enable()
        for i in range(N):
            request(client, s, i)
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        total = stats.total_tt  # type: ignore[attr-defined]
        stats.sort_stats("cumulative").print_stats(60)
        run.OUT.mkdir(exist_ok=True)
        (run.OUT / f"profile-{name}.txt").write_text(out.getvalue())
        cells = [f"{share(stats, *PARTS[p], total):.0%}" for p in PARTS]  # type: ignore[call-arg]
        rows.append(
            f"| {name} | {statistics.median(counts):.0f} | {statistics.median(times):.1f} | "
            + " | ".join(cells)
            + " |"
        )
        print(rows[-1], flush=True)
    print("\n".join(rows))


if __name__ == "__main__":
    main()
