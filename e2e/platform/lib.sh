# Shared by up.sh, down.sh and status.sh: where the platform's state lives and how to tell
# whether one of its processes runs. Sourced, not run.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=${ROOT:-$(cd "$here/../.." && pwd)}
# shellcheck source=versions.sh
source "$here/versions.sh"

LOCAL=$ROOT/.local
STATE=$LOCAL/platform           # pids, ports, pki, etcd data, component kubeconfigs

# The clusters: the first is also the hub. Each is one kube-apiserver (own etcd prefix),
# kube-controller-manager, kube-scheduler and kwok, all sharing one etcd. N of them
# (GOVCLOUD_CLUSTER_COUNT, `make cluster-up CLUSTERS=N`): the three data centres of
# samples/platform, then dc-4, dc-5, ...; GOVCLOUD_CLUSTERS names them outright. up.sh keeps
# the list of the running platform in $STATE/clusters, so later commands see the same.
cluster_names() { # cluster_names N
  local i samples=(dc-hanoi dc-hcm dc-danang)
  for ((i = 0; i < $1; i++)); do
    if ((i < ${#samples[@]})); then echo "${samples[i]}"; else echo "dc-$((i + 1))"; fi
  done
}
if [[ -n ${GOVCLOUD_CLUSTERS-} ]]; then
  CLUSTERS=($GOVCLOUD_CLUSTERS)
elif [[ -n ${GOVCLOUD_CLUSTER_COUNT-} ]]; then
  [[ $GOVCLOUD_CLUSTER_COUNT =~ ^[0-9]+$ ]] && ((GOVCLOUD_CLUSTER_COUNT >= 3 && GOVCLOUD_CLUSTER_COUNT <= 24)) ||
    { echo "CLUSTERS must be a number from 3 to 24, not \"$GOVCLOUD_CLUSTER_COUNT\"" >&2; exit 2; }
  CLUSTERS=($(cluster_names "$GOVCLOUD_CLUSTER_COUNT"))
elif [[ -s $STATE/clusters ]]; then
  CLUSTERS=($(awk '{print $1}' "$STATE/clusters"))
else
  CLUSTERS=($(cluster_names 3))
fi
LOGS=$STATE/logs
PKI=$STATE/pki
KUBECONFIG_OUT=$LOCAL/kubeconfig
KUBECONFIGS_DIR=$LOCAL/kubeconfigs
# The hub's API server audit log (the chart's policy): kept by cluster-down, like the logs, and
# rotated by the API server itself. `govcloud audit --audit-log "$AUDIT_DIR"/*` reads it.
AUDIT_DIR=$STATE/audit
AUDIT_POLICY=$ROOT/charts/govcloud-operator/files/audit-policy.yaml
audit_log() { echo "$AUDIT_DIR/$1.log"; }

bin() { "$here/build.sh" --print-path "$1"; }

# A component is named "etcd" or "<cluster>-<part>" (part: apiserver, controller-manager,
# scheduler, kwok). Its pid lives in $STATE/pids/<name>.pid, its log in $LOGS/<name>.log, its
# port (if any) in $STATE/ports/<name>.
pid_file() { echo "$STATE/pids/$1.pid"; }
port_file() { echo "$STATE/ports/$1"; }
log_file() { echo "$LOGS/$1.log"; }
read_port() { cat "$(port_file "$1")" 2>/dev/null || true; }

# The pid of a running component, or nothing. A pid file from a killed run may name a pid
# the system has since given to another process: it only counts when that process's command
# line mentions this platform's state folder (every component gets a path in it).
alive_pid() {
  local f pid
  f=$(pid_file "$1")
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$STATE/" || return 1
  # a zombie is not running
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  echo "$pid"
}

# Stops a component: SIGTERM, up to 15 s, then SIGKILL. Removes its pid file.
stop_component() {
  local name=$1 pid i
  if pid=$(alive_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      alive_pid "$name" >/dev/null || break
      sleep 0.1
    done
    if alive_pid "$name" >/dev/null; then
      echo "    $name (pid $pid) ignored SIGTERM for 15 s: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$(pid_file "$name")"
}

components_of() { local c=$1; echo "$c-kwok $c-scheduler $c-controller-manager $c-apiserver"; }
# Every component, in the order to stop them (dependents first, etcd last). The real nodes'
# agents and enforcers count for the clusters that got one (real-node/net.sh), cert-manager's
# controllers for those that run one (cert-manager.sh).
all_components() {
  local c
  [[ -f $STATE/real-nodes/clusters ]] && for c in $(<"$STATE/real-nodes/clusters"); do echo "$c-enforcer $c-node-agent"; done
  [[ -f $STATE/cert-manager/clusters ]] && for c in $(<"$STATE/cert-manager/clusters"); do echo "$c-cert-manager"; done
  for c in "${CLUSTERS[@]}"; do components_of "$c"; done
  echo etcd
}

# Process ids of anything still running out of this platform's state folder, whether or not
# a pid file names it (a last check after stopping).
leftover_pids() {
  local p
  for p in /proc/[0-9]*; do
    [[ -r $p/cmdline ]] || continue
    if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qE -- "^$GOVCLOUD_BIN/[a-z-]+-v[0-9.]+(-[0-9a-f]+)? .*$STATE/|real-node/agent\.ts .*$STATE/"; then echo "${p#/proc/}"; fi
  done
}

# shellcheck source=real-node/net.sh
source "$here/real-node/net.sh"
