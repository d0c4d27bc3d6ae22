#!/usr/bin/env bash
# Builds the pinned upstream binaries of the local platform from source with Go, one after
# another (the machine has 2 cores), and caches them outside the repository:
#   ${GOVCLOUD_CACHE:-$HOME/.cache/govcloud}/bin/<name>-<version>
# A binary already in the cache is not rebuilt. Versions: versions.sh.
#
# usage: build.sh [--print-path NAME] [NAME...]
#   NAME: kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm
#   cert-manager (default: all but cert-manager, which up.sh builds when it starts it). --print-path prints where NAME's binary lives and exits;
#   --print-path cert-manager-crds where cert-manager's CRDs (its module's deploy/crds) are.
set -euo pipefail
shopt -s inherit_errexit  # a failing step inside $(...) fails the build too
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.sh
source "$here/versions.sh"
# The real nodes' NetworkPolicy enforcer is built from a patched copy of its module.
if [[ ${1-} == kube-network-policies || ${2-} == kube-network-policies ]]; then
  exec "$here/build-enforcer.sh" "$@"
fi

DEFAULT=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm)
ALL=("${DEFAULT[@]}" cert-manager)

version_of() {
  case $1 in
    kube-*|kubectl) echo "$KUBE_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    cert-manager) echo "$CERT_MANAGER_VERSION" ;;
    *) echo "build.sh: unknown binary '$1' (known: ${ALL[*]})" >&2; return 2 ;;
  esac
}
bin_path() { echo "$GOVCLOUD_BIN/$1-$(version_of "$1")"; }
crds_path() { echo "$GOVCLOUD_CACHE/crds/cert-manager-$CERT_MANAGER_VERSION.yaml"; }

if [[ ${1-} == --print-path ]]; then
  if [[ ${2-} == cert-manager-crds ]]; then crds_path; else bin_path "${2:?--print-path NAME}"; fi
  exit 0
fi

names=("$@")
(( ${#names[@]} )) || names=("${DEFAULT[@]}")
for n in "${names[@]}"; do version_of "$n" >/dev/null; done

# cert-manager's CRDs come with its binary: the same module version's deploy/crds, all six
# (acme.cert-manager.io too: the controller's shared informers know those kinds).
if [[ " ${names[*]} " == *" cert-manager "* && ! -f $(crds_path) ]]; then
  command -v go >/dev/null || { echo "build.sh: Go is not installed (need it to fetch cert-manager's CRDs)" >&2; exit 1; }
  mod_dir=$(go mod download -json "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [[ -d $mod_dir/deploy/crds ]] || { echo "build.sh: github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION has no deploy/crds" >&2; exit 1; }
  mkdir -p "$(dirname "$(crds_path)")"
  cat "$mod_dir"/deploy/crds/*.yaml >"$(crds_path).tmp" && mv -f "$(crds_path).tmp" "$(crds_path)"
  echo "==> cert-manager $CERT_MANAGER_VERSION CRDs: $(crds_path)"
fi

# Which binaries are missing? If none, say so and stop before touching Go at all.
missing=()
for n in "${names[@]}"; do
  if [[ -x $(bin_path "$n") ]]; then
    echo "==> $n $(version_of "$n"): cached at $(bin_path "$n")"
  else
    missing+=("$n")
  fi
done
(( ${#missing[@]} )) || exit 0

# shellcheck source=build-prelude.sh
source "$here/build-prelude.sh"
# One build at a time per cache (two `make` runs must not both compile for 20 minutes).
build_prelude "build.sh: Go is not installed (need Go >= 1.26 to build Kubernetes $KUBE_VERSION)"

# The module that builds NAME: the committed one under build/ when its pin matches the
# requested version, else a copy in the cache re-pinned to that version.
fail_module() { # fail_module NAME MODULE@VERSION LOG
  echo "build.sh: FAILED to prepare the module for $1: $2 could not be resolved. Last lines of $3:" >&2
  tail -n 15 "$3" | sed 's/^/    /' >&2
  exit 1
}
module_dir() {
  local name=$1 version dir log
  version=$(version_of "$name")
  log=$GOVCLOUD_CACHE/logs/module-$name-$version.log
  case $name in
    kube-*|kubectl)
      dir=$here/build/kubernetes
      if ! grep -qE "^\s*(require )?k8s\.io/kubernetes ${version//./\\.}( // indirect)?\$" "$dir/go.mod"; then
        dir=$GOVCLOUD_CACHE/src/kubernetes-$version
        if [[ ! -f $dir/go.sum ]]; then
          echo "==> generating the wrapper module for k8s.io/kubernetes@$version in $dir (log $log)" >&2
          rm -rf "$dir"
          GOFLAGS=-mod=mod "$here/build/gen-kubernetes-mod.sh" "$version" "$dir" >"$log" 2>&1 ||
            { rm -rf "$dir"; fail_module "$name" "k8s.io/kubernetes@$version" "$log"; }
        fi
      fi ;;
    etcd|kwok|helm|cert-manager)
      local mod
      case $name in
        etcd) mod=go.etcd.io/etcd/server/v3 ;; kwok) mod=sigs.k8s.io/kwok ;; helm) mod=helm.sh/helm/v3 ;;
        cert-manager) mod=github.com/cert-manager/cert-manager ;;
      esac
      dir=$here/build/$name
      if ! grep -qE "^\s*(require )?${mod//./\\.} ${version//./\\.}( // indirect)?\$" "$dir/go.mod"; then
        dir=$GOVCLOUD_CACHE/src/$name-$version
        if [[ ! -f $dir/go.sum ]]; then
          echo "==> re-pinning $mod to $version in $dir (log $log)" >&2
          rm -rf "$dir" && mkdir -p "$dir" && cp "$here/build/$name"/* "$dir/"
          (cd "$dir" && GOFLAGS=-mod=mod go get "$mod@$version" && GOFLAGS=-mod=mod go mod tidy) >"$log" 2>&1 ||
            { rm -rf "$dir"; fail_module "$name" "$mod@$version" "$log"; }
        fi
      fi ;;
  esac
  echo "$dir"
}

# The package path and -ldflags for NAME (so /version and `--version` tell the real version).
package_of() {
  case $1 in
    kube-*|kubectl) echo "k8s.io/kubernetes/cmd/$1" ;;
    etcd|cert-manager) echo "." ;;
    kwok) echo "sigs.k8s.io/kwok/cmd/kwok" ;;
    helm) echo "helm.sh/helm/v3/cmd/helm" ;;
  esac
}
ldflags_of() {
  local name=$1 dir=$2 v flags="-s -w"
  v=$(version_of "$name")
  case $name in
    kube-*|kubectl)
      [[ $v =~ ^v([0-9]+)\.([0-9]+)\. ]]
      local pkg
      for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
        flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=${BASH_REMATCH[1]} -X $pkg.gitMinor=${BASH_REMATCH[2]}"
        flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
      done ;;
    kwok)
      local kv
      kv=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)
      flags+=" -X sigs.k8s.io/kwok/pkg/consts.Version=$v -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kv/v0./v1.}" ;;
    helm)
      local kv
      kv=$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/client-go)
      [[ $kv =~ ^v0\.([0-9]+)\. ]]
      flags+=" -X helm.sh/helm/v3/internal/version.version=$v -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
      flags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${BASH_REMATCH[1]}"
      flags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${BASH_REMATCH[1]}" ;;
    cert-manager)
      flags+=" -X github.com/cert-manager/cert-manager/pkg/util.AppVersion=$v" ;;
  esac
  echo "$flags"
}
upstream_of() {
  case $1 in
    kube-*|kubectl) echo "k8s.io/kubernetes@$KUBE_VERSION" ;;
    etcd) echo "go.etcd.io/etcd/server/v3@$ETCD_VERSION" ;;
    kwok) echo "sigs.k8s.io/kwok@$KWOK_VERSION" ;;
    helm) echo "helm.sh/helm/v3@$HELM_VERSION" ;;
    cert-manager) echo "github.com/cert-manager/cert-manager@$CERT_MANAGER_VERSION" ;;
  esac
}

trap 'stop_ticker; rm -f "${tmp_out-}"' EXIT
trap 'echo "build.sh: interrupted" >&2; exit 130' INT TERM

total_start=$SECONDS
for n in "${missing[@]}"; do
  out=$(bin_path "$n")
  [[ -x $out ]] && { echo "==> $n: built meanwhile by another run"; continue; }
  dir=$(module_dir "$n")
  pkg=$(package_of "$n")
  log=$GOVCLOUD_CACHE/logs/build-$n-$(version_of "$n").log
  echo "==> building $n $(version_of "$n") from $(upstream_of "$n") (module $dir; log $log)"
  go_build "$n" "$out" "$dir" "$pkg" "$(ldflags_of "$n" "$dir")" "$log" \
    "build.sh: FAILED to build $n: go build of $pkg in module $dir (upstream $(upstream_of "$n"))"
done
echo "==> all requested binaries present ($(fmt_secs $((SECONDS - total_start))) spent building)"
