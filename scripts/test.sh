#!/usr/bin/env bash
# Runs every test project against a private PostgreSQL started here, then prints one line: "N passed, N failed".
# Extra arguments go to `dotnet test` (e.g. --filter FullyQualifiedName~Planner).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

pgdir=${ORCHESTRATOR_TEST_PGDIR:-/tmp/orchestrator-test-pg-$(id -u)}
pgport=${ORCHESTRATOR_TEST_PGPORT:-55433}
if [ -z "${ORCHESTRATOR_TEST_DB:-}" ]; then
  "$root/scripts/pg.sh" stop "$pgdir" >/dev/null 2>&1 || true
  rm -rf "$pgdir"
  ORCHESTRATOR_TEST_DB=$("$root/scripts/pg.sh" start "$pgdir" "$pgport") || { echo "could not start PostgreSQL"; echo "0 passed, 1 failed"; exit 1; }
  export ORCHESTRATOR_TEST_DB
  trap '"$root/scripts/pg.sh" stop "$pgdir"' EXIT
fi

log=$(mktemp)
dotnet build Orchestrator.sln -c Release -nologo -v q 2>&1 | tail -n 30
build_rc=${PIPESTATUS[0]}
if [ "$build_rc" != 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
# The end-to-end tests judge latencies (canary comparisons, health) on real engines: they run on their own, after the
# other test projects, which run in parallel with each other. Sharing the two cores with another test assembly made an
# identical canary read twice as slow as its stable and fail its latency comparison.
dotnet test Unit.slnf -c Release --no-build -nologo "$@" 2>&1 | tee "$log"
unit_rc=${PIPESTATUS[0]}
dotnet test tests/EndToEnd.Tests/EndToEnd.Tests.csproj -c Release --no-build -nologo "$@" 2>&1 | tee -a "$log"
e2e_rc=${PIPESTATUS[0]}
# The fault and soak suites (tests/Resilience.Tests) kill and restart processes and PostgreSQL: last, on their own.
# Their figures lines go to a file of this run and are printed after the totals' sources are collected.
export RESILIENCE_FIGURES=${RESILIENCE_FIGURES:-$(mktemp)}
dotnet test tests/Resilience.Tests/Resilience.Tests.csproj -c Release --no-build -nologo "$@" 2>&1 | tee -a "$log"
res_rc=${PIPESTATUS[0]}
[ -s "$RESILIENCE_FIGURES" ] && cat "$RESILIENCE_FIGURES"
test_rc=$(( unit_rc != 0 ? unit_rc : e2e_rc != 0 ? e2e_rc : res_rc ))

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END{print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END{print s+0}')
rm -f "$log"
if [ "$test_rc" != 0 ] && [ "$failed" = 0 ]; then failed=1; fi
echo "$passed passed, $failed failed"
[ "$test_rc" = 0 ] && [ "$failed" = 0 ]
