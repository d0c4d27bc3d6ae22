#!/usr/bin/env bash
# Builds Flux's source-controller and kustomize-controller from the Go module proxy, one after
# the other, into the same cache as the local platform's binaries (e2e/platform/build.sh):
#   ${GOVCLOUD_CACHE:-$HOME/.cache/govcloud}/bin/<name>-<version>
# A binary already in the cache is not rebuilt. Each is built from a committed wrapper module
# under build/<name>/ that names the controller as a tool (its go.sum pins every dependency).
#
# usage: build.sh [--print-path NAME] [--module-dir NAME] [NAME...]
#   NAME: source-controller kustomize-controller (default: both)
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../platform/versions.sh
source "$here/../platform/versions.sh"
# shellcheck source=versions.sh
source "$here/versions.sh"

ALL=(source-controller kustomize-controller)
version_of() {
  case $1 in
    source-controller) echo "$FLUX_SOURCE_CONTROLLER_VERSION" ;;
    kustomize-controller) echo "$FLUX_KUSTOMIZE_CONTROLLER_VERSION" ;;
    *) echo "gitops/build.sh: unknown binary '$1' (known: ${ALL[*]})" >&2; return 2 ;;
  esac
}
bin_path() { echo "$GOVCLOUD_BIN/$1-$(version_of "$1")"; }
module_dir() {
  local dir=$here/build/$1 v
  v=$(version_of "$1")
  grep -qE "^\s*github\.com/fluxcd/$1 ${v//./\\.} // indirect\$" "$dir/go.mod" ||
    { echo "gitops/build.sh: $dir/go.mod does not pin github.com/fluxcd/$1 $v (versions.sh): re-pin it with go get -tool" >&2; return 1; }
  echo "$dir"
}

case ${1-} in
  --print-path) bin_path "${2:?--print-path NAME}"; exit 0 ;;
  --module-dir) module_dir "${2:?--module-dir NAME}"; exit 0 ;;
esac

names=("$@")
(( ${#names[@]} )) || names=("${ALL[@]}")
missing=()
for n in "${names[@]}"; do
  if [[ -x $(bin_path "$n") ]]; then echo "==> $n $(version_of "$n"): cached at $(bin_path "$n")"; else missing+=("$n"); fi
done
(( ${#missing[@]} )) || exit 0

# shellcheck source=../platform/build-prelude.sh
source "$here/../platform/build-prelude.sh"
build_prelude "gitops/build.sh: Go is not installed (need Go >= 1.26 to build Flux)"
trap 'stop_ticker; rm -f "${tmp_out-}"' EXIT
trap 'echo "gitops/build.sh: interrupted" >&2; exit 130' INT TERM

total_start=$SECONDS
for n in "${missing[@]}"; do
  out=$(bin_path "$n")
  [[ -x $out ]] && { echo "==> $n: built meanwhile by another run"; continue; }
  dir=$(module_dir "$n")
  log=$GOVCLOUD_CACHE/logs/build-$n-$(version_of "$n").log
  echo "==> building $n $(version_of "$n") from github.com/fluxcd/$n (module $dir; log $log)"
  go_build "$n" "$out" "$dir" "github.com/fluxcd/$n" "-s -w" "$log" "gitops/build.sh: FAILED to build $n (module $dir)"
done
echo "==> Flux controllers present ($(fmt_secs $((SECONDS - total_start))) spent building)"
