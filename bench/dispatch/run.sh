#!/usr/bin/env bash
# Dispatch benchmark (issue 3 "Performance"). Prints, on this machine and one PostgreSQL:
#  (a) steps/s claimed, heartbeated once and completed by 8 runner loops over HTTP (noop steps)
#  (b) dispatch latency p50/p99 from a step's commit as ready to an idle long-polling runner holding it
#  (c) pgbench -N TPS with 8 clients on the same server
#  (d) Quartz.NET with its ADO.NET job store firing the same number of one-shot jobs
# Usage: bench/dispatch/run.sh [STEPS=2000] [LATENCY_SAMPLES=200]
# Uses ORCHESTRATOR_BENCH_PG (a superuser connection string) if set, else starts a private PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
steps=${1:-2000}
samples=${2:-200}
port=${BENCH_PG_PORT:-56990}
api_port=${BENCH_API_PORT:-56991}
pgdir=/tmp/orchestrator-bench-pg-$(id -u)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -z "${ORCHESTRATOR_BENCH_PG:-}" ] && "$root/scripts/pg.sh" stop "$pgdir" || true
}
trap cleanup EXIT

. "$root/bench/bench-pg.sh"
for db in bench_orch bench_quartz bench_pgbench; do
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done
db="${admin/Database=postgres/Database=bench_orch}"
quartz_db="${admin/Database=postgres/Database=bench_quartz}"

echo "building (Release)..." >&2
dotnet build "$root/src/Orchestrator" -c Release -nologo -v q >&2
dotnet build "$root/bench/dispatch" -c Release -nologo -v q >&2
orch="$root/src/Orchestrator/bin/Release/net10.0/orchestrator"

"$orch" migrate --db "$db" >&2
tokens=$(for i in $(seq 1 8); do "$orch" tokens create --kind registration --name "bench-$i" --db "$db"; done | paste -sd, -)
"$orch" serve --db "$db" --urls "http://127.0.0.1:$api_port" --Logging:LogLevel:Default=Warning ${BENCH_SERVE_ARGS:-} >/tmp/orchestrator-bench-serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$api_port/readyz" >/dev/null && break; sleep 0.5; done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== PostgreSQL $("$psql_bin/postgres" --version | awk '{print $3}'), synchronous_commit=$(psql_ -d postgres -Atc 'show synchronous_commit'), fsync=$(psql_ -d postgres -Atc 'show fsync'); orchestrator, runners and PostgreSQL share this machine"
"$root/bench/dispatch/bin/Release/net10.0/DispatchBench" "http://127.0.0.1:$api_port" "$db" "$quartz_db" "$tokens" "$steps" "$samples"

"$psql_bin/pgbench" -h "$pghost" -p "$pgport" -U "$pguser" -i -q -s 8 bench_pgbench >/dev/null 2>&1
tps=$("$psql_bin/pgbench" -h "$pghost" -p "$pgport" -U "$pguser" -N -c 8 -j 2 -T 15 bench_pgbench 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "(c) pgbench -N, 8 clients, 15 s: ${tps} TPS"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
