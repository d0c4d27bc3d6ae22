#!/usr/bin/env bash
# Stops every process of the local platform (kwok, scheduler, controller-manager, apiserver per
# cluster, then etcd), checks that none is left, and removes the etcd data and kubeconfigs.
# Logs and the platform CA stay in .local/platform for a later look / the next cluster-up.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

remove_real_node_network() { # every network namespace of this worktree (real-node/net.sh), also after a crash
  local left
  left=$(our_netns | tr '\n' ' ')
  [[ -z ${left// } ]] && return 0
  echo "==> removing network namespaces $left(their veths, routes and nft tables go with them)"
  net_down_quiet
  left=$(our_netns | tr '\n' ' ')
  [[ -z ${left// } ]] || { echo "cluster-down: network namespaces still present: $left" >&2; exit 1; }
}
[[ -d $STATE ]] || { remove_real_node_network; echo "cluster-down: nothing to stop (no $STATE)"; exit 0; }
# down.sh --extra NAME: only the cluster of up.sh --extra NAME, and its objects in etcd.
if [[ ${1-} == --extra ]]; then
  extra=${2:?usage: down.sh --extra NAME}
  exec 8>"$STATE/lock"
  flock -w 300 8 || { echo "cluster-down: $STATE/lock held for 5 minutes" >&2; exit 1; }
  for comp in $(components_of "$extra"); do stop_component "$comp"; done
  port=$(read_port etcd)
  if [[ -n $port ]]; then
    # deleterange of the prefix /registry/NAME/ (range_end: the prefix with its last byte + 1)
    curl -fsS --max-time 10 -X POST "http://127.0.0.1:$port/v3/kv/deleterange" \
      -d "{\"key\":\"$(printf '/registry/%s/' "$extra" | base64 -w0)\",\"range_end\":\"$(printf '/registry/%s0' "$extra" | base64 -w0)\"}" >/dev/null
  fi
  rm -rf "$STATE/$extra" "$KUBECONFIGS_DIR/$extra.yaml" "$(port_file "$extra-apiserver")"
  echo "==> extra cluster $extra down, its objects removed from etcd"
  exit 0
fi
mkdir -p "$STATE/pids"
exec 8>"$STATE/lock"
flock -w 300 8 || { echo "cluster-down: $STATE/lock held for 5 minutes by another cluster-up/down" >&2; exit 1; }

stopped=0
for comp in $(all_components); do
  if pid=$(alive_pid "$comp"); then
    echo "==> stopping $comp (pid $pid)"
    stop_component "$comp"
    stopped=$((stopped + 1))
  else
    rm -f "$(pid_file "$comp")"
  fi
done

# Anything still running from this state folder (a pid file lost, a second copy): stop it too.
left=$(leftover_pids | tr '\n' ' ')
if [[ -n ${left// } ]]; then
  echo "==> leftover platform processes without a pid file: $left; stopping them"
  kill -TERM $left 2>/dev/null || true
  for _ in $(seq 1 100); do [[ -z $(leftover_pids) ]] && break; sleep 0.1; done
  left=$(leftover_pids | tr '\n' ' ')
  [[ -z ${left// } ]] || { kill -KILL $left 2>/dev/null || true; sleep 0.5; }
fi
left=$(leftover_pids | tr '\n' ' ')
if [[ -n ${left// } ]]; then
  echo "cluster-down: processes still running: $left" >&2
  ps -o pid,args -p ${left// /,} >&2 || true
  exit 1
fi

remove_real_node_network
rm -f "$REAL_STATE/clusters" "$REAL_STATE"/*.sock "$REAL_STATE"/*.kubeconfig
rm -rf "$STATE/etcd-data" "$STATE/ports" "$KUBECONFIG_OUT" "$KUBECONFIGS_DIR" "$STATE/clusters" "$STATE/cert-manager"
for c in "${CLUSTERS[@]}"; do rm -rf "$STATE/$c"; done
echo "==> platform down ($stopped processes stopped, none left); logs kept in $LOGS"
