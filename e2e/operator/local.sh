#!/usr/bin/env bash
# The operator on the local platform (mk/operator.mk: `make up`, `make down`, `make status`).
#
#   local.sh register   CRDs, the chart's RBAC in every cluster (hub and members), the members'
#                       kubeconfig Secrets (tokens of their govcloud-operator ServiceAccount),
#                       the operator's own kubeconfig (its hub token), the DataCentres of
#                       samples/platform/ (idempotent: server-side apply; new 24 h tokens)
#   local.sh start      start the operator in the background (reused when it runs);
#                       pid, port and log under .local/
#   local.sh samples    apply samples/ (what .govcloudignore lists is skipped, as validate does)
#   local.sh wait       wait (bounded) until every Agency is Ready, printing progress
#   local.sh dashboard  the chart's dashboard RBAC, a kubeconfig of its ServiceAccount, and
#                       `govcloud dashboard` in the background (reused when it runs); pid, port
#                       and log under .local/
#   local.sh stop       SIGTERM the operator and the dashboard, wait for them (the operator
#                       releases its lease)
#   local.sh status     the operator's pid, port, readiness, and the govcloud objects
#   local.sh summary    what runs and where to look
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../platform/lib.sh
source "$ROOT/e2e/platform/lib.sh"
cd "$ROOT"

NODE=${NODE:-$ROOT/node_modules/.bin/node}
# What the image runs: the bundle of `make build` (operator/bin/bundle.ts).
BUNDLE=dist/govcloud.js
NS=govcloud-system
HUB=${CLUSTERS[0]}
PID_FILE=$LOCAL/operator.pid
PORT_FILE=$LOCAL/operator.port
LOG=$LOCAL/operator.log
# The operator's credentials: the token of the chart's ServiceAccount on the hub (register).
OPERATOR_KUBECONFIG=$LOCAL/operator-kubeconfigs/$HUB.yaml
READY_TIMEOUT=${GOVCLOUD_READY_TIMEOUT:-300}
DASHBOARD_PID_FILE=$LOCAL/dashboard.pid
DASHBOARD_URL_FILE=$LOCAL/dashboard.url
DASHBOARD_LOG=$LOCAL/dashboard.log

KUBECTL_BIN=$(bin kubectl)
k() { "$KUBECTL_BIN" --kubeconfig="$KUBECONFIG_OUT" --context="$HUB" "$@"; }
say() { printf '==> %s\n' "$*"; }

operator_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE 'govcloud\.(js|ts) operator' || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  echo "$pid"
}

dashboard_pid() {
  [[ -f $DASHBOARD_PID_FILE ]] || return 1
  local pid
  pid=$(<"$DASHBOARD_PID_FILE")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE 'govcloud\.(js|ts) dashboard' || return 1
  echo "$pid"
}

# The dashboard as the chart deploys it: its own ServiceAccount (list and watch, reviews),
# behind the hub's TokenReview and SubjectAccessReview.
dashboard() {
  local pid url deadline
  if pid=$(dashboard_pid); then
    say "dashboard running (pid $pid), reused"
    return 0
  fi
  local kubeconfig
  kubeconfig=$(GOVCLOUD_KUBECONFIG=$KUBECONFIG_OUT "$NODE" e2e/operator/dashboard-local.ts)
  [[ -f $DASHBOARD_LOG ]] && mv -f "$DASHBOARD_LOG" "$DASHBOARD_LOG.1"
  rm -f "$DASHBOARD_URL_FILE"
  say "starting the dashboard (log $DASHBOARD_LOG)"
  setsid "$NODE" "$BUNDLE" dashboard --kubeconfig "$kubeconfig" --listen 127.0.0.1:0 >"$DASHBOARD_LOG" 2>&1 </dev/null &
  echo $! >"$DASHBOARD_PID_FILE"
  deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    kill -0 "$(<"$DASHBOARD_PID_FILE")" 2>/dev/null || { tail -n 20 "$DASHBOARD_LOG" >&2; echo "the dashboard exited at start" >&2; exit 1; }
    url=$(sed -n 's/^govcloud dashboard: serving on \(http[^ ]*\).*/\1/p' "$DASHBOARD_LOG" | head -n1)
    if [[ -n $url ]] && curl -fsS --max-time 2 "${url}readyz" >/dev/null 2>&1; then
      echo "$url" >"$DASHBOARD_URL_FILE"
      say "dashboard ready ($url)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 20 "$DASHBOARD_LOG" >&2
  echo "the dashboard did not become ready within 60 s" >&2
  exit 1
}

stop_dashboard() {
  local pid i
  pid=$(dashboard_pid) || { rm -f "$DASHBOARD_PID_FILE" "$DASHBOARD_URL_FILE"; return 0; }
  say "stopping the dashboard (pid $pid)"
  kill -TERM "$pid"
  for ((i = 0; i < 100; i++)); do dashboard_pid >/dev/null || break; sleep 0.1; done
  dashboard_pid >/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$DASHBOARD_PID_FILE" "$DASHBOARD_URL_FILE"
}

register() {
  [[ -f $KUBECONFIG_OUT ]] || { echo "no $KUBECONFIG_OUT: run make cluster-up first" >&2; exit 1; }
  say "CRDs, the chart's RBAC in ${CLUSTERS[*]}, the members' token kubeconfigs, the DataCentres (samples/platform/)"
  GOVCLOUD_KUBECONFIG=$KUBECONFIG_OUT "$NODE" e2e/operator/register.ts >/dev/null
}

start() {
  local pid
  if pid=$(operator_pid); then
    say "operator running (pid $pid), reused"
    return 0
  fi
  [[ -f $BUNDLE ]] || { echo "no $BUNDLE: run make build" >&2; exit 1; }
  [[ -f $OPERATOR_KUBECONFIG ]] || { echo "no $OPERATOR_KUBECONFIG: run $0 register first" >&2; exit 1; }
  mkdir -p "$LOCAL"
  [[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
  rm -f "$PORT_FILE"
  say "starting the operator (log $LOG)"
  # The heap limits the chart ships (nodeOptions in its values), so `make up` runs the operator as installed.
  NODE_OPTIONS="$(sed -n 's/^nodeOptions: "\(.*\)"$/\1/p' charts/govcloud-operator/values.yaml)" \
    setsid "$NODE" "$BUNDLE" operator --kubeconfig "$OPERATOR_KUBECONFIG" --context "$HUB" --namespace "$NS" \
    --metrics-port 0 >"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 60)) port=
  while ((SECONDS < deadline)); do
    # Alive, not operator_pid: right after the fork the child may not have exec'd node yet.
    kill -0 "$(<"$PID_FILE")" 2>/dev/null || { tail -n 20 "$LOG" >&2; echo "the operator exited at start" >&2; exit 1; }
    port=$(grep -m1 '"msg":"govcloud operator started"' "$LOG" 2>/dev/null | sed -n 's/.*"port":\([0-9]*\).*/\1/p') || true
    if [[ -n $port ]] && curl -fsS --max-time 2 "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      echo "$port" >"$PORT_FILE"
      say "operator ready (pid $(<"$PID_FILE"), http://127.0.0.1:$port)"
      return 0
    fi
    sleep 0.5
  done
  tail -n 20 "$LOG" >&2
  echo "the operator did not become ready within 60 s" >&2
  exit 1
}

# Files of samples/ minus what .govcloudignore names (relative to samples/).
sample_files() {
  local ignore=() line f skip
  if [[ -f samples/.govcloudignore ]]; then
    while IFS= read -r line; do
      line=${line%%#*}; line=${line//[[:space:]]/}
      [[ -n $line ]] && ignore+=("samples/${line%/}")
    done <samples/.govcloudignore
  fi
  while IFS= read -r f; do
    skip=0
    for line in "${ignore[@]}"; do [[ $f == "$line" || $f == "$line"/* ]] && skip=1; done
    ((skip)) || echo "$f"
  done < <(find samples -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
}

samples() {
  say "applying samples/ (skipping what samples/.govcloudignore lists)"
  local files pending=() f deadline
  mapfile -t files < <(sample_files)
  # Tenant objects live in hub namespaces the operator makes for their Agencies: retry those.
  pending=("${files[@]}")
  deadline=$((SECONDS + 120))
  while ((${#pending[@]})); do
    local next=() out
    for f in "${pending[@]}"; do
      if ! out=$(k apply --server-side --force-conflicts -f "$f" 2>&1); then
        if [[ $out == *NotFound* || $out == *"not found"* ]] && ((SECONDS < deadline)); then next+=("$f"); else echo "$out" >&2; exit 1; fi
      fi
    done
    pending=("${next[@]}")
    if ((${#pending[@]})); then
      echo "    waiting for hub namespaces of ${#pending[@]} tenant file(s)"
      sleep 2
    fi
  done
}

wait_ready() {
  say "waiting (at most ${READY_TIMEOUT} s) until every Agency is Ready"
  local deadline=$((SECONDS + READY_TIMEOUT)) lines total ready last=
  while :; do
    # Ready for the current spec: observedGeneration equals generation.
    lines=$(k get agencies -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.metadata.generation}/{.status.observedGeneration}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
      awk '{ split($2, g, "/"); print $1, (g[1] == g[2] && $3 == "True") ? "True" : "False" }')
    total=$(grep -c . <<<"$lines" || true)
    ready=$(grep -c ' True$' <<<"$lines" || true)
    local msg="$ready/$total Agencies Ready"
    ((ready < total)) && msg+=" (waiting for $(grep -v ' True$' <<<"$lines" | cut -d' ' -f1 | tr '\n' ' '))"
    [[ $msg != "$last" ]] && echo "    $msg"
    last=$msg
    ((total > 0 && ready == total)) && return 0
    if ((SECONDS >= deadline)); then
      echo "not every Agency became Ready within ${READY_TIMEOUT} s:" >&2
      k get agencies -o custom-columns='NAME:.metadata.name,READY:.status.conditions[?(@.type=="Ready")].status,WHY:.status.conditions[?(@.type=="Degraded")].message' >&2
      exit 1
    fi
    sleep 2
  done
}

stop() {
  local pid i
  stop_dashboard
  if ! pid=$(operator_pid); then
    rm -f "$PID_FILE" "$PORT_FILE"
    say "operator not running"
    return 0
  fi
  say "stopping the operator (pid $pid)"
  kill -TERM "$pid"
  for ((i = 0; i < 300; i++)); do operator_pid >/dev/null || break; sleep 0.1; done
  if operator_pid >/dev/null; then
    echo "    it ignored SIGTERM for 30 s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE" "$PORT_FILE"
}

status() {
  local pid port
  if pid=$(operator_pid); then
    port=$(cat "$PORT_FILE" 2>/dev/null || true)
    echo "operator: running, pid $pid, http://127.0.0.1:${port:-?} (log $LOG)"
    [[ -n $port ]] && curl -sS --max-time 2 "http://127.0.0.1:$port/readyz" | sed 's/^/    /' || true
  else
    echo "operator: not running (log $LOG)"
  fi
  if pid=$(dashboard_pid); then
    echo "dashboard: running, pid $pid, $(cat "$DASHBOARD_URL_FILE" 2>/dev/null || echo '?') (log $DASHBOARD_LOG)"
  else
    echo "dashboard: not running (log $DASHBOARD_LOG)"
  fi
  if [[ -f $KUBECONFIG_OUT ]] && k get crd agencies.govcloud.dev >/dev/null 2>&1; then
    k get datacentres 2>/dev/null || true
    k get agencies 2>/dev/null || true
  fi
}

summary() {
  local port
  port=$(cat "$PORT_FILE" 2>/dev/null || echo '?')
  cat <<EOF

govcloud runs locally:
  clusters     ${CLUSTERS[*]} (hub: $HUB), Kubernetes $KUBE_VERSION; \`make cluster-status\` for pids and logs
  kubectl      $KUBECTL_BIN --kubeconfig $KUBECONFIG_OUT --context <cluster>
               e.g. $KUBECTL_BIN --kubeconfig $KUBECONFIG_OUT --context $HUB get agencies,datacentres
  operator     pid $(cat "$PID_FILE" 2>/dev/null || echo '?'), log $LOG, as the chart's ServiceAccount
               govcloud-operator ($OPERATOR_KUBECONFIG; members: their Secrets in $NS)
  metrics      http://127.0.0.1:$port/metrics (and /readyz, /healthz)
  dashboard    $(cat "$DASHBOARD_URL_FILE" 2>/dev/null || echo 'not running'), log $DASHBOARD_LOG; sign in with a token,
               e.g. leadership's: $KUBECTL_BIN --kubeconfig $KUBECONFIG_OUT --context $HUB -n $NS create token govcloud-local-leadership
  status       make status
  stop         make down (operator and clusters)
EOF
}

case ${1-} in
  register) register ;;
  start) start ;;
  samples) samples ;;
  wait) wait_ready ;;
  dashboard) dashboard ;;
  stop) stop ;;
  status) status ;;
  summary) summary ;;
  *) echo "usage: $0 register|start|samples|wait|dashboard|stop|status|summary" >&2; exit 2 ;;
esac
