#!/usr/bin/env bash
# Starts the local PostgreSQL and Redis that `make test` needs, when they are down.
set -euo pipefail

wait_for() {  # $1: what, $2: command that succeeds once it is up
    for _ in $(seq 1 30); do
        if eval "$2" >/dev/null 2>&1; then return 0; fi
        sleep 1
    done
    echo "error: $1 did not come up within 30 s." >&2
    exit 1
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    if ! command -v pg_ctlcluster >/dev/null || [ ! -d /etc/postgresql ]; then
        echo "error: PostgreSQL is not running on 127.0.0.1:5432 and is not installed here." >&2
        echo "       Install it (apt-get install postgresql) or point DATABASE_URL at a server." >&2
        exit 1
    fi
    echo "Starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    wait_for PostgreSQL "pg_isready -q -h 127.0.0.1 -p 5432"
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
    if ! command -v redis-server >/dev/null; then
        echo "error: Redis is not running on 127.0.0.1:6379 and is not installed here." >&2
        echo "       Install it (apt-get install redis-server) or point CELERY_BROKER_URL at a server." >&2
        exit 1
    fi
    echo "Starting Redis ..."
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"
fi
