# The real nodes' network (issue 13), sourced by up.sh, down.sh and status.sh after lib.sh.
#
# Per data centre one "node" network namespace, joined to the others through one router
# namespace the way the specialised data network joins the data centres. Every name starts with
# a per-worktree prefix, so the platforms of several checkouts coexist on one machine; nothing
# is added to the root network namespace (no link, route or nft rule):
#
#   <prefix>-router          ip_forward; a route per data centre's networkRanges to its node
#   <prefix>-<dc>            the node: ip_forward, 169.254.1.1/32 and the pod CIDR's .1 on lo,
#                            default route to the router, the enforcer's nft table, one
#                            proxy_arp veth and /32 route per pod (made by the node agent)
#   <prefix>-pod-<pod uid>   a pod: eth0 with its /32, default via 169.254.1.1 (node agent)
#
# Router links: 169.254.100.<4i+1> (router) / .<4i+2> (node) /30, outside every range a
# DataCentre may declare.

# Which clusters get a real node: REAL_NODES=0 none.
REAL_NODES=${REAL_NODES:-1}
REAL_STATE=$STATE/real-nodes
NETNS_PREFIX=gc$(printf '%s' "$ROOT" | sha1sum | cut -c1-6)
ROUTER_NS=$NETNS_PREFIX-router

# A data centre's networkRanges (IPv4) and the real node's pod CIDR inside it: the i-th cluster
# (from 0) has 10.<10(i+1)>.0.0/16, as samples/platform/<dc>.yaml declares it for the first
# three (e2e/packets checks them against the samples); up.sh writes them into $STATE/clusters,
# where registerDataCentres (e2e/operator/platform.ts) reads those of clusters beyond the samples.
dc_range() {
  local i
  for i in "${!CLUSTERS[@]}"; do [[ ${CLUSTERS[i]} == "$1" ]] && { echo "10.$((10 * (i + 1))).0.0/16"; return 0; }; done
  return 1
}
dc_pod_cidr() { local r; r=$(dc_range "$1") || return 1; r=${r%.0.0/16}; echo "$r.240.0/24"; }
node_ns() { echo "$NETNS_PREFIX-$1"; }
real_node_name() { echo "$1-real-node"; }

real_node_clusters() {
  ((REAL_NODES)) || return 0
  local c
  for c in "${CLUSTERS[@]}"; do dc_range "$c" >/dev/null && echo "$c"; done
}

# Every namespace of this worktree's platform: the router, the nodes, the pods.
our_netns() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NETNS_PREFIX-" || true; }

# Builds the router and the node namespaces with their links (idempotent: rebuilt from scratch).
net_up() {
  local c i=0 r n
  net_down_quiet
  ip netns add "$ROUTER_NS"
  ip -n "$ROUTER_NS" link set lo up
  ip netns exec "$ROUTER_NS" sysctl -qw net.ipv4.ip_forward=1
  for c in $(real_node_clusters); do
    n=$(node_ns "$c")
    r=169.254.100.$((4 * i + 1)) ; local nip=169.254.100.$((4 * i + 2))
    ip netns add "$n"
    ip -n "$n" link set lo up
    ip netns exec "$n" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$n" addr add 169.254.1.1/32 dev lo
    ip -n "$n" addr add "$(node_ip "$c")/32" dev lo
    ip -n "$ROUTER_NS" link add "to-$c" type veth peer name uplink netns "$n"
    ip -n "$ROUTER_NS" addr add "$r/30" dev "to-$c"
    ip -n "$n" addr add "$nip/30" dev uplink
    ip -n "$ROUTER_NS" link set "to-$c" up
    ip -n "$n" link set uplink up
    ip -n "$n" route add default via "$r" src "$(node_ip "$c")"
    ip -n "$ROUTER_NS" route add "$(dc_range "$c")" via "$nip"
    i=$((i + 1))
  done
}

# The node's own address: the pod CIDR's .1 (pods get .2 and up).
node_ip() { local p; p=$(dc_pod_cidr "$1"); echo "${p%.0/24}.1"; }

# Stops every process inside our namespaces and deletes them. Safe after a crash: it works
# from `ip netns list`, not from pid files.
net_down_quiet() {
  local ns pids
  for ns in $(our_netns); do
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [[ -n ${pids// } ]] && kill -TERM $pids 2>/dev/null
  done
  for ns in $(our_netns); do
    for _ in $(seq 1 50); do [[ -z $(ip netns pids "$ns" 2>/dev/null) ]] && break; sleep 0.1; done
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [[ -n ${pids// } ]] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
  done
  return 0
}
