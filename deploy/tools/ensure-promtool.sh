#!/usr/bin/env bash
# Prints the path of a promtool binary, built once into a cache directory (ensure-go-tool.sh).
set -euo pipefail
exec "$(dirname "$0")/ensure-go-tool.sh" promtool github.com/prometheus/prometheus/cmd/promtool \
  "${PROMTOOL_VERSION:-v0.316.0}"
