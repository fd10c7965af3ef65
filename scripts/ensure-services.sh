#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) answer: starts them, or
# installs then starts them, when they do not. Installs Chromium for the browser tests if missing. Creates the "guichet" database if it is missing.
set -euo pipefail
here=$(dirname "$0")
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
wait_for() { for _ in $(seq 1 60); do "$1" && return 0; sleep 0.5; done; return 1; }

if ! pg_up; then
  command -v pg_ctlcluster >/dev/null || bash "$here/ensure-system-packages.sh" postgresql
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  [ -d "/etc/postgresql/$version/main" ] || $sudo pg_createcluster "$version" main
  $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for pg_up || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
fi
if ! redis_up; then
  command -v redis-server >/dev/null || bash "$here/ensure-system-packages.sh" redis-server
  $sudo mkdir -p /var/lib/redis /var/log/redis
  $sudo redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/guichet.log
  wait_for redis_up || { echo "Redis does not answer on 127.0.0.1:6379" >&2; exit 1; }
fi

# The browser tests drive Chromium at /usr/bin/chromium (Debian's package).
[ -x /usr/bin/chromium ] || bash "$here/ensure-system-packages.sh" chromium

# Trust auth on 127.0.0.1 is expected (as on a developer machine or CI); create the database once.
if ! psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='guichet'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -c "create database guichet" >/dev/null
fi
echo "PostgreSQL and Redis answer; Chromium is installed."
