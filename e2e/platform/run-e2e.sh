#!/usr/bin/env bash
# Runs the e2e suite (e2e/**/*.test.ts, uvu; E2E_FILES another pattern). With GOVCLOUD_KUBECONFIG set, against those
# clusters as they are (kind, anything). Otherwise against the local platform: reused when it
# runs, else brought up here (building binaries if needed) and brought down again afterwards.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
NODE=${NODE:-$ROOT/node_modules/.bin/node}
cd "$ROOT"

started=0
finish() {
  local rc=$?
  if ((started)); then
    echo "==> e2e: bringing down the platform this run started"
    "$here/down.sh" || rc=1
  fi
  exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT TERM

if [[ -n ${GOVCLOUD_KUBECONFIG-} ]]; then
  echo "==> e2e: against the clusters of $GOVCLOUD_KUBECONFIG"
elif "$here/up.sh" --check; then
  echo "==> e2e: the local platform runs: reusing it"
else
  echo "==> e2e: no local platform runs: starting one"
  started=1
  "$here/up.sh"
fi
if [[ -z ${GOVCLOUD_KUBECONFIG-} ]]; then
  # The local platform runs the pinned version: /version must say exactly that.
  source "$here/versions.sh"
  export GOVCLOUD_EXPECT_KUBE_VERSION=${GOVCLOUD_EXPECT_KUBE_VERSION:-$KUBE_VERSION}
fi
# The operator and the CLI run from the bundle the image ships; built here so it is never stale.
"$NODE" operator/bin/bundle.ts
start=$SECONDS
out=$(mktemp)
rc=0
# E2E_FILES: which files (mk/gitops.mk adds Flux's flux.e2e.ts when it is in `make test`).
"$NODE" node_modules/uvu/bin.js e2e "${E2E_FILES:-\.test\.ts\$}" --no-color 2>&1 | tee "$out" || rc=$?
total=$(sed -n 's/^ *Total: *\([0-9]*\).*/\1/p' "$out" | tail -1)
passed=$(sed -n 's/^ *Passed: *\([0-9]*\).*/\1/p' "$out" | tail -1)
skipped=$(sed -n 's/^ *Skipped: *\([0-9]*\).*/\1/p' "$out" | tail -1)
rm -f "$out"
echo "==> e2e: suite took $((SECONDS - start)) s"
if [[ -n $total && -n $passed ]]; then
  echo "e2e: $passed passed, $((total - passed)) failed, ${skipped:-0} skipped"
fi
exit "$rc"
