#!/usr/bin/env bash
# Load the benchmark workload into $DATABASE_URL (PostgreSQL): the reference data, the demo
# accounts, finished and open dossiers generated through the services, then clones of the
# finished ones back in time until $BENCH_DOSSIERS dossiers exist, and the rollups.
# Idempotent: a database that already holds that many dossiers is left as it is.
#
#   BENCH_DOSSIERS=1000000 DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench bash bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:=postgres://postgres@127.0.0.1:5432/cchc_bench}"
: "${BENCH_DOSSIERS:=1000000}"
: "${BENCH_WORKERS:=2}"
export DATABASE_URL SECRET_KEY="${SECRET_KEY:-bench}" DEBUG=false
PY=.venv/bin/python
db="${DATABASE_URL##*/}"
server="${DATABASE_URL%/*}"
began=$(date +%s)

if ! psql "$server/postgres" -Atc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
    psql "$server/postgres" -qc "create database $db"
fi
# A bulk load should not wait for each commit to reach the disk; this database only.
psql "$server/postgres" -qc "alter database $db set synchronous_commit = off"
have=$(psql "$DATABASE_URL" -Atc "select count(*) from dossiers_dossier" 2>/dev/null || echo 0)
if [ "$have" -ge "$BENCH_DOSSIERS" ]; then
    echo "bench/load.sh: $db already holds $have dossiers (≥ $BENCH_DOSSIERS); nothing to load."
    exit 0
fi

step() { echo "== $(($(date +%s) - began)) s: $*"; }
step migrate
$PY manage.py migrate --no-input -v 0
step reference data and demo accounts
$PY manage.py load_reference_data -v 0
$PY manage.py load_demo -v 0
# templates through the services: finished histories, and a recent window for open inboxes
step generate finished dossiers
$PY manage.py generate_workload --if-empty --from 2026-09-14 --to 2026-09-15 --scale 0.5 --seed 1
step generate a recent window
$PY manage.py generate_workload --if-empty --days 3 --scale 0.3 --seed 2
# the bulk path: copies of the finished September dossiers placed in earlier weeks
step "clone to $BENCH_DOSSIERS"
# about two years of weeks, so that the reports' year 2025 is whole
templates=$(psql "$DATABASE_URL" -Atc "select count(*) from dossiers_dossier where code is not null and received_at is not null and status in ('returned', 'withdrawn', 'closed') and (received_at at time zone 'Asia/Ho_Chi_Minh')::date = '2026-09-14'")
have=$(psql "$DATABASE_URL" -Atc "select count(*) from dossiers_dossier")
per_week=$(( (BENCH_DOSSIERS - have) / (templates > 0 ? templates : 1) / 100 + 1 ))
$PY manage.py generate_workload --if-empty --from 2026-09-14 --to 2026-09-14 \
    --clone-to "$BENCH_DOSSIERS" --clones-per-week "$per_week" --clone-workers "$BENCH_WORKERS"
step rollups
$PY manage.py rebuild_rollups
psql "$DATABASE_URL" -qc "analyze"
step "done: $(psql "$DATABASE_URL" -Atc "select count(*) from dossiers_dossier") dossiers"
