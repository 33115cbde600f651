#!/usr/bin/env bash
# The README's first command: build, start PostgreSQL (unless ORCHESTRATOR_DB is set), the orchestrator service and
# one runner, make a tiny test model, roll it out to the `local` environment while showing its steps and logs, ask
# the model once, and keep serving until Ctrl-C; then stop everything it started. Safe to run again.
#
# Environment: ORCHESTRATOR_DB (use this database instead of a private one), QUICKSTART_PORT (service port, 8080),
# QUICKSTART_FRONT_PORT (the environment's serving front, 8000), QUICKSTART_PG_PORT (private PostgreSQL, 55432).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state="$root/.state"
port=${QUICKSTART_PORT:-8080}
front_port=${QUICKSTART_FRONT_PORT:-8000}
pg_port=${QUICKSTART_PG_PORT:-55432}
server="http://127.0.0.1:$port"
config=Release
bin_orchestrator="$root/src/Orchestrator/bin/$config/net10.0/orchestrator.dll"
bin_runner="$root/src/Runner/bin/$config/net10.0/runner.dll"
bin_engine="$root/src/EngineImage/bin/$config/net10.0/engine.dll"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }

# --- processes this script owns -------------------------------------------------------------------------------------

# Engines and the front are detached from the runner on purpose (they outlive a runner restart); the runner records
# each under its state directory as JSON {pid, startTime, ...}. A record counts only while pid AND start time match.
kill_recorded() {
  local record pid start actual
  [ -d "$state/runner" ] || return 0
  while IFS= read -r record; do
    pid=$(grep -o '"pid": *[0-9]*' "$record" | grep -o '[0-9]*$' || true)
    start=$(grep -o '"startTime": *[0-9]*' "$record" | grep -o '[0-9]*$' || true)
    [ -n "$pid" ] && [ -n "$start" ] || continue
    actual=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $20}' || true)
    [ "$actual" = "$start" ] || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done < <(grep -rl --include='*.json' '"startTime"' "$state/runner" 2>/dev/null || true)
}

stop_pidfile() { # stop_pidfile NAME: SIGTERM the process recorded in .state/NAME.pid, SIGKILL after 20 s
  local file="$state/$1.pid" pid i
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null && grep -qa "$root" "/proc/$pid/cmdline" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}

# Anything of ours still alive (e.g. after `kill -9` of an earlier quick start): its command line names our state dir.
kill_leftovers() {
  local pid cmd
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$pid" = $$ ] && continue
    cmd=$( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null || true)
    case "$cmd" in
      *postgres*) ;;
      *"$state/"*) kill -KILL "$pid" 2>/dev/null || true ;;
    esac
  done
}

pg_started=""
cleanup() {
  trap - INT TERM EXIT
  say "stopping"
  stop_pidfile runner          # first: a runner mid-step hands its step back
  kill_recorded                # engines and the front
  stop_pidfile orchestrator
  sleep 1
  kill_leftovers
  if [ -n "$pg_started" ]; then "$root/scripts/pg.sh" stop "$pg_dir" || true; fi
  echo "stopped (state kept in $state; run ./scripts/quickstart.sh again to resume)"
}

# --- helpers --------------------------------------------------------------------------------------------------------

# HTTP status of a GET, with bash alone (a fresh Debian has no curl).
http_status() {
  local host_port=${1#http://} path=$2 line
  host_port=${host_port%%/*}
  { exec 3<>"/dev/tcp/${host_port%:*}/${host_port#*:}"; } 2>/dev/null || { echo 000; return 0; }
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$host_port" >&3
  read -r -t 5 line <&3 || line=""
  exec 3<&- 3>&-
  line=${line#HTTP/* }
  echo "${line%% *}"
}

wait_ready() { # wait_ready URL PATH SECONDS WHAT PID
  local i
  for i in $(seq 1 $(($3 * 2))); do
    [ "$(http_status "$1" "$2")" = 200 ] && return 0
    kill -0 "$5" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

# PostgreSQL as root runs as the 'postgres' user, which must be able to reach its data directory.
world_traversable() {
  local d=$1
  while [ "$d" != / ]; do
    [ $(( $(stat -c %a "$d") % 2 )) = 1 ] || return 1  # the last octal digit's x bit: others may enter
    d=$(dirname "$d")
  done
}

# --- go -------------------------------------------------------------------------------------------------------------

command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not on PATH"
mkdir -p "$state/bin" "$state/models"

say "building (Release)"
for project in src/Orchestrator src/Runner src/EngineImage; do
  dotnet build "$project" -c "$config" -nologo -v q "-clp:ErrorsOnly;NoSummary" || die "build of $project failed"
done

# A wrapper so the printed commands are short and work from anywhere.
cat >"$state/bin/orchestrator" <<EOF
#!/bin/sh
exec dotnet "$bin_orchestrator" "\$@"
EOF
chmod +x "$state/bin/orchestrator"
orchestrator="$state/bin/orchestrator"

# Leftovers of an earlier run that was not stopped cleanly.
stop_pidfile runner
kill_recorded
stop_pidfile orchestrator
kill_leftovers

trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${ORCHESTRATOR_DB:-}" ]; then
  pg_dir="$state/pg"
  if [ "$(id -u)" = 0 ] && ! world_traversable "$root"; then
    pg_dir="/var/lib/orchestrator-quickstart/$(echo "$root" | md5sum | cut -c1-8)/pg"
    mkdir -p "$(dirname "$pg_dir")"
  fi
  say "starting PostgreSQL in $pg_dir (port $pg_port)"
  if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
    rm -f "$state/runner/.runner"  # a fresh database knows no runner: register again
  fi
  ORCHESTRATOR_DB=$("$root/scripts/pg.sh" start "$pg_dir" "$pg_port")
  pg_started=1
fi
export ORCHESTRATOR_DB

say "starting the orchestrator on $server (log: $state/orchestrator.log)"
dotnet "$bin_orchestrator" serve --urls "$server" >>"$state/orchestrator.log" 2>&1 &
echo $! >"$state/orchestrator.pid"
wait_ready "$server" /readyz 120 orchestrator "$(cat "$state/orchestrator.pid")" \
  || { tail -n 30 "$state/orchestrator.log" >&2; die "the orchestrator did not become ready"; }

user_token=$(dotnet "$bin_orchestrator" tokens create --name "quickstart-$(date +%s)" --kind user)
registration_token=$(dotnet "$bin_orchestrator" tokens create --name "quickstart-runner-$(date +%s)" --kind registration)
printf '%s\n' "$user_token" | "$orchestrator" login --server "$server"

say "starting a runner (labels: local; log: $state/runner.log)"
# The registration token goes by environment, not argv, so that `ps` does not show it.
RUNNER_REGISTRATION_TOKEN="$registration_token" dotnet "$bin_runner" run --server "$server" --labels local \
  --name "quickstart-$(hostname)" --work-dir "$state/runner" --engine "$bin_engine" >>"$state/runner.log" 2>&1 &
echo $! >"$state/runner.pid"

model="$state/models/tiny-llama"
if [ ! -f "$model/config.json" ]; then
  say "making a tiny test model in $model"
  rm -rf "$model.tmp"
  dotnet "$bin_engine" make-test-model --family llama-3 --size tiny --out "$model.tmp"
  rm -rf "$model"
  mv "$model.tmp" "$model"
fi

cat >"$state/rollout.yaml" <<EOF
# Written by scripts/quickstart.sh: a tiny Llama-3-shaped model served by one local engine replica.
environment: local
model:
  family: llama-3
  size: tiny
  source: file://$model
engine:
  batchSize: 4
  maxCacheLength: 256
  replicas: 1
target:
  kind: local
  local:
    frontPort: $front_port
EOF

say "applying $state/rollout.yaml"
"$orchestrator" apply -f "$state/rollout.yaml" --follow || die "the rollout did not succeed (see above, and $state/runner.log)"

say "the model is served; talk to it with:"
echo "  $orchestrator generate --environment local \"Hello\""
echo "  (or straight to the front: POST http://127.0.0.1:$front_port/generate {\"prompt\": \"Hello\"})"
echo
echo "\$ $orchestrator generate --environment local --max-tokens 24 \"Hello\""
"$orchestrator" generate --environment local --max-tokens 24 "Hello" || true

say "serving until Ctrl-C"
wait "$(cat "$state/orchestrator.pid")" || true
die "the orchestrator exited (see $state/orchestrator.log)"
