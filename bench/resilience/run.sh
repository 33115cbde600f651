#!/usr/bin/env bash
# Fault and soak suites with full counts (issue 13), then one figures table.
# Usage: bench/resilience/run.sh            (RESILIENCE_SCALE, RESILIENCE_SOAK_RUNS ... override the counts below)
# Uses ORCHESTRATOR_TEST_DB (a superuser connection string) if set, else starts a private PostgreSQL.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export RESILIENCE_RUNNER_KILLS=${RESILIENCE_RUNNER_KILLS:-20}
export RESILIENCE_ORCHESTRATOR_KILLS=${RESILIENCE_ORCHESTRATOR_KILLS:-20}
export RESILIENCE_ORCHESTRATOR_RUNS=${RESILIENCE_ORCHESTRATOR_RUNS:-200}
export RESILIENCE_SOAK_RUNS=${RESILIENCE_SOAK_RUNS:-1000}
pgdir=/tmp/orchestrator-resilience-pg-$(id -u)
if [ -z "${ORCHESTRATOR_TEST_DB:-}" ]; then
  ORCHESTRATOR_TEST_DB=$("$root/scripts/pg.sh" start "$pgdir" "${RESILIENCE_PG_PORT:-56995}") || exit 1
  export ORCHESTRATOR_TEST_DB
  trap '"$root/scripts/pg.sh" stop "$pgdir"' EXIT
fi
export RESILIENCE_FIGURES=$(mktemp)
dotnet build Orchestrator.sln -c Release -nologo -v q >&2 || exit 1
dotnet test tests/Resilience.Tests/Resilience.Tests.csproj -c Release --no-build -nologo "$@" >&2
rc=$?
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| %-18s | %5s | %5s | %8s | %10s | %6s | %3s | %7s |\n' suite runs kills restarts duplicates losses 5xx "wall s"
printf '|%s|\n' "--------------------|-------|-------|----------|------------|--------|-----|---------"
sed -E 's/^figures suite=([^ ]+) runs=([0-9]+) kills=([0-9]+) restarts=([0-9]+) duplicates=([0-9]+) losses=([0-9]+) 5xx=([0-9]+) wall_s=([0-9.]+)$/\1 \2 \3 \4 \5 \6 \7 \8/' "$RESILIENCE_FIGURES" |
  while read -r s r k re d l e w; do printf '| %-18s | %5s | %5s | %8s | %10s | %6s | %3s | %7s |\n' "$s" "$r" "$k" "$re" "$d" "$l" "$e" "$w"; done
rm -f "$RESILIENCE_FIGURES"
exit $rc
