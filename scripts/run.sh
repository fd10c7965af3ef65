#!/usr/bin/env bash
# Starts Guichet: web server, Celery worker and Celery beat, stopped together with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/celery" -A crm worker --loglevel=INFO --concurrency=2 &
pids+=($!)
"$BIN/celery" -A crm beat --loglevel=INFO &
pids+=($!)
echo "Guichet: http://$HOST:$PORT/  (back office /agent/, admin /admin/)"
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)
wait -n "${pids[@]}"
