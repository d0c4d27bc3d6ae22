#!/usr/bin/env bash
# Starts the local multi-data-centre platform: one etcd, and per cluster (CLUSTERS in lib.sh)
# a kube-apiserver with its own --etcd-prefix, kube-controller-manager, kube-scheduler and
# kwok with fake Nodes, and cert-manager (cert-manager.sh). Loopback only, ports picked free at start, state under .local/.
#
# Idempotent: whatever already runs (and answers) is reused; dead leftovers of a killed run
# are cleaned. On failure or Ctrl-C, what this run started is stopped again and the tail of
# the failing component's log is printed.
#
# usage: up.sh              start (or reuse) the platform
#        up.sh --check      exit 0 when every component runs, 1 otherwise (starts nothing)
#        up.sh --extra NAME one more cluster NAME beside a running platform (for a test that
#                           joins a data centre): its own kubeconfig .local/kubeconfigs/NAME.yaml,
#                           not in .local/kubeconfig, no real node; down.sh --extra NAME stops it
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

NODE=${NODE:-$ROOT/node_modules/.bin/node}
APISERVER_TIMEOUT=${GOVCLOUD_APISERVER_TIMEOUT:-120}   # seconds for an API server to be ready
NODES_TIMEOUT=${GOVCLOUD_NODES_TIMEOUT:-90}            # seconds for the kwok nodes to be Ready

if [[ ${1-} == --check ]]; then
  for comp in $(all_components); do alive_pid "$comp" >/dev/null || exit 1; done
  exit 0
fi

t0=$SECONDS
log() { printf '[%3ds] %s\n' $((SECONDS - t0)) "$*"; }
REASON=
die() { REASON=$*; echo "up.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools this script needs
need_tools() {
  local missing=() t
  # chromium: the dashboard's e2e drives Debian's browser (no browser download from npm).
  for t in openssl curl flock setsid chromium; do command -v "$t" >/dev/null || missing+=("$t"); done
  (( ${#missing[@]} )) || return 0
  local pkgs=()
  for t in "${missing[@]}"; do
    case $t in openssl) pkgs+=(openssl) ;; curl) pkgs+=(curl) ;; flock|setsid) pkgs+=(util-linux) ;; chromium) pkgs+=(chromium) ;; esac
  done
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null ||
    die "missing tools: ${missing[*]}; install the Debian packages ${pkgs[*]} (needs root)"
  log "installing ${pkgs[*]} (apt-get)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null ||
    die "apt-get install ${pkgs[*]} failed"
}

# ---------------------------------------------------------------- cleanup on failure / Ctrl-C
STARTED=()        # components this run started, in start order
FAILED=           # the component whose log explains a failure
DONE=0
cleanup() {
  local rc=$?
  (( DONE )) && return 0
  trap - EXIT INT TERM
  if [[ -n $FAILED && -f $(log_file "$FAILED") ]]; then
    echo "---- last lines of $(log_file "$FAILED") ----" >&2
    tail -n 30 "$(log_file "$FAILED")" >&2
    echo "----" >&2
  fi
  if (( ${#STARTED[@]} )); then
    echo "up.sh: stopping what this run started: ${STARTED[*]}" >&2
    local i
    for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_component "${STARTED[i]}"; done
  fi
  (( rc )) || rc=1
  echo "up.sh: platform NOT up (exit $rc)${REASON:+: $REASON}" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'echo; REASON="interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- ports
TAKEN_PORTS=" "
free_port() {
  local p i
  for ((i = 0; i < 50; i++)); do
    p=$("$NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(String(s.address().port));s.close()})')
    [[ $TAKEN_PORTS == *" $p "* ]] && continue
    TAKEN_PORTS+="$p "
    echo "$p"
    return 0
  done
  die "no free TCP port found on 127.0.0.1"
}

# ---------------------------------------------------------------- processes
# launch NAME BINARY ARGS...: starts a component in its own session (so a Ctrl-C in the
# terminal later does not reach it), logs to $LOGS/NAME.log (the previous log is kept as .1).
# launched_alive NAME: the process launch() started still runs (not yet exec'd counts).
launched_alive() {
  local pid
  pid=$(<"$(pid_file "$1")")
  kill -0 "$pid" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]
}

launch() {
  local name=$1 binary=$2; shift 2
  local lf
  lf=$(log_file "$name")
  [[ -f $lf ]] && mv -f "$lf" "$lf.1"
  echo "# $(date -u +%FT%TZ) $binary $*" >"$lf"
  # 8>&-: the component must not inherit (and so hold for ever) the lock of this script.
  setsid "$binary" "$@" >>"$lf" 2>&1 </dev/null 8>&- 9>&- &
  echo $! >"$(pid_file "$name")"
  STARTED+=("$name")
}

# wait_until NAME SECONDS CMD...: polls CMD every 0.5 s while NAME's process lives.
# Returns 0 when CMD succeeds, 1 when the process died, 2 on timeout. Liveness by pid
# (launched_alive): NAME was just launched, and on a loaded machine its child may not have
# exec'd the component yet, when alive_pid (which checks the command line) calls it dead.
wait_until() {
  local name=$1 secs=$2; shift 2
  local deadline=$((SECONDS + secs))
  while ((SECONDS < deadline)); do
    "$@" >/dev/null 2>&1 && return 0
    launched_alive "$name" || return 1
    sleep 0.5
  done
  return 2
}

curl_admin() { # curl_admin CLUSTER PATH
  curl -fsS --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/$1-admin.crt" --key "$PKI/$1-admin.key" \
    "https://127.0.0.1:$(read_port "$1-apiserver")$2"
}
healthz() { curl -fsSk --max-time 5 "$1://127.0.0.1:$2/healthz"; } # healthz http|https PORT
etcd_health() { curl -fsS --max-time 5 "http://127.0.0.1:$(read_port etcd)/health" | grep -q '"health":"true"'; }

# ---------------------------------------------------------------- PKI (one CA per platform)
sign() { # sign NAME SUBJECT EXTENSIONS: key + certificate signed by the platform CA
  local name=$1 subj=$2 ext=$3
  [[ -f $PKI/$name.crt ]] && return 0
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$PKI/$name.key" 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}
make_pki() {
  mkdir -p "$PKI" && chmod 700 "$PKI"
  if [[ ! -f $PKI/ca.crt ]]; then
    log "generating the platform CA and certificates in $PKI"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$PKI/ca.key" -out "$PKI/ca.crt" -days 3650 -sha256 \
      -subj "/CN=govcloud-local-platform-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  fi
  local client="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc"
  # The aggregation layer's client (front proxy): lets the API servers fill the
  # extension-apiserver-authentication ConfigMap that controller-manager and scheduler read.
  sign front-proxy-client "/CN=front-proxy-client" "$client"
  local c
  for c in "${CLUSTERS[@]}"; do
    # The admin of each cluster is its own user (distinct names in the kubeconfig too).
    sign "$c-admin" "/O=system:masters/CN=govcloud-admin-$c" "$client"
    sign "$c-controller-manager" "/O=system:masters/CN=system:kube-controller-manager" "$client"
    sign "$c-scheduler" "/CN=system:kube-scheduler" "$client"
    sign "$c-kwok" "/O=system:masters/CN=govcloud-kwok-$c" "$client"
    [[ -f $PKI/$c-sa.key ]] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/$c-sa.key" 2>/dev/null
  done
}

# ---------------------------------------------------------------- kubeconfigs
b64() { base64 -w0 <"$1"; }
write_kubeconfig() { # write_kubeconfig FILE CERTSUFFIX USERPREFIX CLUSTER...
  local file=$1 suffix=$2 uprefix=$3; shift 3
  local c ca
  ca=$(b64 "$PKI/ca.crt")
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "preferences: {}"
    echo "current-context: $1"
    echo "clusters:"
    for c in "$@"; do
      echo "- name: $c"
      echo "  cluster:"
      echo "    server: https://127.0.0.1:$(read_port "$c-apiserver")"
      echo "    certificate-authority-data: $ca"
    done
    echo "users:"
    for c in "$@"; do
      echo "- name: $uprefix@$c"
      echo "  user:"
      echo "    client-certificate-data: $(b64 "$PKI/$c-$suffix.crt")"
      echo "    client-key-data: $(b64 "$PKI/$c-$suffix.key")"
    done
    echo "contexts:"
    for c in "$@"; do
      echo "- name: $c"
      echo "  context:"
      echo "    cluster: $c"
      echo "    user: $uprefix@$c"
    done
  } >"$file.tmp"
  chmod 600 "$file.tmp"
  mv -f "$file.tmp" "$file"
}

# ---------------------------------------------------------------- etcd
start_etcd() {
  local pid
  if pid=$(alive_pid etcd) && etcd_health; then
    log "etcd: running (pid $pid, client port $(read_port etcd)), reused"
    return 0
  fi
  # No healthy etcd: whatever else still runs points at a dead store. Start from scratch.
  local comp stale=0
  for comp in $(all_components); do
    if alive_pid "$comp" >/dev/null; then stale=1; log "stopping $comp (its etcd is gone)"; stop_component "$comp"; fi
  done
  ls "$STATE/pids"/*.pid >/dev/null 2>&1 && { stale=1; rm -f "$STATE/pids"/*.pid; }
  ((stale)) && log "cleaned leftovers of an earlier run"
  rm -rf "$STATE/etcd-data" "$STATE/ports"/*
  local attempt client peer
  for attempt in 1 2 3; do
    client=$(free_port) peer=$(free_port)
    echo "$client" >"$(port_file etcd)"
    echo "$peer" >"$(port_file etcd-peer)"
    log "etcd $ETCD_VERSION: starting on 127.0.0.1:$client"
    launch etcd "$(bin etcd)" --name=govcloud --data-dir="$STATE/etcd-data" \
      --listen-client-urls="http://127.0.0.1:$client" --advertise-client-urls="http://127.0.0.1:$client" \
      --listen-peer-urls="http://127.0.0.1:$peer" --initial-advertise-peer-urls="http://127.0.0.1:$peer" \
      --initial-cluster="govcloud=http://127.0.0.1:$peer" --initial-cluster-state=new \
      --listen-metrics-urls="" --log-level=warn --quota-backend-bytes=4294967296 --unsafe-no-fsync
    local rc=0
    wait_until etcd 30 etcd_health || rc=$?
    case $rc in
      0) return 0 ;;
      1) if grep -q 'address already in use' "$(log_file etcd)"; then
           log "etcd: port taken meanwhile, retrying on other ports"; rm -rf "$STATE/etcd-data"; continue
         fi
         FAILED=etcd; die "etcd exited at start" ;;
      2) FAILED=etcd; die "etcd did not become healthy within 30 s" ;;
    esac
  done
  FAILED=etcd; die "etcd: every port tried was taken"
}

# ---------------------------------------------------------------- one cluster
# The hub's API server writes the audit log (the chart's policy; docs/local-platform.md), rotated
# locally at 50 MB, 10 files, 30 days. The members' API servers hold no govcloud.dev objects.
audit_flags() { # audit_flags CLUSTER: sets AUDIT_FLAGS (none for a member)
  AUDIT_FLAGS=()
  [[ $1 == "${CLUSTERS[0]}" ]] || return 0
  AUDIT_FLAGS=(--audit-policy-file="$AUDIT_POLICY" --audit-log-path="$(audit_log "$1")" --audit-log-format=json
    --audit-log-maxsize=50 --audit-log-maxbackup=10 --audit-log-maxage=30 --audit-log-compress)
}
# audit_missing CLUSTER PID: the running API server lacks the audit log it should write now
# (started by an older up.sh).
audit_missing() {
  [[ $1 == "${CLUSTERS[0]}" ]] && ! tr '\0' '\n' <"/proc/$2/cmdline" | grep -qxF -- "--audit-log-path=$(audit_log "$1")"
}

start_apiserver() {
  local c=$1 name=$1-apiserver pid
  if pid=$(alive_pid "$name") && curl_admin "$c" /readyz >/dev/null 2>&1; then
    if ! audit_missing "$c" "$pid"; then
      log "$c: kube-apiserver running (pid $pid, port $(read_port "$name")), reused"
      return 0
    fi
    log "$c: kube-apiserver runs without its audit log: restarting it"
  fi
  stop_component "$name"
  # Its controller-manager, scheduler and kwok talk to the old port: restart them too.
  local dep
  for dep in kwok scheduler controller-manager; do stop_component "$c-$dep"; done
  local attempt port rc
  mkdir -p "$STATE/$c"
  audit_flags "$c"
  if ((${#AUDIT_FLAGS[@]})); then mkdir -p "$AUDIT_DIR" && chmod 700 "$AUDIT_DIR"; fi
  for attempt in 1 2 3; do
    port=$(free_port)
    echo "$port" >"$(port_file "$name")"
    log "$c: kube-apiserver $KUBE_VERSION starting on https://127.0.0.1:$port (etcd prefix /registry/$c)"
    # Admission plugins beyond the defaults: PodNodeSelector and PodTolerationRestriction pin
    # level-4 workspaces to the dedicated nodes; DenyServiceExternalIPs refuses new
    # Service.spec.externalIPs (CVE-2020-8554), for every namespace.
    launch "$name" "$(bin kube-apiserver)" \
      --etcd-servers="http://127.0.0.1:$(read_port etcd)" --etcd-prefix="/registry/$c" \
      --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
      --cert-dir="$STATE/$c/apiserver-certs" \
      --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
      --client-ca-file="$PKI/ca.crt" --authorization-mode=RBAC \
      --enable-admission-plugins=PodNodeSelector,PodTolerationRestriction,DenyServiceExternalIPs \
      --requestheader-client-ca-file="$PKI/ca.crt" --requestheader-allowed-names=front-proxy-client \
      --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
      --requestheader-extra-headers-prefix=X-Remote-Extra- \
      --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
      --service-account-issuer="https://$c.govcloud.local" \
      --service-account-key-file="$PKI/$c-sa.key" --service-account-signing-key-file="$PKI/$c-sa.key" \
      --service-cluster-ip-range=10.0.0.0/24 --endpoint-reconciler-type=none \
      --allow-privileged=true --profiling=false --v=1 "${AUDIT_FLAGS[@]}"
    rc=0
    wait_until "$name" "$APISERVER_TIMEOUT" curl_admin "$c" /readyz || rc=$?
    case $rc in
      0) log "$c: kube-apiserver ready"; return 0 ;;
      1) if grep -q 'address already in use' "$(log_file "$name")"; then
           log "$c: port $port taken meanwhile, retrying on another"; continue
         fi
         FAILED=$name; die "$c: kube-apiserver exited at start" ;;
      2) FAILED=$name; die "$c: kube-apiserver not ready within ${APISERVER_TIMEOUT} s" ;;
    esac
  done
  FAILED=$name; die "$c: kube-apiserver: every port tried was taken"
}

# start_helper CLUSTER PART BINARY-NAME HEALTH(https|http|none) ARGS... (ARGS may use @PORT@)
start_helper() {
  local c=$1 part=$2 binname=$3 health=$4; shift 4
  local name=$c-$part pid
  if pid=$(alive_pid "$name"); then
    log "$c: $part running (pid $pid), reused"
    return 0
  fi
  local kc=$STATE/$c/$part.kubeconfig
  write_kubeconfig "$kc" "$part" "$part" "$c"
  local attempt port rc args a
  for attempt in 1 2 3; do
    port=$(free_port)
    echo "$port" >"$(port_file "$name")"
    args=()
    for a in "$@"; do args+=("${a//@PORT@/$port}"); done
    log "$c: $part starting (port $port)"
    launch "$name" "$(bin "$binname")" --kubeconfig="$kc" "${args[@]}"
    rc=0
    if [[ $health != none ]]; then
      wait_until "$name" 60 healthz "$health" "$port" || rc=$?
    else
      # Alive after a second: by liveness, since on a loaded machine the child may not have
      # exec'd the component yet (alive_pid, which checks the command line, would say dead).
      sleep 1; launched_alive "$name" || rc=1
    fi
    case $rc in
      0) return 0 ;;
      1) if grep -q 'address already in use' "$(log_file "$name")"; then
           log "$c: $part port $port taken meanwhile, retrying"; continue
         fi
         FAILED=$name; die "$c: $part exited at start" ;;
      2) FAILED=$name; die "$c: $part not healthy within 60 s" ;;
    esac
  done
  FAILED=$name; die "$c: $part: every port tried was taken"
}

start_cluster() {
  local c=$1 kc
  start_apiserver "$c"
  kc=$STATE/$c/controller-manager.kubeconfig
  start_helper "$c" controller-manager kube-controller-manager https \
    --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port=@PORT@ --cert-dir="$STATE/$c/controller-manager-certs" \
    --leader-elect=false --use-service-account-credentials=false --cluster-name="$c" \
    --service-account-private-key-file="$PKI/$c-sa.key" --root-ca-file="$PKI/ca.crt" \
    --v=1
  kc=$STATE/$c/scheduler.kubeconfig
  start_helper "$c" scheduler kube-scheduler https \
    --authentication-kubeconfig="$kc" --authorization-kubeconfig="$kc" \
    --bind-address=127.0.0.1 --secure-port=@PORT@ --cert-dir="$STATE/$c/scheduler-certs" \
    --leader-elect=false --v=1
  start_helper "$c" kwok kwok http \
    --config="$here/kwok/stages.yaml" --server-address="127.0.0.1:@PORT@" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --node-ip=127.0.0.1 --node-lease-duration-seconds=40 --cidr=10.244.0.0/16
}

# Fake nodes: two ordinary ones in two zones, and one dedicated (level-4 data) node that only
# tolerating pods land on.
nodes_manifest() {
  local c=$1 short=${1#dc-} z
  for z in a b l4; do
    local zone=$short-1${z:0:1}
    [[ $z == l4 ]] && zone=$short-1c
    cat <<EOF
---
apiVersion: v1
kind: Node
metadata:
  name: $c-node-$z
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/hostname: $c-node-$z
    topology.kubernetes.io/region: $c
    topology.kubernetes.io/zone: $zone
EOF
    if [[ $z == l4 ]]; then
      cat <<EOF
    govcloud.dev/dedicated: level4
spec:
  taints:
  - key: govcloud.dev/dedicated
    value: level4
    effect: NoSchedule
EOF
    else
      echo "spec: {}"
    fi
    # What kwok reports (it keeps a status given at creation, as a kubelet registers one), with
    # the ephemeral storage a real node has: workspace pods request it (the LimitRange default).
    cat <<EOF
status:
  capacity: {cpu: 1k, memory: 1Ti, ephemeral-storage: 1Ti, pods: 1M}
  allocatable: {cpu: 1k, memory: 1Ti, ephemeral-storage: 1Ti, pods: 1M}
EOF
  done
}

kubectl_admin() { "$(bin kubectl)" --kubeconfig="$KUBECONFIGS_DIR/$1.yaml" "${@:2}"; }
nodes_ready() { # nodes_ready CLUSTER: all 3 fake nodes Ready
  local n
  n=$(kubectl_admin "$1" get nodes -l type=kwok \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')
  ((n >= 3))
}

# shellcheck source=real-node/up.sh
source "$here/real-node/up.sh"
# shellcheck source=cert-manager.sh
source "$here/cert-manager.sh"

# ================================================================= main
need_tools
"$here/build.sh" kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok
mkdir -p "$STATE/pids" "$STATE/ports" "$LOGS" "$KUBECONFIGS_DIR"
exec 8>"$STATE/lock"
flock -n 8 || { log "another cluster-up/down holds $STATE/lock; waiting (at most 10 min)"; flock -w 600 8 || die "$STATE/lock still held"; }

if [[ ${1-} == --extra ]]; then
  extra=${2:?usage: up.sh --extra NAME}
  [[ $extra =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "--extra: $extra is not a DNS label"
  alive_pid etcd >/dev/null && etcd_health || die "--extra $extra: the platform's etcd does not run (make cluster-up first)"
  CLUSTERS=("$extra")
  make_pki
  start_cluster "$extra"
  write_kubeconfig "$KUBECONFIGS_DIR/$extra.yaml" admin admin "$extra"
  kubectl_admin "$extra" apply -f - >/dev/null < <(nodes_manifest "$extra") || { FAILED=$extra-apiserver; die "$extra: creating the fake nodes failed"; }
  deadline=$((SECONDS + NODES_TIMEOUT))
  until nodes_ready "$extra" 2>/dev/null; do
    ((SECONDS < deadline)) || { FAILED=$extra-kwok; die "$extra: kwok nodes not Ready within $NODES_TIMEOUT s"; }
    sleep 0.5
  done
  DONE=1
  log "extra cluster up: $extra (kubeconfig $KUBECONFIGS_DIR/$extra.yaml)"
  exit 0
fi

make_pki
start_etcd
for c in "${CLUSTERS[@]}"; do
  start_cluster "$c"
  write_kubeconfig "$KUBECONFIGS_DIR/$c.yaml" admin admin "$c"
  kubectl_admin "$c" apply -f - >/dev/null < <(nodes_manifest "$c") || { FAILED=$c-apiserver; die "$c: creating the fake nodes failed"; }
done
for c in "${CLUSTERS[@]}"; do
  deadline=$((SECONDS + NODES_TIMEOUT))
  until nodes_ready "$c" 2>/dev/null; do
    ((SECONDS < deadline)) || { FAILED=$c-kwok; die "$c: kwok nodes not Ready within $NODES_TIMEOUT s"; }
    alive_pid "$c-kwok" >/dev/null || { FAILED=$c-kwok; die "$c: kwok exited"; }
    sleep 0.5
  done
done
start_real_nodes
start_cert_manager
write_kubeconfig "$KUBECONFIG_OUT" admin admin "${CLUSTERS[@]}"
for c in "${CLUSTERS[@]}"; do echo "$c $(dc_range "$c")"; done >"$STATE/clusters"
DONE=1
log "platform up: ${CLUSTERS[*]} (Kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)"
echo "    kubeconfig: $KUBECONFIG_OUT (contexts: ${CLUSTERS[*]}; hub: ${CLUSTERS[0]})"
echo "    per-cluster kubeconfigs: $KUBECONFIGS_DIR/<cluster>.yaml; logs: $LOGS"
echo "    kubectl: $(bin kubectl)"
