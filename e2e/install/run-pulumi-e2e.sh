#!/usr/bin/env bash
# `make e2e-pulumi`: builds (or finds cached) the Pulumi CLI and Kubernetes provider, installs
# the provider as a plugin into a Pulumi home in the cache, and runs e2e/install/pulumi.test.ts
# against GOVCLOUD_KUBECONFIG's clusters or the local platform (started here and stopped again
# if none runs), like e2e/platform/run-e2e.sh does for the whole suite.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
NODE=${NODE:-$ROOT/node_modules/.bin/node}
platform=$ROOT/e2e/platform
cd "$ROOT"
: "${GOVCLOUD_CACHE:=${HOME}/.cache/govcloud}"
export GOVCLOUD_CACHE

start=$SECONDS
NODE=$NODE bash "$here/build-pulumi.sh"
cli=$(bash "$here/build-pulumi.sh" --print-path pulumi)
provider=$(bash "$here/build-pulumi.sh" --print-path kubernetes)
plugin_version=${provider##*-v}
echo "==> e2e-pulumi: binaries ready after $((SECONDS - start)) s"

# The Automation API runs <root>/bin/pulumi; plugins live in PULUMI_HOME, not in ~/.pulumi.
export GOVCLOUD_PULUMI_ROOT=$GOVCLOUD_CACHE/pulumi-root
export PULUMI_HOME=$GOVCLOUD_CACHE/pulumi-home
mkdir -p "$GOVCLOUD_PULUMI_ROOT/bin" "$PULUMI_HOME"
ln -sf "$cli" "$GOVCLOUD_PULUMI_ROOT/bin/pulumi"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
if ! "$cli" plugin ls 2>/dev/null | grep -qE "^kubernetes +resource +$plugin_version "; then
  echo "==> installing $provider as plugin resource kubernetes v$plugin_version into $PULUMI_HOME"
  "$cli" plugin install resource kubernetes "v$plugin_version" --file "$provider"
fi

started=0
finish() {
  local rc=$?
  if ((started)); then
    echo "==> e2e-pulumi: bringing down the platform this run started"
    "$platform/down.sh" || rc=1
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM
if [[ -n ${GOVCLOUD_KUBECONFIG-} ]]; then
  echo "==> e2e-pulumi: against the clusters of $GOVCLOUD_KUBECONFIG"
elif "$platform/up.sh" --check; then
  echo "==> e2e-pulumi: the local platform runs: reusing it"
else
  echo "==> e2e-pulumi: no local platform runs: starting one"
  started=1
  "$platform/up.sh"
fi
out=$(mktemp)
rc=0
GOVCLOUD_E2E_PULUMI=1 "$NODE" node_modules/uvu/bin.js e2e/install '^pulumi\.test\.ts$' --no-color 2>&1 | tee "$out" || rc=$?
count() { sed -n "s/^ *$1: *\([0-9]*\).*/\1/p" "$out" | tail -1; }
total=$(count Total) passed=$(count Passed) skipped=$(count Skipped)
rm -f "$out"
echo "e2e-pulumi: ${passed:-0} passed, $((${total:-0} - ${passed:-0})) failed, ${skipped:-0} skipped"
# A run that defined or passed no test proves nothing: say so and fail.
if ((rc == 0 && ${passed:-0} == 0)); then
  echo "e2e-pulumi: no test ran (total ${total:-0}): failing rather than reporting success" >&2
  rc=1
fi
echo "==> e2e-pulumi: took $((SECONDS - start)) s in all"
exit "$rc"
