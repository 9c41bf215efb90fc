#!/bin/sh
# Starts the service named by the first argument, or by SERVICE when there is none.
set -eu

service="${1:-${SERVICE:-}}"
[ "$#" -gt 0 ] && shift

# V8 flags NODE_OPTIONS refuses (the Dockerfile's NODE_OPTIONS has the others): V8 starts
# marking the old generation only once it is 80 % of the way to its limit, at once from 95 %.
# Otherwise, with the 32 MiB young generation and the services' small heaps, it marked back to
# back: a full collection every 0.2-0.4 s under load. And the old generation grows to twice its
# live data between full collections, not three or four times, to hold each service's resident
# memory under 256 MiB at a steady 5,000 webhooks/s (docs/performance.md).
v8_flags="--incremental-marking-soft-trigger=80 --incremental-marking-hard-trigger=95 --heap-growing-percent=100"

# Delivery and admin-api keep a 16 MiB young generation (NODE_OPTIONS gives the others 32): a
# command-line flag wins over NODE_OPTIONS. It holds their resident memory under 256 MiB at 5,000
# webhooks/s for a few us of CPU per webhook (docs/performance.md).
own_flags=""
case "$service" in
  admin-api | delivery) own_flags="--max-semi-space-size=16" ;;
esac

case "$service" in
  admin-api | subscription-filter | renderer | delivery | notifier)
    # shellcheck disable=SC2086 # one word per flag
    exec node --enable-source-maps $v8_flags $own_flags "/app/dist/apps/$service/main.js" "$@"
    ;;
  setup)
    # shellcheck disable=SC2086
    exec node --enable-source-maps $v8_flags /app/dist/apps/admin-api/main.js setup "$@"
    ;;
  *)
    echo "campaign-webhooks: name a service (argument or SERVICE): admin-api, subscription-filter, renderer, delivery, notifier, or setup${service:+ (got \"$service\")}" >&2
    exit 64
    ;;
esac
