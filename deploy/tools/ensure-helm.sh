#!/usr/bin/env bash
# Prints the path of a helm binary, building it with `go install` into a cache directory the
# first time: helm is not packaged for this machine's distribution, but the Go module proxy
# serves its source.
set -euo pipefail

version="${HELM_VERSION:-v3.22.0}"
bin_dir="${CAMPAIGN_WEBHOOKS_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/campaign-webhooks/bin}"
helm="$bin_dir/helm-$version"

if [[ -x "$helm" ]]; then
  echo "$helm"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [[ -x "$candidate" ]]; then PATH="$(dirname "$candidate"):$PATH"; break; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-helm: go is required to build helm $version (or put helm-$version in $bin_dir)" >&2
  exit 1
fi

mkdir -p "$bin_dir"
# Build into a scratch GOBIN and rename, so a half-finished build never passes for a binary and
# two versions can sit side by side.
scratch="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
echo "ensure-helm: building helm $version with $(go version | cut -d' ' -f3) (first run only)" >&2
GOBIN="$scratch" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "helm.sh/helm/v3/cmd/helm@$version" >&2
mv "$scratch/helm" "$helm"
echo "$helm"
