#!/usr/bin/env bash
# A whole gke rollout against the in-process fakes (GKE, IAM, Resource Manager, Cloud Storage, Kubernetes API server),
# operations completing at once: first through the runner providers alone, then through the whole product (the real
# orchestrator host in-process on a throwaway PostgreSQL from scripts/pg.sh, the runner agent, the fakes). Prints the
# product's own overhead and the API calls per step.
# Then a cold start from nothing against time-scaled fakes. `bench/gke/run.sh throughput [ROUNDS]` instead measures
# the runner's conversion from the fake Hub to the fake bucket against a plain copy of the same bytes.
# Usage: bench/gke/run.sh [ITERATIONS] | throughput [ROUNDS]   (ORCHESTRATOR_TEST_DB set: that server is used and no PostgreSQL is started;
#                                          BENCH_PG_PORT picks the port of the one started, default 56480)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [ -z "${ORCHESTRATOR_TEST_DB:-}" ]; then
  pgdir="$(mktemp -d /tmp/gkebench-pg.XXXXXX)"
  trap '"$root/scripts/pg.sh" stop "$pgdir"; rm -rf "$pgdir"' EXIT
  ORCHESTRATOR_TEST_DB="$("$root/scripts/pg.sh" start "$pgdir" "${BENCH_PG_PORT:-56480}")"
  export ORCHESTRATOR_TEST_DB
fi
dotnet run -c Release --project "$here/GkeBench/GkeBench.csproj" -- "${1:-5}" ${2:+"$2"}
