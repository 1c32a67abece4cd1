# Shared by deploy/failover-drill and deploy/pitr-drill: throwaway PostgreSQL clusters in a
# folder of their own, listening on 127.0.0.1 only, torn down (crash-stopped, removed) on exit.
# Needs PostgreSQL's server binaries (Debian's postgresql package). Run as root or postgres.
PY="$(pwd)/.venv/bin/python"
BIN=/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin
WORK=$(mktemp -d /tmp/cchc-drill.XXXXXX)
chmod 755 "$WORK"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$WORK"

teardown() {
  set +e
  for pid in "$WORK"/*/postmaster.pid; do
    [ -f "$pid" ] && as_pg "$BIN/pg_ctl" -D "$(dirname "$pid")" stop -m immediate >/dev/null 2>&1
  done
  rm -rf "$WORK"
}
trap teardown EXIT

conf() {  # a cluster listening on 127.0.0.1:$2 only, its socket in the drill's folder
  cat >> "$1/postgresql.conf" <<CONF
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 5
hot_standby = on
CONF
}

sql() {  # sql PORT QUERY — one value, unaligned
  PGOPTIONS="-c client_min_messages=warning" "$BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d "${3:-postgres}" -Atc "$2"
}

new_primary() {  # new_primary DIR PORT — an empty cluster with the application migrated in
  as_pg "$BIN/initdb" -D "$1" -A trust -U postgres >/dev/null
  conf "$1" "$2"
  [ -n "${EXTRA_CONF:-}" ] && echo "$EXTRA_CONF" >> "$1/postgresql.conf"
  as_pg "$BIN/pg_ctl" -D "$1" -l "$1.log" -w start >/dev/null
  "$BIN/createdb" -h 127.0.0.1 -p "$2" -U postgres cchc
  export DEBUG=true DATABASE_URL="postgres://postgres@127.0.0.1:$2/cchc" MEDIA_ROOT="$WORK/media"
  "$PY" manage.py migrate -v 0
  "$PY" manage.py load_reference_data -v 0 >/dev/null
}

same_figures() {  # same_figures EXPECTED_JSON ACTUAL_JSON MESSAGE
  "$PY" - "$1" "$2" "$3" <<'PY'
import json, sys
p, a = (json.loads(x) for x in sys.argv[1:3])
for key in ("dossiers", "audit_events", "last_code"):
    assert p[key] == a[key], f"{key}: expected {p[key]}, found {a[key]}"
print("  ✓ " + sys.argv[3])
PY
}
