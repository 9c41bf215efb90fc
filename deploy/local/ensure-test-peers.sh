#!/usr/bin/env bash
# Test peers the suites run for real: tinyproxy (a forward proxy for the static egress suite).
# Installs them from Debian when missing.
set -euo pipefail

missing=()
command -v tinyproxy >/dev/null || missing+=(tinyproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "test peers: installing ${missing[*]} from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
