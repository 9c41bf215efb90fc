#!/usr/bin/env bash
# Prints the path of a helm binary, built once into a cache directory (ensure-go-tool.sh).
set -euo pipefail
exec "$(dirname "$0")/ensure-go-tool.sh" helm helm.sh/helm/v3/cmd/helm "${HELM_VERSION:-v3.22.0}"
