#!/usr/bin/env bash
# Test peers the suites run for real: tinyproxy (a forward proxy for the static egress suite) from
# Debian, and schemathesis (the admin API fuzzer) from PyPI, each installed when missing.
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
venv="${XDG_CACHE_HOME:-$HOME/.cache}/campaign-webhooks/schemathesis"
if ! command -v schemathesis >/dev/null && [ ! -x "$venv/bin/schemathesis" ]; then
  echo "test peers: installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

missing=()
command -v tinyproxy >/dev/null || missing+=(tinyproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "test peers: installing ${missing[*]} from Debian"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
