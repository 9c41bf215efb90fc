#!/bin/sh
# Starts the service named by the first argument, or by SERVICE when there is none.
set -eu

service="${1:-${SERVICE:-}}"
[ "$#" -gt 0 ] && shift

case "$service" in
  admin-api | subscription-filter | renderer | delivery | notifier)
    exec node --enable-source-maps "/app/dist/apps/$service/main.js" "$@"
    ;;
  setup)
    exec node --enable-source-maps /app/dist/apps/admin-api/main.js setup "$@"
    ;;
  *)
    echo "campaign-webhooks: name a service (argument or SERVICE): admin-api, subscription-filter, renderer, delivery, notifier, or setup${service:+ (got \"$service\")}" >&2
    exit 64
    ;;
esac
