#!/usr/bin/env bash
# Schedule firing accuracy (issue 10 "Performance"). COUNT schedules (one apply schedule on each of COUNT
# environments) whose Quartz cron fires in the same minute, on two real `orchestrator serve` processes sharing one
# PostgreSQL (Quartz's clustered ADO.NET job store). Prints the lateness of each fire (schedule_fires.fired_at) and of
# each run (runs.created_at) against the cron's fire time: p50, p99 and max; the number of runs against the expected one
# per schedule; which instance fired how many; and run lateness p99 against the 1 s target.
# Usage: bench/schedules/run.sh [COUNT=200] [burst|spread] (burst: all at second 0 of the minute; spread: over it)
# Extra `serve` arguments (e.g. --Scheduling:MisfireThresholdSeconds=30) go in BENCH_SERVE_ARGS.
# Uses ORCHESTRATOR_BENCH_PG (a superuser connection string) if set, else starts a private PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
count=${1:-200}
mode=${2:-burst}
port=${BENCH_PG_PORT:-55620}
api_port=${BENCH_API_PORT:-55621}
pgdir=/tmp/orchestrator-schedule-bench-pg-$(id -u)
logs=/tmp/orchestrator-schedule-bench-$(id -u)
serve_pids=()
cleanup() {
  for pid in "${serve_pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ -z "${ORCHESTRATOR_BENCH_PG:-}" ] && "$root/scripts/pg.sh" stop "$pgdir" || true
}
trap cleanup EXIT

. "$root/bench/bench-pg.sh"
psql_ -d postgres -c "DROP DATABASE IF EXISTS bench_schedules WITH (FORCE)" -c "CREATE DATABASE bench_schedules"
db="${admin/Database=postgres/Database=bench_schedules}"

echo "building (Release)..." >&2
dotnet build "$root/src/Orchestrator" -c Release -nologo -v q >&2
dotnet build "$root/bench/schedules/ScheduleBench" -c Release -nologo -v q >&2
orch="$root/src/Orchestrator/bin/Release/net10.0/orchestrator.dll"

mkdir -p "$logs"
ORCHESTRATOR_DB="$db" dotnet "$orch" migrate >&2
token=$(ORCHESTRATOR_DB="$db" dotnet "$orch" tokens create --kind user --name bench)
urls=()
for i in 1 2; do
  url="http://127.0.0.1:$((api_port + i - 1))"
  # Information for Orchestrator.Schedules only: each fire logs one line, which tells which instance fired it.
  ORCHESTRATOR_DB="$db" dotnet "$orch" serve --urls "$url" --Logging:LogLevel:Default=Warning \
    --Logging:LogLevel:Orchestrator.Schedules=Information ${BENCH_SERVE_ARGS:-} >"$logs/serve-$i.log" 2>&1 &
  serve_pids+=($!)
  urls+=("$url")
done
for url in "${urls[@]}"; do
  for _ in $(seq 1 120); do curl -fs "$url/readyz" >/dev/null && break; sleep 0.5; done
done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== PostgreSQL $("$psql_bin/postgres" --version | awk '{print $3}'), synchronous_commit=$(psql_ -d postgres -Atc 'show synchronous_commit'), fsync=$(psql_ -d postgres -Atc 'show fsync'); both orchestrators, the bench and PostgreSQL share this machine"
echo "== serve arguments: ${BENCH_SERVE_ARGS:-(defaults)}"
# CPU seconds (user + system) of the two orchestrators and of every PostgreSQL process, to say where the time goes.
cpu() { local t=0; for pid in "$@"; do [ -r "/proc/$pid/stat" ] && t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo "$t"; }
pg_pids() { pgrep -d' ' -f "postgres" || true; }
hz=$(getconf CLK_TCK)
cpu_serve_before=$(cpu "${serve_pids[@]}"); cpu_pg_before=$(cpu $(pg_pids))
status=0
"$root/bench/schedules/ScheduleBench/bin/Release/net10.0/ScheduleBench" "$(IFS=,; echo "${urls[*]}")" "$token" "$db" "$count" "$mode" || status=$?
cpu_serve=$(( $(cpu "${serve_pids[@]}") - cpu_serve_before )); cpu_pg=$(( $(cpu $(pg_pids)) - cpu_pg_before ))
echo "CPU during the bench (creating the schedules, waiting for the minute, the fires): orchestrators $(awk -v t=$cpu_serve -v h=$hz 'BEGIN{printf "%.2f", t/h}') s, PostgreSQL $(awk -v t=$cpu_pg -v h=$hz 'BEGIN{printf "%.2f", t/h}') s"
for i in 1 2; do echo "instance $i fired $(grep -c 'fired for .*: run .* of bench-' "$logs/serve-$i.log" || true) schedules (log: $logs/serve-$i.log)"; done
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
