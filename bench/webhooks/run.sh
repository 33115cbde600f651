#!/usr/bin/env bash
# Webhook acknowledgement benchmark (issue 10 "Performance"). Against the real `orchestrator serve` process and
# PostgreSQL on this machine, sends ROUNDS rounds of CONCURRENCY signed `release` deliveries at once (the real
# published payload, each with its own delivery id and release id) and prints the time from sending each request to
# its 200: p50, p99 and max, and p99 against the target of 50 ms (0.5 % of GitHub's 10 s limit).
# The receiver verifies the signature and records the delivery; the delivery processor works on the recorded rows
# meanwhile (the repository has no binding, so it marks them ignored without calling GitHub).
# Usage: bench/webhooks/run.sh [CONCURRENCY=50] [ROUNDS=20]
# Uses ORCHESTRATOR_BENCH_PG (a superuser connection string) if set, else starts a private PostgreSQL.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
concurrency=${1:-50}
rounds=${2:-20}
port=${BENCH_PG_PORT:-56980}
api_port=${BENCH_API_PORT:-56981}
pgdir=/tmp/orchestrator-webhook-bench-pg-$(id -u)
secret_file=$(mktemp /tmp/webhook-bench-secret.XXXXXX)
cleanup() {
  [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  [ -z "${ORCHESTRATOR_BENCH_PG:-}" ] && "$root/scripts/pg.sh" stop "$pgdir" || true
  rm -f "$secret_file"
}
trap cleanup EXIT

. "$root/bench/bench-pg.sh"
psql_ -d postgres -c "DROP DATABASE IF EXISTS bench_webhooks WITH (FORCE)" -c "CREATE DATABASE bench_webhooks"
db="${admin/Database=postgres/Database=bench_webhooks}"

echo "building (Release)..." >&2
dotnet build "$root/src/Orchestrator" -c Release -nologo -v q >&2
dotnet build "$root/bench/webhooks/WebhookBench" -c Release -nologo -v q >&2
orch="$root/src/Orchestrator/bin/Release/net10.0/orchestrator"

head -c 32 /dev/urandom | base64 > "$secret_file"
"$orch" migrate --db "$db" >&2
GitHub__WebhookSecretFile="$secret_file" "$orch" serve --db "$db" --urls "http://127.0.0.1:$api_port" \
  --Logging:LogLevel:Default=Warning ${BENCH_SERVE_ARGS:-} >/tmp/orchestrator-webhook-bench-serve.log 2>&1 &
serve_pid=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$api_port/readyz" >/dev/null && break; sleep 0.5; done

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== PostgreSQL $("$psql_bin/postgres" --version | awk '{print $3}'), synchronous_commit=$(psql_ -d postgres -Atc 'show synchronous_commit'), fsync=$(psql_ -d postgres -Atc 'show fsync'); orchestrator, client and PostgreSQL share this machine"
"$root/bench/webhooks/WebhookBench/bin/Release/net10.0/WebhookBench" "http://127.0.0.1:$api_port" "$secret_file" \
  "$root/../shared/fixtures/github/release.published.payload.json" "$concurrency" "$rounds"
recorded=$(psql_ -d bench_webhooks -Atc "SELECT count(*) FROM github_deliveries")
echo "deliveries recorded: $recorded (expected $(( concurrency * (rounds + 1) )), the warm-up round included)"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
