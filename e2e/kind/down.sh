#!/usr/bin/env bash
# Deletes the kind clusters of up.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v kind >/dev/null || { echo "kind-down: kind is not installed" >&2; exit 1; }
for c in dc-hanoi dc-hcm dc-danang; do kind delete cluster --name "$c"; done
rm -f "$root/.local/kind-kubeconfig"
