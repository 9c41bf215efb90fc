#!/usr/bin/env bash
# Prints the path of a Go tool's binary, building it with `go install` into a cache directory the
# first time: the tools the packaging checks use (helm, promtool) are not packaged for this
# machine's distribution, but the Go module proxy serves their source.
#   deploy/tools/ensure-go-tool.sh NAME PACKAGE VERSION
set -euo pipefail

name="$1" package="$2" version="$3"
bin_dir="${CAMPAIGN_WEBHOOKS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/campaign-webhooks/bin}"
binary="$bin_dir/$name-$version"

if [[ -x "$binary" ]]; then
  echo "$binary"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [[ -x "$candidate" ]]; then PATH="$(dirname "$candidate"):$PATH"; break; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-go-tool: go is required to build $name $version (or put $name-$version in $bin_dir)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
# Build into a scratch GOBIN and rename, so a half-finished build never passes for a binary and
# two versions can sit side by side.
scratch="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
echo "ensure-go-tool: building $name $version with $(go version | cut -d' ' -f3) (first run only)" >&2
GOBIN="$scratch" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "$package@$version" >&2
mv "$scratch/$name" "$binary"
echo "$binary"
