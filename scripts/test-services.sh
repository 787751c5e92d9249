#!/usr/bin/env bash
# Makes sure the Redis and PostgreSQL the test suite talks to are installed, running and reachable; safe to run again.
set -euo pipefail

# The addresses the tests use (test/support/services.ts reads the same variables with the same defaults).
REDIS_URL="${RUNLANE_TEST_REDIS_URL:-redis://127.0.0.1:6379}"
PG_HOST=127.0.0.1
PG_PORT=5432
# A role and database of the suite's own: a password makes it work under Debian's default scram rule for 127.0.0.1,
# and trust-configured servers simply ignore it.
PG_ROLE=runlane
PG_PASSWORD=runlane
PG_DATABASE=runlane_test

log() { printf '\033[1mtest services:\033[0m %s\n' "$*"; }

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update
  as_root apt-get install -y --no-install-recommends "$@"
}

redis_up() {
  redis-cli -u "$REDIS_URL" ping 2>/dev/null | grep -q PONG
}

ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis_up; then
    log "redis: reachable at $REDIS_URL"
    return
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  if ! redis_up; then
    log "redis: starting"
    # Nothing is kept on disk: the tests use unique key prefixes and clean up after themselves.
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no
    for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  fi
  redis_up || { log "redis: not reachable at $REDIS_URL" >&2; exit 1; }
  log "redis: reachable at $REDIS_URL"
}

pg_up() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null
}

# Runs SQL as the server's superuser: over TCP where the server trusts it, else through the local socket as postgres.
pg_admin() {
  if psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc "$1"
  else
    as_root runuser -u postgres -- psql -d postgres -Atqc "$1"
  fi
}

ensure_postgres() {
  if ! command -v pg_isready >/dev/null 2>&1 || ! pg_up; then
    command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
    if ! pg_up; then
      log "postgresql: starting"
      local version
      version="$(ls /etc/postgresql | sort -V | tail -n1)"
      as_root pg_ctlcluster "$version" main start || as_root service postgresql start
      for _ in $(seq 100); do pg_up && break; sleep 0.1; done
    fi
  fi
  pg_up || { log "postgresql: not reachable at $PG_HOST:$PG_PORT" >&2; exit 1; }
  if [[ "$(pg_admin "select 1 from pg_roles where rolname = '$PG_ROLE'")" != 1 ]]; then
    pg_admin "create role $PG_ROLE login password '$PG_PASSWORD'" >/dev/null
  fi
  if [[ "$(pg_admin "select 1 from pg_database where datname = '$PG_DATABASE'")" != 1 ]]; then
    pg_admin "create database $PG_DATABASE owner $PG_ROLE" >/dev/null
  fi
  log "postgresql: reachable at $PG_HOST:$PG_PORT (database $PG_DATABASE)"
}

ensure_redis
ensure_postgres
