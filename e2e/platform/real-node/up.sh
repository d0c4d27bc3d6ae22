# The real nodes (issue 13), sourced by ../up.sh after its functions are defined: per data
# centre (net.sh) a node network namespace joined to the router, the node agent (agent.ts, root
# namespace) and the NetworkPolicy enforcer kube-network-policies inside the node namespace.
# REAL_NODES=0 skips all of it.

ENFORCER_RELAY_PORT=6443   # relay.ts in each node namespace; agent.ts serves the other end

agent_cmd_matches() { # the running agent of C talks to the API server's current port
  local pid=$1 c=$2
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--api-port $(read_port "$c-apiserver") "
}

# nft is not needed by the enforcer (it speaks netlink) but shows its rules (cluster-status,
# tests); haproxy is the exchange gateway (e2e/gateway/haproxy.test.ts runs the rendered
# configuration with it).
need_packages() {
  local pkgs=()
  command -v nft >/dev/null || pkgs+=(nftables)
  command -v haproxy >/dev/null || pkgs+=(haproxy)
  ((${#pkgs[@]})) || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${pkgs[*]} (apt-get; for cluster-status, the packet tests and the exchange gateway)"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null ||
      die "apt-get install ${pkgs[*]} failed"
  else
    die "${pkgs[*]} missing: install the Debian packages (needs root)"
  fi
}

real_nodes_running() {
  local c pid
  [[ -f $REAL_STATE/clusters ]] || return 1
  for c in $(real_node_clusters); do
    grep -qx "$c" "$REAL_STATE/clusters" || return 1
    pid=$(alive_pid "$c-node-agent") && agent_cmd_matches "$pid" "$c" || return 1
    alive_pid "$c-enforcer" >/dev/null || return 1
    ip netns list | grep -qw "$(node_ns "$c")" || return 1
  done
}

real_node_ready() { # real_node_ready C: the Node reports Ready
  [[ $(kubectl_admin "$1" get node "$(real_node_name "$1")" \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}
# relay_reaches C: from inside the node namespace, the API server answers through the relay
# (relay.ts -> the agent's unix socket -> the API server): what the enforcer needs to start.
relay_reaches() {
  ip netns exec "$(node_ns "$1")" curl -fsS --max-time 5 --cacert "$PKI/ca.crt" \
    --cert "$PKI/$1-node-agent.crt" --key "$PKI/$1-node-agent.key" "https://127.0.0.1:$ENFORCER_RELAY_PORT/readyz" >/dev/null 2>&1
}
enforcer_synced() { # enforcer_synced C: its nft table exists in the node namespace
  ip netns exec "$(node_ns "$1")" nft list table inet kube-network-policies >/dev/null 2>&1
}

start_real_nodes() {
  local clusters c
  clusters=$(real_node_clusters)
  if [[ -z $clusters ]]; then
    ((REAL_NODES)) || log "real nodes: skipped (REAL_NODES=0)"
    stop_real_nodes
    return 0
  fi
  [[ $(id -u) == 0 ]] || die "real nodes need root (network namespaces); REAL_NODES=0 skips them"
  if real_nodes_running; then
    log "real nodes: agents and enforcers running in $(echo $clusters), reused"
    return 0
  fi
  need_packages
  "$here/build.sh" kube-network-policies
  local t1=$SECONDS
  for c in $clusters; do stop_component "$c-enforcer"; stop_component "$c-node-agent"; done
  net_up
  mkdir -p "$REAL_STATE"
  printf '%s\n' $clusters >"$REAL_STATE/clusters"
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  for c in $clusters; do
    sign "$c-node-agent" "/O=system:masters/CN=govcloud-real-node-$c" "$client"
    write_kubeconfig "$REAL_STATE/$c-agent.kubeconfig" node-agent node-agent "$c"
    sed "s#server: https://127.0.0.1:[0-9]*#server: https://127.0.0.1:$ENFORCER_RELAY_PORT#" \
      "$REAL_STATE/$c-agent.kubeconfig" >"$REAL_STATE/$c-enforcer.kubeconfig"
    chmod 600 "$REAL_STATE/$c-enforcer.kubeconfig"
    log "$c: real node $(real_node_name "$c") (pod CIDR $(dc_pod_cidr "$c"), namespace $(node_ns "$c")): agent starting"
    launch "$c-node-agent" "$NODE" "$here/real-node/agent.ts" --cluster "$c" \
      --kubeconfig "$REAL_STATE/$c-agent.kubeconfig" --node "$(real_node_name "$c")" \
      --node-ns "$(node_ns "$c")" --node-ip "$(node_ip "$c")" --pod-cidr "$(dc_pod_cidr "$c")" \
      --region "$c" --api-port "$(read_port "$c-apiserver")" --state "$REAL_STATE"
  done
  for c in $clusters; do
    wait_until "$c-node-agent" 60 real_node_ready "$c" || { FAILED=$c-node-agent; die "$c: the real node did not become Ready within 60 s"; }
    # Checked before the enforcer starts: a Node left Ready by an earlier agent proves nothing, and
    # an enforcer that found no API server backs off for up to 30 s between tries.
    wait_until "$c-node-agent" 60 relay_reaches "$c" ||
      { FAILED=$c-node-agent; die "$c: the API server does not answer through the relay in $(node_ns "$c") within 60 s (its log: $REAL_STATE/logs/$c-relay.log)"; }
    # --fail-open=false: packets wait for a verdict instead of passing when the enforcer is down.
    # --netfilter-bug-1766-fix=false: the DNS race it works round is fixed in kernels >= 6.12.
    launch "$c-enforcer" ip netns exec "$(node_ns "$c")" "$("$here/build.sh" --print-path kube-network-policies)" \
      --kubeconfig="$REAL_STATE/$c-enforcer.kubeconfig" --hostname-override="$(real_node_name "$c")" \
      --fail-open=false --disable-nri --netfilter-bug-1766-fix=false \
      --metrics-bind-address=127.0.0.1:9080 --v=2
  done
  for c in $clusters; do
    wait_until "$c-enforcer" 60 enforcer_synced "$c" || {
      FAILED=$c-enforcer
      relay_reaches "$c" && die "$c: the enforcer did not install its nft table within 60 s (the relay answers)"
      die "$c: the enforcer did not install its nft table within 60 s; the API server does not answer through the relay (its log: $REAL_STATE/logs/$c-relay.log)"
    }
  done
  log "real nodes: ready in $((SECONDS - t1)) s ($(echo $clusters); enforcer kube-network-policies $KNP_VERSION)"
}

# REAL_NODES=0 on a platform that has real nodes: stop them, remove their namespaces and Nodes.
stop_real_nodes() {
  [[ -f $REAL_STATE/clusters ]] || return 0
  local c
  for c in $(<"$REAL_STATE/clusters"); do
    stop_component "$c-enforcer"; stop_component "$c-node-agent"
    kubectl_admin "$c" delete node "$(real_node_name "$c")" --ignore-not-found >/dev/null || true
  done
  net_down_quiet
  rm -f "$REAL_STATE/clusters"
  log "real nodes: removed"
}
