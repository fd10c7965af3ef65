#!/usr/bin/env bash
# Starts Guichet: web server, Celery worker and Celery beat, stopped together with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
banner_pid=
cleanup() { kill "${pids[@]}" $banner_pid 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/celery" -A crm worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$BIN/celery" -A crm beat --loglevel=INFO &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

# Once the web server answers (and the workers' start-up lines are out), end with the banner:
# the URL, the demo logins and how to stop.
(
  for _ in $(seq 1 120); do
    if "$BIN/python" -c "import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)" "$HOST" "$PORT" 2>/dev/null; then
      sleep 2
      "$BIN/python" manage.py demo_banner --url "http://$HOST:$PORT/"
      exit 0
    fi
    sleep 0.5
  done
  echo "Guichet: the web server did not answer on http://$HOST:$PORT/ within a minute." >&2
) &
banner_pid=$!

wait -n "${pids[@]}"
