#!/usr/bin/env bash
# Growing past one machine, measured on this one (issue 19; results in bench/RESULTS.md):
#  - throughput of a public page and of the public statistics through nginx with one web
#    process, then two (two gunicorn processes on two ports, one nginx upstream);
#  - where the statistics page's queries go with a streaming replica behind the router
#    (transactions counted on each server with pg_stat_database), then without it.
# Throwaway clusters on ports 5445 (primary) and 5446 (replica); wrk drives the load.
# Usage: bash bench/scale.sh [seconds per run, default 20] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
P=${SCALE_PRIMARY_PORT:-5445}
R=${SCALE_REPLICA_PORT:-5446}
SECONDS_PER_RUN=${1:-20}
CONNECTIONS=${2:-16}
command -v wrk >/dev/null || { echo "bench/scale.sh needs wrk (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "bench/scale.sh needs nginx"; exit 1; }
. deploy/lib/pg-drill.sh
PORTS=(8201 8202)
NGINX=8290
trap 'for f in "$WORK"/web-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null; teardown' EXIT

echo "== primary with a demo workload, and a streaming replica =="
new_primary "$WORK/primary" "$P"
"$PY" manage.py load_demo -v 0 >/dev/null
"$PY" manage.py generate_workload --days 21 --scale 0.02 --staffed-factor 10 -v 0 >/dev/null
"$PY" manage.py rebuild_rollups >/dev/null
as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$P" -U postgres -D "$WORK/replica" -R -X stream
echo "port = $R" >> "$WORK/replica/postgresql.auto.conf"
as_pg "$BIN/pg_ctl" -D "$WORK/replica" -l "$WORK/replica.log" -w start >/dev/null
echo "  dossiers: $(sql "$P" "SELECT count(*) FROM dossiers_dossier" cchc)"

export DEBUG=false SECRET_KEY="$(openssl rand -hex 32)" ALLOWED_HOSTS=127.0.0.1,localhost \
  CCHC_TRUSTED_PROXIES=127.0.0.1 STATIC_ROOT="$WORK/static" CCHC_SIGNING_DIR="$WORK/keys" \
  CCHC_AUDIT_ANCHOR_DIR="$WORK/audit" CCHC_DEMO_SIGNING=true CACHE_URL=redis://127.0.0.1:6379/0 \
  CACHE_KEY_PREFIX="cchc-scale-$$" CCHC_USAGE_FLUSH_SECONDS=60
"$PY" manage.py collectstatic --no-input -v 0

web() {  # web N [replica] — N gunicorn processes (one worker, 4 threads each), one per port
  for f in "$WORK"/web-*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; rm -f "$f"; done
  sleep 1
  local replica=""
  [ "${2:-}" = replica ] && replica="postgres://postgres@127.0.0.1:$R/cchc"
  for i in $(seq 0 $(($1 - 1))); do
    REPLICA_DATABASE_URL="$replica" "$PY" -m gunicorn cchc.wsgi --bind "127.0.0.1:${PORTS[$i]}" \
      --workers 1 --threads 4 --forwarded-allow-ips 127.0.0.1 --daemon \
      --pid "$WORK/web-$i.pid" --error-logfile "$WORK/web-$i.log"
  done
  local servers=""
  for i in $(seq 0 $(($1 - 1))); do servers+="server 127.0.0.1:${PORTS[$i]}; "; done
  cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/tmp; proxy_temp_path $WORK/tmp;
  upstream cchc_web { $servers keepalive 32; }
  server {
    listen 127.0.0.1:$NGINX;
    location / {
      proxy_pass http://cchc_web;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
CONF
  mkdir -p "$WORK/tmp"
  if [ -f "$WORK/nginx.pid" ]; then nginx -p "$WORK" -c "$WORK/nginx.conf" -s reload 2>/dev/null; else nginx -p "$WORK" -c "$WORK/nginx.conf"; fi
  for port in "${PORTS[@]:0:$1}"; do
    for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/suc-khoe/song/" -H "X-Forwarded-Proto: https" -H "Accept: application/json" && break; sleep 0.5; done
  done
  sleep 1
}

load() {  # load PATH — requests per second and latencies through nginx
  curl -sf -o /dev/null "http://127.0.0.1:$NGINX$1" || { echo "GET $1 failed"; exit 1; }
  wrk -t2 -c"$CONNECTIONS" -d3s --latency "http://127.0.0.1:$NGINX$1" >/dev/null  # warm-up
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "http://127.0.0.1:$NGINX$1" > "$WORK/wrk.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$WORK/wrk.txt" | tr '\n' ' ')
  echo "$rps $p50 $p99 ${errors:-none}"
}

xacts() {  # committed transactions of the cchc database on a server
  sql "$1" "SELECT xact_commit FROM pg_stat_database WHERE datname = 'cchc'"
}

CATALOG=/dich-vu-cong/thu-tuc/
STATS=/dich-vu-cong/thong-ke/
echo
echo "| web processes | page | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|---|"
for n in 1 2; do
  web "$n"
  for page in "$CATALOG" "$STATS"; do
    read -r rps p50 p99 errors <<<"$(load "$page")"
    echo "| $n | \`$page\` | $rps | $p50 | $p99 | $errors |"
  done
done

echo
echo "| replica | statistics requests | transactions on the primary | on the replica |"
echo "|---|---|---|---|"
for mode in replica primary; do
  if [ "$mode" = replica ]; then web 2 replica; else web 2; fi
  p0=$(xacts "$P"); r0=$(xacts "$R")
  wrk -t2 -c"$CONNECTIONS" -d10s "http://127.0.0.1:$NGINX$STATS" > "$WORK/wrk.txt"
  p1=$(xacts "$P"); r1=$(xacts "$R")
  requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
  echo "| $([ "$mode" = replica ] && echo yes || echo no) | $requests | $((p1 - p0)) | $((r1 - r0)) |"
done
echo
echo "scale: OK"
