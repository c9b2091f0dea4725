#!/usr/bin/env bash
# Start the web server with a Celery worker and beat beside it; stop all three on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var/log

pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$VENV/bin/celery" -A config worker --loglevel INFO --concurrency 2 >var/log/worker.log 2>&1 &
pids+=($!)
"$VENV/bin/celery" -A config beat --loglevel INFO \
  --schedule var/celerybeat-schedule --pidfile= >var/log/beat.log 2>&1 &
pids+=($!)

echo
echo "Gongjian is running at http://$HOST:$PORT/   (admin: http://$HOST:$PORT/admin/)"
echo "Celery worker: pid ${pids[0]} (log var/log/worker.log); beat: pid ${pids[1]} (log var/log/beat.log)"
echo "Broker: ${CELERY_BROKER_URL:-filesystem:// (embedded, var/broker)}"
echo "Press Ctrl-C to stop."
echo
"$VENV/bin/gunicorn" config.wsgi --config gunicorn.conf.py --bind "$HOST:$PORT" &
pids+=($!)
wait "${pids[2]}"
