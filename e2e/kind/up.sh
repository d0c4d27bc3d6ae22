#!/usr/bin/env bash
# Three kind clusters shaped like the local platform, for machines with Docker and kind
# (NOT runnable on the project's build machines: no Docker engine there). Writes
# .local/kind-kubeconfig with contexts dc-hanoi (hub), dc-hcm, dc-danang; then:
#   GOVCLOUD_KUBECONFIG=.local/kind-kubeconfig make e2e
# KIND_NODE_IMAGE picks the node image (e.g. kindest/node:v1.37.2 when published).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/.local/kind-kubeconfig
for t in kind docker kubectl; do
  command -v "$t" >/dev/null || { echo "kind-up: needs $t (and a running Docker engine); not available on this machine" >&2; exit 1; }
done
docker info >/dev/null 2>&1 || { echo "kind-up: no Docker engine answers" >&2; exit 1; }
mkdir -p "$root/.local"
rm -f "$out"  # rebuilt from kind each time (no duplicate contexts)
for c in dc-hanoi dc-hcm dc-danang; do
  if kind get clusters 2>/dev/null | grep -qx "$c"; then
    echo "==> kind cluster $c exists: reused"
  else
    echo "==> creating kind cluster $c"
    kind create cluster --config "$here/$c.yaml" ${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"} --kubeconfig "$out.tmp-$c" --wait 180s
    rm -f "$out.tmp-$c"
  fi
  kind export kubeconfig --name "$c" --kubeconfig "$out"
  # kind names the context and user kind-<name>: keep the distinct user, rename the context.
  kubectl --kubeconfig "$out" config rename-context "kind-$c" "$c" >/dev/null 2>&1 || true
done
kubectl --kubeconfig "$out" config use-context dc-hanoi >/dev/null
echo "==> kind clusters up; GOVCLOUD_KUBECONFIG=$out make e2e"
