#!/usr/bin/env bash
# Builds the NetworkPolicy enforcer of the real nodes: sigs.k8s.io/kube-network-policies
# (package cmd/kube-network-policies/standard) at $KNP_VERSION from the Go module proxy, with
# the patches of patches/kube-network-policies/ applied to a copy of the module (they say why).
# Cached like the other binaries, keyed by version and the patches' hash:
#   $GOVCLOUD_BIN/kube-network-policies-<version>-<patch hash>
# Called by build.sh for the name kube-network-policies.
#
# usage: build-enforcer.sh [--print-path] [kube-network-policies]
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$here/versions.sh"

PATCHES=$here/patches/kube-network-policies
patch_hash() { cat "$PATCHES"/*.patch | sha256sum | cut -c1-12; }
out=$GOVCLOUD_BIN/kube-network-policies-$KNP_VERSION-$(patch_hash)

if [[ ${1-} == --print-path ]]; then echo "$out"; exit 0; fi
if [[ -x $out ]]; then echo "==> kube-network-policies $KNP_VERSION: cached at $out"; exit 0; fi

command -v go >/dev/null || { echo "build-enforcer.sh: Go is not installed (need Go >= 1.26)" >&2; exit 1; }
command -v patch >/dev/null || { echo "build-enforcer.sh: the 'patch' tool is missing (Debian package patch)" >&2; exit 1; }
mkdir -p "$GOVCLOUD_BIN" "$GOVCLOUD_CACHE/logs" "$GOVCLOUD_CACHE/src"
exec 9>"$GOVCLOUD_CACHE/build.lock"
if ! flock -n 9; then
  echo "==> another build holds $GOVCLOUD_CACHE/build.lock; waiting for it"
  flock 9
fi
[[ -x $out ]] && { echo "==> kube-network-policies: built meanwhile by another run"; exit 0; }

export CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=readonly"
log=$GOVCLOUD_CACHE/logs/build-kube-network-policies-$KNP_VERSION.log
src=$GOVCLOUD_CACHE/src/kube-network-policies-$KNP_VERSION-$(patch_hash)
fail() { echo "build-enforcer.sh: FAILED: $1. Last lines of $log:" >&2; tail -n 25 "$log" | sed 's/^/    /' >&2; exit 1; }

start=$SECONDS
echo "==> building kube-network-policies $KNP_VERSION from sigs.k8s.io/kube-network-policies@$KNP_VERSION + $(ls "$PATCHES" | tr '\n' ' ')(log $log)"
: >"$log"
dir=$( (cd "$GOVCLOUD_CACHE/src" && go mod download -json "sigs.k8s.io/kube-network-policies@$KNP_VERSION") 2>>"$log" |
  sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p') || true
[[ -n $dir && -d $dir ]] || fail "go mod download sigs.k8s.io/kube-network-policies@$KNP_VERSION"
rm -rf "$src" && cp -r "$dir" "$src" && chmod -R u+w "$src"
for p in "$PATCHES"/*.patch; do
  (cd "$src" && patch -p1 --forward --quiet <"$p") >>"$log" 2>&1 || fail "patch $p does not apply to $KNP_VERSION"
done
( while sleep 60; do echo "    ... kube-network-policies still building, $((SECONDS - start)) s elapsed"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true; rm -f "$out.tmp.$$"' EXIT
(cd "$src" && go build -trimpath -ldflags="-s -w" -o "$out.tmp.$$" ./cmd/kube-network-policies/standard) >>"$log" 2>&1 ||
  fail "go build of cmd/kube-network-policies/standard (Go $(go env GOVERSION))"
mv -f "$out.tmp.$$" "$out"
echo "    built kube-network-policies in $((SECONDS - start)) s -> $out ($(du -h "$out" | cut -f1))"
