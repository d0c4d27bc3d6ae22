#!/usr/bin/env bash
# Tells what of the local platform runs: per component its pid, port and log, per cluster the
# version its API server reports and its nodes. Exit 0 when everything runs, 1 otherwise.
set -uo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

echo "pinned: Kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION, helm $HELM_VERSION, cert-manager $CERT_MANAGER_VERSION"
echo "binaries: $GOVCLOUD_BIN"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok helm cert-manager; do
  p=$(bin "$b"); [[ -x $p ]] && s=built || s=missing
  printf '  %-24s %-8s %s\n' "$b" "$s" "$p"
done
p=$(bin kube-network-policies); [[ -x $p ]] && s=built || s=missing
printf '  %-24s %-8s %s\n' kube-network-policies "$s" "$p"
echo "state: $STATE"
all=0 up=0
row() { # row COMPONENT
  local comp=$1 pid port st
  all=$((all + 1))
  if pid=$(alive_pid "$comp"); then st=running; up=$((up + 1)); else st=stopped; pid=-; fi
  port=$(read_port "$comp"); port=${port:--}
  printf '  %-30s %-8s pid %-8s port %-6s log %s\n' "$comp" "$st" "$pid" "$port" "$(log_file "$comp")"
}
row etcd
for c in "${CLUSTERS[@]}"; do
  echo "cluster $c$([[ $c == "${CLUSTERS[0]}" ]] && echo ' (hub)')"
  for part in apiserver controller-manager scheduler kwok; do row "$c-$part"; done
  if [[ $c == "${CLUSTERS[0]}" ]]; then
    f=$(audit_log "$c")
    if [[ -f $f ]]; then a="$(du -h "$f" | cut -f1) now, $(find "$AUDIT_DIR" -name "$c-*" | wc -l) rotated file(s) beside it"; else a="not written yet"; fi
    echo "    audit log $f ($a; policy $AUDIT_POLICY; govcloud audit --audit-log $AUDIT_DIR/*)"
  fi
  if alive_pid "$c-apiserver" >/dev/null && [[ -f $KUBECONFIGS_DIR/$c.yaml ]]; then
    kc=(--kubeconfig="$KUBECONFIGS_DIR/$c.yaml")
    v=$("$(bin kubectl)" "${kc[@]}" get --raw /version 2>/dev/null | grep -o '"gitVersion": *"[^"]*"' | cut -d'"' -f4)
    echo "    server https://127.0.0.1:$(read_port "$c-apiserver") reports ${v:-no version}"
    "$(bin kubectl)" "${kc[@]}" get nodes -L topology.kubernetes.io/zone,govcloud.dev/dedicated 2>&1 | sed 's/^/    /'
  fi
done
if [[ -f $REAL_STATE/clusters ]]; then
  echo "real nodes (network namespaces prefixed $NETNS_PREFIX; enforcer kube-network-policies $KNP_VERSION)"
  for c in $(<"$REAL_STATE/clusters"); do
    row "$c-node-agent"; row "$c-enforcer"
    ns=$(node_ns "$c")
    pods=$(our_netns | grep -c "^$ns-" || true)
    echo "    node $(real_node_name "$c"): namespace $ns, pod CIDR $(dc_pod_cidr "$c"), $pods pod namespace(s)"
    if command -v nft >/dev/null && ip netns list | grep -qw "$ns"; then
      t=$(ip netns exec "$ns" nft list tables 2>/dev/null | tr '\n' ';')
      echo "    nft tables in $ns: ${t:-none}"
    fi
  done
fi
# shellcheck source=cert-manager.sh
source "$here/cert-manager.sh"
cert_manager_status
left=$(our_netns | tr '\n' ' ')
echo "network namespaces of this worktree: ${left:-none}"
if ((up == all)); then
  echo "platform: up ($up/$all processes); kubeconfig $KUBECONFIG_OUT"
  exit 0
elif ((up == 0)); then
  echo "platform: down"
  exit 1
else
  echo "platform: DEGRADED ($up/$all processes running); make cluster-up restarts what is missing"
  exit 1
fi
