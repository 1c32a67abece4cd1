# ruff: noqa: E501  (SQL and Lua templates keep their own line lengths)
"""The province-scale benchmark (issue 5). Run from the repository root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench .venv/bin/python bench/run.py

The database must already hold the workload (see bench/README.md: `generate_workload` with
`--clone-to`). For each scenario — an officer's inbox (first page), the public lookup, the
dossier page, a reception, a year's report by agency × month, the leader dashboard and a
year's periodic report (R-STATS) by agency — it
measures the median and 95th percentile at 1 and 16 concurrent clients through gunicorn (wrk),
beside two floors measured in the same run: the same SQL through pgbench, and the same SQL
through a minimal Django view with a raw cursor. Prints a Markdown table and writes
bench/out/results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SQL = OUT / "sql"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "1,16").split(",")]
SAMPLES = 1000

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench")
os.environ.update(
    {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + uuid.uuid4().hex),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "600",
        "CCHC_BENCH_VIEWS": "true",
        "CCHC_BENCH_SQL_DIR": str(SQL),
        "CCHC_BENCH_SAMPLES": str(SAMPLES),
        "CCHC_LOOKUP_LIMIT": "100000000",
        "DJANGO_SETTINGS_MODULE": "cchc.settings",
    }
)
sys.path.insert(0, str(ROOT))


def _redis_answers(port: int = 6379) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


# As deployed: a shared cache (Redis), which also keeps the sessions (cached_db).
if "CACHE_URL" not in os.environ and _redis_answers():
    os.environ["CACHE_URL"] = "redis://127.0.0.1:6379/7"
    os.environ["CACHE_KEY_PREFIX"] = "bench"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cchc.accounts.constants import Role  # noqa: E402
from cchc.accounts.models import Membership, User  # noqa: E402
from cchc.dossiers.inbox import inbox_page, waiting_steps  # noqa: E402
from cchc.dossiers.models import Dossier, DossierStep  # noqa: E402
from cchc.procedures.models import ProcedureVersion  # noqa: E402
from cchc.reports import periods  # noqa: E402
from cchc.reports.rollups import agency_months  # noqa: E402
from cchc.reports.stats import rollup_report  # noqa: E402
from cchc.reports.views import rollup_series  # noqa: E402


def session_for(user: User) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def token_for(user: User) -> str:
    from cchc.accounts.services import issue_api_token

    _token, key = issue_api_token(user, "bench", actor=user)
    return key


def captured(fn, table: str, every: bool = False) -> str:  # type: ignore[no-untyped-def]
    """The SQL Django sends for the main query of `fn` (the first touching `table`), or every
    query touching it, one statement per line."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    found = [q["sql"] for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"]]
    if not found:
        raise RuntimeError(f"no query on {table}")
    return ";\n".join(found) if every else found[0]


def page_sql(path: str, cookie: str | None = None) -> str:
    """Every statement a page sends, bar the session and the signed-in user's row (which the
    floor view does not read), as a script for the floors."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    if cookie:
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
    client.get(path)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200, path
    kept = [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" not in q["sql"]
        and not q["sql"].startswith('SELECT "accounts_user"')
        and "SAVEPOINT" not in q["sql"]
    ]
    return ";\n".join(kept) + ";"


def prepare() -> dict[str, dict[str, object]]:
    """Users, sessions, samples and the SQL of each scenario."""
    SQL.mkdir(parents=True, exist_ok=True)
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=false needs the manifest
    with connection.cursor() as cur:  # after an interrupted bulk load the sequences lag
        for table in ("dossiers_dossier", "dossiers_dossierstep", "core_auditevent"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    officer = max(
        User.objects.filter(memberships__role=Role.SPECIALIST).distinct()[:50],
        key=lambda u: waiting_steps(u).count(),
    )
    reform = User.objects.filter(memberships__role=Role.REFORM_OFFICER).first()
    desk_member = (
        Membership.objects.filter(role=Role.RECEPTIONIST, desk__isnull=False)
        .select_related("desk", "desk__area", "user")
        .first()
    )
    assert officer and reform and desk_member, "load_demo first"
    receptionist, desk = desk_member.user, desk_member.desk
    # samples: dossiers of the officer's agency for the dossier page, any for the lookup
    agency = officer.memberships.first().agency_id  # type: ignore[union-attr]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_sample")
        cur.execute(
            "CREATE TABLE bench_sample AS SELECT row_number() OVER () AS n, id, code, "
            "lookup_secret FROM (SELECT id, code, lookup_secret FROM dossiers_dossier "
            "TABLESAMPLE SYSTEM (1) WHERE code IS NOT NULL AND lookup_secret <> '' "
            "LIMIT %s) s",
            [SAMPLES],
        )
        cur.execute("ALTER TABLE bench_sample ADD PRIMARY KEY (n)")
        cur.execute("DROP TABLE IF EXISTS bench_mine")
        cur.execute(
            "CREATE TABLE bench_mine AS SELECT row_number() OVER () AS n, id FROM "
            "(SELECT id FROM dossiers_dossier WHERE competent_agency_id = %s "
            "ORDER BY random() LIMIT %s) s",
            [agency, SAMPLES],
        )
        cur.execute("ALTER TABLE bench_mine ADD PRIMARY KEY (n)")
        cur.execute("SELECT code, lookup_secret FROM bench_sample ORDER BY n")
        lookups = cur.fetchall()
        cur.execute("SELECT id FROM bench_mine ORDER BY n")
        mine = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT count(*) FROM bench_sample")
        samples = cur.fetchone()[0]
    # the reception template: a published procedure of the desk's level with its documents
    from cchc.dossiers.workload import LEVEL_OF_DESK

    level = LEVEL_OF_DESK[desk.kind]
    version = next(
        v
        for v in ProcedureVersion.objects.filter(status="published", time_limit__gt=0)
        .select_related("procedure")
        .prefetch_related("documents")
        if level in v.level_list()
    )
    commune = desk.area if desk.area.level == "commune" else None
    if commune is None:
        from cchc.organizations.models import AdministrativeArea

        commune = AdministrativeArea.objects.filter(level="commune", parent=desk.area).first()
    body = {
        "procedure": version.procedure.code,
        "desk": desk.pk,
        "channel": "in_person",
        "applicant": {
            "kind": "citizen",
            "name": "Lò Văn Thử",
            "area_code": commune.code if commune else "",
            "id_number": "014190009999",
            "phone": "0912000000",
        },
        "documents": [
            {"required_document": d.pk, "originals": 1, "copies": 0}
            for d in version.documents.all()
        ],
        "outcome": "receive",
    }
    # the SQL floor copies a finished dossier of the desk (its steps are done: no inbox grows)
    template = Dossier.objects.filter(desk=desk, status="returned").order_by("-pk").first()

    def write(name: str, text: str) -> None:
        (SQL / f"{name}.sql").write_text(text.strip() + "\n")

    write(
        "inbox",
        # every statement of the first page: one per way a step waits, then the rows
        captured(lambda: inbox_page(officer, "", 50), "dossiers_dossierstep", every=True) + ";",
    )
    write(
        "lookup",
        f"""\\set n random(1, {samples})
SELECT d.* FROM dossiers_dossier d WHERE d.code = (SELECT code FROM bench_sample WHERE n = :n)
   OR d.submission_code = (SELECT code FROM bench_sample WHERE n = :n)
 ORDER BY d.submitted_at DESC, d.id DESC LIMIT 1;""",
    )
    write(
        "dossier",
        f"""\\set n random(1, {len(mine)})
SELECT * FROM dossiers_dossier WHERE id = (SELECT id FROM bench_mine WHERE n = :n);
SELECT * FROM dossiers_dossierstep WHERE dossier_id = (SELECT id FROM bench_mine WHERE n = :n)
 ORDER BY "order";
SELECT * FROM dossiers_handover WHERE dossier_id = (SELECT id FROM bench_mine WHERE n = :n);""",
    )
    tpl = template.pk if template else 0
    write(
        "reception",
        f"""BEGIN;
INSERT INTO dossiers_codesequence (key, value) VALUES ('bench:' || current_date, 1)
 ON CONFLICT (key) DO UPDATE SET value = dossiers_codesequence.value + 1;
INSERT INTO dossiers_dossier ({_cols("dossiers_dossier")})
 SELECT {_cols("dossiers_dossier", code="'B-' || md5(random()::text)", idempotency_key="''")} FROM dossiers_dossier WHERE id = {tpl};
INSERT INTO dossiers_dossierstep ({_cols("dossiers_dossierstep")})
 SELECT {_cols("dossiers_dossierstep", dossier_id="currval(pg_get_serial_sequence('dossiers_dossier', 'id'))")}
 FROM dossiers_dossierstep WHERE dossier_id = {tpl};
INSERT INTO core_auditevent ({_cols("core_auditevent")})
 SELECT {_cols("core_auditevent", chain_key="'bench:' || md5(random()::text)", sequence="1", occurred_at="now()", hash="md5(random()::text)")}
 FROM core_auditevent WHERE id = (SELECT max(id) FROM core_auditevent);
END;""",
    )
    write("report", captured(lambda: agency_months(2025), "reports_monthlycounts") + ";")
    write("dashboard", captured(lambda: rollup_series(), "reports_monthlycounts") + ";")
    write(
        "periodic",
        captured(lambda: rollup_report(periods.year(2025), "agency"), "reports_monthlycounts")
        + ";",
    )
    officer_cookie = session_for(officer)
    # the dossier page as the agency's leader, who sees every dossier the agency settles
    leader = (
        Membership.objects.filter(agency_id=agency, role=Role.AGENCY_LEADER)
        .select_related("user")
        .first()
    )
    leader_cookie = session_for(leader.user) if leader else officer_cookie
    reform_cookie = session_for(reform)
    # the public statistics page (anonymous) and the agency leader's own dashboard
    write("statistics", page_sql("/dich-vu-cong/thong-ke/"))
    write("leader", page_sql("/bao-cao/bang-dieu-khien/", leader_cookie))
    token = token_for(receptionist)
    reform_token = token_for(reform)
    return {
        "inbox": {"paths": ["/ho-so/viec-cua-toi/"], "headers": {"Cookie": officer_cookie}},
        "lookup": {"paths": [f"/tra-cuu/?ma={c}&mk={s}" for c, s in lookups], "headers": {}},
        "dossier": {
            "paths": [f"/ho-so/{pk}/" for pk in mine],
            "headers": {"Cookie": leader_cookie},
        },
        "reception": {
            "paths": ["/api/v1/dossiers"],
            "headers": {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            "body": json.dumps(body, ensure_ascii=False),
        },
        "report": {
            "paths": ["/api/v1/reports/agency-months?year=2025"],
            "headers": {"Authorization": f"Bearer {reform_token}"},
        },
        "dashboard": {"paths": ["/bao-cao/bang-dieu-khien/"], "headers": {"Cookie": reform_cookie}},
        "leader": {"paths": ["/bao-cao/bang-dieu-khien/"], "headers": {"Cookie": leader_cookie}},
        "statistics": {"paths": ["/dich-vu-cong/thong-ke/"], "headers": {}},
        # the periodic report (R-STATS) for a year by agency, from the rollups
        "periodic": {
            "paths": ["/api/v1/reports/settlement?period=year&year=2025&group=agency"],
            "headers": {"Authorization": f"Bearer {reform_token}"},
        },
        "_meta": {
            "officer": officer.username,
            "inbox_steps": waiting_steps(officer).count(),
            "desk": desk.name,
            "dossiers": Dossier.objects.count(),
            "steps": DossierStep.objects.count(),
        },
    }


def _cols(table: str, **override: str) -> str:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND column_name <> 'id' ORDER BY ordinal_position",
            [table],
        )
        names = [r[0] for r in cur.fetchall()]
    return ", ".join(override.get(n, f'"{n}"') for n in names)


LUA = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local headers = %(headers)s
local body = %(body)s
local counter = 0
local errors = 0
-- a global (not local) so that thread:set reaches it in each thread's own Lua state
threads = 0
function setup(thread) threads = threads + 1; thread:set("thread_id", threads) end
function init(args) math.randomseed(os.time() + (thread_id or 0) * 7919) end
function request()
  counter = counter + 1
  local path = paths[math.random(#paths)]
  if body then
    headers["Idempotency-Key"] = string.format("bench-%%d-%%d-%%d-%%d", thread_id or 0, os.time(), math.random(1e9), counter)
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
function response(status, hdrs, b)
  if status >= 400 then errors = errors + 1 end
end
function done(summary, latency, requests)
  io.write(string.format('RESULT {"p50": %%d, "p95": %%d, "requests": %%d, "seconds": %%f, "non2xx": %%d, "errors": %%d}\n',
    latency:percentile(50), latency:percentile(95), summary.requests, summary.duration / 1e6,
    (summary.errors.status or 0), summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua_table(d: dict[str, str]) -> str:
    return "{" + ", ".join(f'["{k}"] = {json.dumps(v)}' for k, v in d.items()) + "}"


def wrk(paths: list[str], headers: dict[str, str], body: str | None, clients: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp, "paths.txt")
        p.write_text("\n".join(paths) + "\n")
        script = Path(tmp, "s.lua")
        script.write_text(
            LUA
            % {
                "paths": p,
                "headers": lua_table(headers),
                "body": f"[==[{body}]==]" if body else "nil",
            }
        )
        done = subprocess.run(
            [
                "wrk",
                f"-t{min(clients, 2)}",
                f"-c{clients}",
                f"-d{SECONDS}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                f"http://127.0.0.1:{PORT}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    lines = [li for li in done.stdout.splitlines() if li.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    line = lines[0]
    r = json.loads(line[7:])
    return {
        "p50_ms": r["p50"] / 1000,
        "p95_ms": r["p95"] / 1000,
        "rps": r["requests"] / r["seconds"],
        "non2xx": r["non2xx"],
        "errors": r["errors"],
    }


def pgbench(name: str, clients: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                "pgbench",
                "-n",
                "-f",
                str(SQL / f"{name}.sql"),
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(SECONDS),
                "-l",
                "--log-prefix",
                f"{tmp}/log",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                connection.settings_dict["NAME"],
            ],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PGOPTIONS": "-c jit=off"},  # the same setting as the app's
        )
        micros = []
        for log in Path(tmp).glob("log*"):
            for line in log.read_text().splitlines():
                micros.append(int(line.split()[2]))
    micros.sort()
    return {
        "p50_ms": statistics.median(micros) / 1000,
        "p95_ms": micros[int(len(micros) * 0.95) - 1] / 1000,
        "rps": len(micros) / SECONDS,
    }


def gunicorn() -> subprocess.Popen:
    workers = os.environ.get("BENCH_WORKERS", "4")
    proc = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "cchc.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            workers,
            "-k",
            "gthread",
            "--threads",
            os.environ.get("BENCH_THREADS", "4"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
    )
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install -y wrk")
    scenarios = prepare()
    meta = scenarios.pop("_meta")
    connection.close()
    server = gunicorn()
    results: dict[str, dict] = {"_meta": {**meta, "seconds": SECONDS, "when": time.ctime()}}
    only = {x for x in os.environ.get("BENCH_ONLY", "").split(",") if x}
    try:
        for name, s in scenarios.items():
            if only and name not in only:
                continue
            for clients in CLIENTS:
                key = f"{name}@{clients}"
                results[key] = {
                    "app": wrk(s["paths"], s["headers"], s.get("body"), clients),  # type: ignore[arg-type]
                    "view": wrk([f"/_bench/{name}"], {}, None, clients),
                    "sql": pgbench(name, clients),
                }
                print(key, json.dumps(results[key]), flush=True)
    finally:
        server.terminate()
        server.wait()
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(table(results))


def table(results: dict) -> str:
    rows = [
        "| scenario | clients | app p50 / p95 ms | app req/s | view floor p50 / p95 ms | SQL floor p50 / p95 ms | app ÷ view (p50) |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, r in results.items():
        if key.startswith("_"):
            continue
        name, clients = key.split("@")
        a, v, q = r["app"], r["view"], r["sql"]
        ratio = a["p50_ms"] / v["p50_ms"] if v["p50_ms"] else 0
        bad = f" ({a['non2xx']} non-2xx)" if a["non2xx"] else ""
        rows.append(
            f"| {name} | {clients} | {a['p50_ms']:.1f} / {a['p95_ms']:.1f} | {a['rps']:.0f}{bad} | "
            f"{v['p50_ms']:.1f} / {v['p95_ms']:.1f} | {q['p50_ms']:.2f} / {q['p95_ms']:.2f} | "
            f"{ratio:.2f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main()
