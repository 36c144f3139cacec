#!/usr/bin/env bash
# Start PostgreSQL (127.0.0.1:5432, database "test") and Redis (127.0.0.1:6379) if they are
# installed but not answering. With --require, exit non-zero when either is still down.
set -uo pipefail
require=0
[ "${1:-}" = "--require" ] && require=1

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_up && break; sleep 0.5; done
fi
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
fi
if pg_up && ! psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
fi

status=0
if pg_up; then echo "postgresql: up on 127.0.0.1:5432"; else echo "postgresql: DOWN on 127.0.0.1:5432"; status=1; fi
if redis_up; then echo "redis: up on 127.0.0.1:6379"; else echo "redis: DOWN on 127.0.0.1:6379"; status=1; fi
if [ "$require" = 1 ] && [ "$status" != 0 ]; then
    echo "a service the tests need is down: see the README's 'Services' section" >&2
    exit 1
fi
exit 0
