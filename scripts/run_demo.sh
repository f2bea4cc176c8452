#!/usr/bin/env bash
# The demo: the scooter shop's action server (examples/scooter_actions) and the bot (intents/),
# sharing one secret; Ctrl+C stops both. Used by `make run`.
#   scripts/run_demo.sh [VENV] [HOST] [PORT] [ACTIONS_PORT]
set -euo pipefail

VENV=${1:-.venv}
HOST=${2:-127.0.0.1}
PORT=${3:-8000}
ACTIONS_PORT=${4:-8001}

# One secret for both processes: the operator's if set, else a new one for this run.
CAUSETTE_ACTIONS_SECRET=${CAUSETTE_ACTIONS_SECRET:-$("$VENV/bin/python" -c "import secrets; print(secrets.token_hex(32))")}
export CAUSETTE_ACTIONS_SECRET
export CAUSETTE_ACTIONS_URL="http://127.0.0.1:$ACTIONS_PORT/actions"

pids=()
stop() {
    trap - INT TERM EXIT
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$VENV/bin/python" -m examples.scooter_actions --host 127.0.0.1 --port "$ACTIONS_PORT" &
pids+=($!)
"$VENV/bin/causette" serve intents --host "$HOST" --port "$PORT" &
pids+=($!)

# Either process ending (or Ctrl+C) stops the other.
wait -n
