#!/usr/bin/env bash
# The local stack the services need: Kafka, PostgreSQL, the schema and the topics.
#   deploy/local/stack.sh up|down|status
# Settings as in kafka.sh and postgres.sh; `up` also needs the admin-api build (npm run build).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export KAFKA_PORT=${KAFKA_PORT:-9092}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:$KAFKA_PORT}
export DATABASE_URL=${DATABASE_URL:-postgres://webhooks:webhooks@127.0.0.1:5433/webhooks}

case "${1:-}" in
  up)
    "$here/kafka.sh" start
    "$here/postgres.sh" start
    node "$root/dist/apps/admin-api/main.js" setup
    ;;
  down)
    "$here/kafka.sh" stop
    "$here/postgres.sh" stop
    ;;
  status)
    "$here/kafka.sh" status || true
    "$here/postgres.sh" status || true
    ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
