# Sourced by the benches: a private PostgreSQL in $pgdir on $port (or the superuser connection string in
# ORCHESTRATOR_BENCH_PG), its connection string in $admin, and psql_ to run statements on it. Needs $root set.
if [ -z "${ORCHESTRATOR_BENCH_PG:-}" ]; then
  "$root/scripts/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  admin=$("$root/scripts/pg.sh" start "$pgdir" "$port")
else
  admin=$ORCHESTRATOR_BENCH_PG
fi
psql_bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
pgconn() { python3 -c 'import sys; d=dict(p.split("=",1) for p in sys.argv[1].split(";") if p); print(d.get(sys.argv[2], ""))' "$admin" "$1"; }
pghost=$(pgconn Host); pgport=$(pgconn Port); pguser=$(pgconn Username)
psql_() { "$psql_bin/psql" -h "$pghost" -p "$pgport" -U "$pguser" -v ON_ERROR_STOP=1 -q "$@"; }
