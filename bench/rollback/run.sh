#!/usr/bin/env bash
# Time from a failing analysis measurement to traffic fully back on stable, over N rollbacks on the local target: the
# real orchestrator (in-process, on a throwaway PostgreSQL from scripts/pg.sh), a real `runner run` process, its front
# and real engines on two tiny models that the engine makes (the canary is the other model, so its golden prompts
# disagree). Prints p50 and p99 and where the time goes.
# Usage: bench/rollback/run.sh [N]   (default 20; ORCHESTRATOR_TEST_DB set: that server is used; BENCH_PG_PORT: 56490)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dotnet build "$root/Orchestrator.sln" -c Release -nologo -v q >/dev/null
if [ -z "${ORCHESTRATOR_TEST_DB:-}" ]; then
  pgdir="$(mktemp -d /tmp/rollbackbench-pg.XXXXXX)"
  trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
  ORCHESTRATOR_TEST_DB="$("$root/scripts/pg.sh" start "$pgdir" "${BENCH_PG_PORT:-56490}")"
  export ORCHESTRATOR_TEST_DB
fi
dotnet run -c Release --project "$here/RollbackBench/RollbackBench.csproj" -- "$root" "${1:-20}"
