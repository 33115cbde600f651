#!/usr/bin/env bash
# Health tracking cost: N served local environments (default 1,000) watched at a 10 s interval by one real `runner run`
# process, reporting to the real `orchestrator serve` process on a throwaway PostgreSQL from scripts/pg.sh. Each
# environment's front and engine replicas are ports of ONE synthetic process that answers like the engine
# (/healthcheck, a 1-token /generate, /metrics with growing JetStream histograms); its CPU is shown but not counted.
# Prints the CPU of the watcher, the orchestrator and PostgreSQL per minute and in % of one core, the samples that
# arrived, probe intervals, and the sample and rollup tables' growth extrapolated to a day after downsampling.
# Usage: bench/health/run.sh [ENVIRONMENTS] [MEASURE_SECONDS] [REPLICAS]   (defaults 1000, 180, 2)
#   ORCHESTRATOR_TEST_DB set: that server is used (its postgres CPU then includes whatever else it serves);
#   BENCH_PG_PORT: 56491.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dotnet build "$root/Orchestrator.sln" -c Release -nologo -v q >/dev/null
dotnet build "$here/HealthBench/HealthBench.csproj" -c Release -nologo -v q >/dev/null
if [ -z "${ORCHESTRATOR_TEST_DB:-}" ]; then
  pgdir="$(mktemp -d /tmp/healthbench-pg.XXXXXX)"
  trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
  ORCHESTRATOR_TEST_DB="$("$root/scripts/pg.sh" start "$pgdir" "${BENCH_PG_PORT:-56491}")"
  export ORCHESTRATOR_TEST_DB
fi
# 1,000 environments with 2 replicas are 3,000 listening ports and as many connections on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dotnet "$here/HealthBench/bin/Release/net10.0/HealthBench.dll" "$root" "${1:-1000}" "${2:-180}" "${3:-2}"
