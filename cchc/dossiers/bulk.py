"""The bulk path of `generate_workload` (PostgreSQL): a province's history at COPY speed.

The service path makes every row through the workflow services, at tens of milliseconds per
dossier: right for a demo, far too slow for a benchmark of millions. The bulk path clones the
*finished* dossiers of a window the service path produced, with every row that hangs off them
(documents, steps, hand-overs, clock stops, due changes, fees, supplement requests, issued
forms, notifications, ratings and the audit events and chain heads), backwards in time by
whole weeks, in set-based `INSERT … SELECT` statements. Each clone is therefore a row-for-row
copy of something the services wrote, shifted by whole weeks (weekdays and working hours are
kept; a holiday of the target week is not re-checked). Codes are rewritten with the shifted
date and a sequence offset (10 000 per clone of the same week, so counters pass 9 999 a day),
lookup secrets are kept, idempotency keys cleared.

The audit hashes of clones are copied, not recomputed: `verify_audit` is meaningless on a
bench database, which is what the bulk path is for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from . import constants as c

# child table → (foreign keys to remap: column → table whose id space it points to)
CHILDREN: dict[str, dict[str, str]] = {
    "dossiers_dossierdocument": {"dossier_id": "dossiers_dossier"},
    "dossiers_dossierstep": {"dossier_id": "dossiers_dossier", "parent_id": "dossiers_dossierstep"},
    "dossiers_handover": {"dossier_id": "dossiers_dossier", "step_id": "dossiers_dossierstep"},
    "dossiers_clockstop": {"dossier_id": "dossiers_dossier"},
    "dossiers_duechange": {"dossier_id": "dossiers_dossier"},
    "dossiers_dossierfee": {"dossier_id": "dossiers_dossier"},
    "dossiers_supplementrequest": {"dossier_id": "dossiers_dossier"},
    "dossiers_issuedform": {"dossier_id": "dossiers_dossier"},
    "dossiers_notification": {"dossier_id": "dossiers_dossier"},
}


def register_child(table: str, remap: dict[str, str]) -> None:
    """Another app's table hanging off a dossier (the portal's ratings) is cloned with it: the
    app registers it from its AppConfig.ready(); the workflow names no other app's table."""
    CHILDREN[table] = remap


DOSSIER = "dossiers_dossier"
AUDIT = "core_auditevent"
HEAD = "core_auditchainhead"
CHAIN_PREFIX = "dossiers.dossier:"


@dataclass
class CloneReport:
    templates: int
    clones: int
    dossiers: int
    seconds: float


def _columns(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [(name, kind) for name, kind in cur.fetchall()]


def _stride(table: str) -> int:
    """An id offset larger than every id the table holds now (one per clone)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        return int(cur.fetchone()[0]) + 1


def _expressions(table: str, remap: dict[str, str], strides: dict[str, int]) -> list[str]:
    exprs = []
    for name, kind in _columns(table):
        if name == "id":
            exprs.append(f"t.id + k.n * {strides[table]}")
        elif name in remap:
            exprs.append(f"t.{name} + k.n * {strides[remap[name]]}")
        elif kind == "timestamp with time zone":
            exprs.append(f"t.{name} - k.shift")
        elif table == DOSSIER and name == "code":
            exprs.append(
                "substring(t.code from '^(.*)-[0-9]{6}-[0-9]+$') || '-' || "
                "to_char((t.received_at - k.shift) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') "
                "|| '-' || lpad((substring(t.code from '-([0-9]+)$')::int + k.slot * 10000)::text, "
                "greatest(4, length((substring(t.code from '-([0-9]+)$')::int + k.slot * 10000)"
                "::text)), '0')"
            )
        elif table == DOSSIER and name == "idempotency_key":
            exprs.append("''")
        else:
            exprs.append(f't."{name}"')
    return exprs


def _drop_temporary(cur: Any) -> None:
    for table in [DOSSIER, *CHILDREN, AUDIT, HEAD]:
        cur.execute(f"DROP TABLE IF EXISTS tpl_{table}")
    cur.execute("DROP TABLE IF EXISTS bulk_template")


def _names(table: str) -> str:
    return ", ".join(f'"{n}"' for n, _ in _columns(table))


def _templates(start: str, end: str) -> int:
    """This connection's temporary copies of the template rows; returns how many dossiers.

    Every batch reads these few hundred rows instead of joining tables that grow as it writes.
    """
    with connection.cursor() as cur:
        _drop_temporary(cur)
        cur.execute(
            f"CREATE TEMP TABLE bulk_template AS SELECT id FROM {DOSSIER} "
            "WHERE code IS NOT NULL AND received_at IS NOT NULL AND status = ANY(%s) "
            "AND (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN %s AND %s",
            [[s for s in c.FINAL_STATUSES if s != c.Status.NOT_RECEIVED], start, end],
        )
        cur.execute("SELECT count(*) FROM bulk_template")
        templates = int(cur.fetchone()[0])
        cur.execute(
            f"CREATE TEMP TABLE tpl_{DOSSIER} AS SELECT t.* FROM {DOSSIER} t "
            "JOIN bulk_template b ON b.id = t.id"
        )
        for table in CHILDREN:
            cur.execute(
                f"CREATE TEMP TABLE tpl_{table} AS SELECT t.* FROM {table} t "
                "JOIN bulk_template b ON b.id = t.dossier_id"
            )
        cur.execute(
            f"CREATE TEMP TABLE tpl_{AUDIT} AS SELECT t.* FROM {AUDIT} t JOIN bulk_template b "
            "ON t.object_type = 'dossiers.dossier' AND t.object_id = b.id::text"
        )
        cur.execute(
            f"CREATE TEMP TABLE tpl_{HEAD} AS SELECT h.* FROM {HEAD} h JOIN bulk_template b "
            f"ON h.chain_key = '{CHAIN_PREFIX}' || b.id::text"
        )
    return templates


def _clone_batch(
    first: int,
    last: int,
    per_week: int,
    plans: dict[str, list[str]],
    audit: list[str],
    dossier_stride: int,
) -> None:
    """Clones number `first`…`last` of every template row, in one transaction."""
    clones_sql = (
        f"(SELECT n, (n - 1) %% {per_week} AS slot, "
        f"((n - 1) / {per_week} + 1) * interval '7 days' AS shift "
        "FROM generate_series(%s::bigint, %s::bigint) AS n) k"
    )
    with transaction.atomic(), connection.cursor() as cur:
        for table in (DOSSIER, *CHILDREN):
            cur.execute(
                f"INSERT INTO {table} ({_names(table)}) SELECT {', '.join(plans[table])} "
                f"FROM tpl_{table} t CROSS JOIN {clones_sql}",
                [first, last],
            )
        cur.execute(
            f"INSERT INTO {AUDIT} ({_names(AUDIT)}) SELECT {', '.join(audit)} "
            f"FROM tpl_{AUDIT} t CROSS JOIN {clones_sql}",
            [first, last],
        )
        cur.execute(
            f"INSERT INTO {HEAD} (chain_key, last_sequence, last_hash) "
            f"SELECT '{CHAIN_PREFIX}' || (substring(h.chain_key from ':([0-9]+)$')::bigint "
            f"+ k.n * {dossier_stride})::text, h.last_sequence, h.last_hash "
            f"FROM tpl_{HEAD} h CROSS JOIN {clones_sql}",
            [first, last],
        )


def clone_history(
    *,
    start: str,
    end: str,
    target: int,
    per_week: int = 4,
    batch: int = 100,
    workers: int = 2,
    say: Callable[[str], None] = print,
) -> CloneReport:
    """Clone the finished dossiers received in [start, end] (dates) until `target` exist."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the bulk path needs PostgreSQL")
    began = time.monotonic()
    templates = _templates(start, end)
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {DOSSIER}")
        existing = int(cur.fetchone()[0])
    if templates == 0:
        raise RuntimeError("no finished dossier in the template window")
    clones = max(0, -(-(target - existing) // templates))
    tables = [DOSSIER, *CHILDREN, AUDIT]
    strides = {t: _stride(t) for t in tables}
    plans = {DOSSIER: _expressions(DOSSIER, {}, strides)}
    for table, remap in CHILDREN.items():
        plans[table] = _expressions(table, remap, strides)
    audit_cols = [n for n, _ in _columns(AUDIT)]
    audit = [
        f"t.id + k.n * {strides[AUDIT]}"
        if n == "id"
        else f"'{CHAIN_PREFIX}' || (substring(t.chain_key from ':([0-9]+)$')::bigint + k.n * "
        f"{strides[DOSSIER]})::text"
        if n == "chain_key"
        else f"(t.object_id::bigint + k.n * {strides[DOSSIER]})::text"
        if n == "object_id"
        else "t.occurred_at - k.shift"
        if n == "occurred_at"
        else f't."{n}"'
        for n in audit_cols
    ]
    progress = {"done": 0}
    lock = threading.Lock()

    def run(firsts: list[int]) -> None:
        for first in firsts:
            last = min(clones, first + batch - 1)
            _clone_batch(first, last, per_week, plans, audit, strides[DOSSIER])
            with lock:
                progress["done"] += last - first + 1
                say(
                    f"  {existing + progress['done'] * templates:>10,} hồ sơ "
                    f"({time.monotonic() - began:.0f} giây)"
                )

    def work(firsts: list[int]) -> None:
        """A worker thread: its own connection, its own temporary template copies."""
        try:
            _templates(start, end)
            run(firsts)
        finally:
            connection.close()

    firsts = list(range(1, clones + 1, batch))
    if workers <= 1:
        run(firsts)  # in the caller's connection (and transaction, in tests)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for future in [pool.submit(work, firsts[i::workers]) for i in range(workers)]:
                future.result()
    done = clones * templates
    with connection.cursor() as cur:
        for table in tables:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        _drop_temporary(cur)
        for table in [*tables, HEAD]:
            cur.execute(f"ANALYZE {table}")
    return CloneReport(templates, clones, existing + done, time.monotonic() - began)
