#!/usr/bin/env bash
# Builds the Pulumi CLI and the Pulumi Kubernetes provider from the Go module proxy (nothing
# else can be downloaded here: no release archives, no plugin downloads) and caches them
# beside the local platform's binaries:
#   ${GOVCLOUD_CACHE:-$HOME/.cache/govcloud}/bin/pulumi-<cli version>
#   ${GOVCLOUD_CACHE:-$HOME/.cache/govcloud}/bin/pulumi-resource-kubernetes-v<plugin version>
# A binary already in the cache is not rebuilt. Shares e2e/platform's build lock, so it never
# compiles at the same time as a Kubernetes build (the machine has 2 cores).
#
# Versions: the CLI is github.com/pulumi/pulumi/pkg/v3 at the version pulumi-build/cli/go.mod
# pins (the newest pkg/v3 the proxy serves at or above the @pulumi/pulumi SDK's minor). The
# provider is github.com/pulumi/pulumi-kubernetes/provider/v4 at the pseudo-version
# pulumi-build/kubernetes/go.mod pins (the proxy serves no tagged provider/v4); it is built
# under, and installed as, the plugin version that @pulumi/kubernetes in node_modules asks
# for, since the SDK requests exactly that version.
#
# usage: build-pulumi.sh [--print-path pulumi|kubernetes] [pulumi] [kubernetes]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
: "${GOVCLOUD_CACHE:=${HOME}/.cache/govcloud}"
GOVCLOUD_BIN=$GOVCLOUD_CACHE/bin
NODE=${NODE:-$ROOT/node_modules/.bin/node}

cli_version() { awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$here/pulumi-build/cli/go.mod"; }
provider_module_version() {
  awk '$1 == "require" { $1 = ""; $0 = $0 } $1 == "github.com/pulumi/pulumi-kubernetes/provider/v4" { print $2; exit }' "$here/pulumi-build/kubernetes/go.mod"
}
plugin_version() {
  "$NODE" -e 'console.log(require(process.argv[1]).pulumi.version)' "$ROOT/node_modules/@pulumi/kubernetes/package.json"
}
bin_path() {
  case $1 in
    pulumi) echo "$GOVCLOUD_BIN/pulumi-$(cli_version)" ;;
    kubernetes) echo "$GOVCLOUD_BIN/pulumi-resource-kubernetes-v$(plugin_version)" ;;
    *) echo "build-pulumi.sh: unknown binary '$1' (known: pulumi kubernetes)" >&2; return 2 ;;
  esac
}

if [[ ${1-} == --print-path ]]; then
  bin_path "${2:?--print-path pulumi|kubernetes}"
  exit 0
fi

names=("$@")
(( ${#names[@]} )) || names=(pulumi kubernetes)
missing=()
for n in "${names[@]}"; do
  out=$(bin_path "$n")
  if [[ -x $out ]]; then echo "==> $n: cached at $out"; else missing+=("$n"); fi
done
(( ${#missing[@]} )) || exit 0

# shellcheck source=../platform/build-prelude.sh
source "$ROOT/e2e/platform/build-prelude.sh"
build_prelude "build-pulumi.sh: Go is not installed"
trap 'stop_ticker; rm -f "${tmp_out-}"' EXIT
trap 'echo "build-pulumi.sh: interrupted" >&2; exit 130' INT TERM

build() { # name module-dir package ldflags
  local n=$1 dir=$2 pkg=$3 ldflags=$4 out log
  out=$(bin_path "$n")
  [[ -x $out ]] && { echo "==> $n: built meanwhile by another run"; return 0; }
  log=$GOVCLOUD_CACHE/logs/build-$(basename "$out").log
  echo "==> building $(basename "$out") from $pkg (module $dir; log $log)"
  go_build "$n" "$out" "$dir" "$pkg" "$ldflags" "$log" "build-pulumi.sh: FAILED to build $n ($pkg in $dir)"
}

total=$SECONDS
for n in "${missing[@]}"; do
  case $n in
    pulumi)
      build pulumi "$here/pulumi-build/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(cli_version)" ;;
    kubernetes)
      # A copy of the wrapper with the two files upstream's main embeds, made from the
      # module's committed schema.json (version set, as upstream's generate.go does).
      pv=$(plugin_version)
      src=$GOVCLOUD_CACHE/src/pulumi-resource-kubernetes-v$pv
      rm -rf "$src" && mkdir -p "$src"
      cp "$here/pulumi-build/kubernetes/"{go.mod,go.sum,main.go} "$src/"
      pmv=$(provider_module_version)
      [[ -n $pmv ]] || { echo "build-pulumi.sh: no provider/v4 version in pulumi-build/kubernetes/go.mod" >&2; exit 1; }
      mdir=$(cd "$src" && go mod download -json "github.com/pulumi/pulumi-kubernetes/provider/v4@$pmv" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p') || true
      [[ -d $mdir ]] || { echo "build-pulumi.sh: cannot download github.com/pulumi/pulumi-kubernetes/provider/v4@$pmv" >&2; exit 1; }
      "$NODE" -e '
        const fs = require("node:fs");
        const [dir, out, version] = process.argv.slice(1);
        const schema = JSON.parse(fs.readFileSync(dir + "/cmd/pulumi-resource-kubernetes/schema.json", "utf8"));
        schema.version = version;
        fs.writeFileSync(out + "/schema-embed.json", JSON.stringify(schema));
        const mapping = JSON.parse(fs.readFileSync(dir + "/cmd/pulumi-resource-kubernetes/terraform-mapping.json", "utf8"));
        fs.writeFileSync(out + "/terraform-mapping-embed.json", JSON.stringify(mapping));
      ' "$mdir" "$src" "$pv"
      build kubernetes "$src" . \
        "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$pv" ;;
  esac
done
echo "==> pulumi binaries present ($(fmt_secs $((SECONDS - total))) spent building)"
