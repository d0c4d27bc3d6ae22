#!/usr/bin/env bash
# Flux on the local platform's hub (mk/gitops.mk: `make gitops-up`, `make gitops-down`,
# `make gitops-status`; the e2e suite e2e/gitops/ uses it too). Processes on loopback, state
# under .local/gitops/ (pids, ports, logs, kubeconfigs, the served repositories, artifacts).
#
#   flux.sh up       build (or find cached) the controllers; install Flux's CRDs of the same
#                    versions (from the Go module cache) and flux-system.yaml's accounts and
#                    RBAC; mint a token per controller; start the Git server, source-controller
#                    and kustomize-controller, each as its own ServiceAccount (reused when running)
#   flux.sh down     stop them (SIGTERM, then SIGKILL after 15 s)
#   flux.sh sync DIR NAME
#                    make the served repository NAME from the folder DIR (a GitOps repository in
#                    the template's layout: samples/gitops for `make up GITOPS=1`; replaced if it
#                    exists) in two commits on main, the tenancies then the rest; point
#                    sync.yaml's GitRepository and Kustomization at it; after each commit wait
#                    until the Kustomization is Ready (every Agency and SharedDataService Ready)
#   flux.sh status   pids, ports, logs, and Flux's view: GitRepositories and Kustomizations
#   flux.sh check    exit 0 when all three processes run
set -euo pipefail
gitops_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$gitops_dir/../.." && pwd)
# shellcheck source=../platform/lib.sh
source "$ROOT/e2e/platform/lib.sh"
# shellcheck source=versions.sh
source "$gitops_dir/versions.sh"
cd "$ROOT"

NODE=${NODE:-$ROOT/node_modules/.bin/node}
NS=flux-system
HUB=${CLUSTERS[0]}
GITOPS=$LOCAL/gitops
# The bare repositories the Git server serves: http://127.0.0.1:<git-server port>/<name>.git
export GITOPS_REPOS=$GITOPS/repos
TOKEN_DURATION=24h
PROCS=(git-server source-controller kustomize-controller)

say() { printf '==> %s\n' "$*"; }
die() { echo "gitops/flux.sh: $*" >&2; exit 1; }
k() { "$(bin kubectl)" --kubeconfig="$KUBECONFIGS_DIR/$HUB.yaml" "$@"; }
# The pid of a running process of ours: its pid file, and its command line or environment
# (a controller's KUBECONFIG) names $GITOPS, so a pid the system gave to another process since
# does not count.
pid_of() {
  local f=$GITOPS/pids/$1.pid pid
  [[ -f $f ]] && pid=$(<"$f") && [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  cat "/proc/$pid/cmdline" "/proc/$pid/environ" 2>/dev/null | tr '\0' '\n' | grep -qF -- "$GITOPS/" || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1
  echo "$pid"
}
port_of() { cat "$GITOPS/ports/$1" 2>/dev/null || true; }
free_port() { "$NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(s.address().port+"\n");s.close()})'; }

crd_dirs() { # where the CRDs of the pinned controllers are: the modules ship config/crd/bases
  local n dir
  for n in source-controller kustomize-controller; do
    dir=$("$gitops_dir/build.sh" --module-dir "$n")
    (cd "$dir" && GOFLAGS=-mod=readonly go mod download "github.com/fluxcd/$n" &&
      echo "$(go list -m -f '{{.Dir}}' "github.com/fluxcd/$n")/config/crd/bases")
  done
}

# A kubeconfig for the hub holding a fresh token of a flux-system ServiceAccount (mode 0600).
write_token_kubeconfig() { # SERVICE_ACCOUNT FILE
  local token server ca
  token=$(k -n "$NS" create token "$1" --duration="$TOKEN_DURATION")
  server=$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')
  ca=$(k config view --minify --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  (umask 077 && cat >"$2") <<EOF
apiVersion: v1
kind: Config
clusters: [{name: $HUB, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: $1, user: {token: "$token"}}]
contexts: [{name: $1@$HUB, context: {cluster: $HUB, user: $1}}]
current-context: $1@$HUB
EOF
}

start_process() { # NAME COMMAND... (in the background, its output to its log)
  local name=$1; shift
  if pid=$(pid_of "$name"); then say "$name: running (pid $pid), reused"; return; fi
  "$@" </dev/null >>"$GITOPS/logs/$name.log" 2>&1 &
  echo $! >"$GITOPS/pids/$name.pid"
  say "$name: started (pid $!, log $GITOPS/logs/$name.log)"
}

wait_http() { # NAME URL: until it answers 200, bounded, failing early when the process died
  local i
  for ((i = 0; i < 600; i++)); do
    curl -fsS --max-time 2 -o /dev/null "$2" 2>/dev/null && return 0
    pid_of "$1" >/dev/null || { tail -n 20 "$GITOPS/logs/$1.log" >&2; die "$1 exited while starting (log $GITOPS/logs/$1.log)"; }
    sleep 0.2
  done
  tail -n 20 "$GITOPS/logs/$1.log" >&2
  die "$1 did not answer $2 within 120 s"
}

controller_args() { # NAME: what both controllers share to run as a process outside a cluster
  echo --watch-all-namespaces=false --enable-leader-election=false --log-encoding=json \
    --metrics-addr="127.0.0.1:$(port_of "$1-metrics")" --health-addr="127.0.0.1:$(port_of "$1-health")"
}

up() {
  [[ -f $KUBECONFIGS_DIR/$HUB.yaml ]] && alive_pid "$HUB-apiserver" >/dev/null ||
    die "the local platform does not run: make cluster-up first"
  "$gitops_dir/build.sh"
  mkdir -p "$GITOPS"/{pids,ports,logs,repos,artifacts,kubeconfigs}
  say "Flux CRDs (source-controller $FLUX_SOURCE_CONTROLLER_VERSION, kustomize-controller $FLUX_KUSTOMIZE_CONTROLLER_VERSION)"
  local dir
  for dir in $(crd_dirs); do k apply --server-side --force-conflicts -f "$dir" >/dev/null; done
  k wait --for condition=Established --timeout=60s crd/gitrepositories.source.toolkit.fluxcd.io crd/kustomizations.kustomize.toolkit.fluxcd.io >/dev/null
  say "flux-system: ServiceAccounts and RBAC (e2e/gitops/flux-system.yaml)"
  k apply --server-side -f "$gitops_dir/flux-system.yaml" >/dev/null
  local n
  for n in source-controller kustomize-controller; do write_token_kubeconfig "$n" "$GITOPS/kubeconfigs/$n.yaml"; done

  if ! pid_of git-server >/dev/null; then rm -f "$GITOPS/ports/git-server"; fi
  start_process git-server "$NODE" "$gitops_dir/git-server.ts" "$GITOPS_REPOS" "$GITOPS/ports/git-server"
  for ((n = 0; n < 300; n++)); do [[ -s $GITOPS/ports/git-server ]] && break; sleep 0.2; done
  [[ -s $GITOPS/ports/git-server ]] || die "the Git server wrote no port (log $GITOPS/logs/git-server.log)"

  local p
  for n in source-controller kustomize-controller; do
    pid_of "$n" >/dev/null && continue
    for p in metrics health; do free_port >"$GITOPS/ports/$n-$p"; done
  done
  pid_of source-controller >/dev/null || free_port >"$GITOPS/ports/source-controller-storage"
  local storage="127.0.0.1:$(port_of source-controller-storage)"
  # shellcheck disable=SC2046 # controller_args is a list of words
  start_process source-controller env RUNTIME_NAMESPACE=$NS KUBECONFIG="$GITOPS/kubeconfigs/source-controller.yaml" \
    "$(bin_flux source-controller)" $(controller_args source-controller) \
    --storage-path="$GITOPS/artifacts" --storage-addr="$storage" --storage-adv-addr="$storage"
  # shellcheck disable=SC2046
  start_process kustomize-controller env RUNTIME_NAMESPACE=$NS KUBECONFIG="$GITOPS/kubeconfigs/kustomize-controller.yaml" \
    "$(bin_flux kustomize-controller)" $(controller_args kustomize-controller) --no-remote-bases=true
  for n in source-controller kustomize-controller; do wait_http "$n" "http://127.0.0.1:$(port_of "$n-health")/readyz"; done
  say "Flux runs on $HUB: Git server http://127.0.0.1:$(port_of git-server)/ (repositories in $GITOPS_REPOS), artifacts http://$storage/"
}
bin_flux() { "$gitops_dir/build.sh" --print-path "$1"; }

SYNC_TIMEOUT=${SYNC_TIMEOUT:-300}

wait_kustomization() { # NAME
  say "waiting (at most $SYNC_TIMEOUT s) until Kustomization $1 is Ready: applied, every Agency and service Ready"
  k -n "$NS" annotate --overwrite "gitrepository/$1" "reconcile.fluxcd.io/requestedAt=$(date -u +%FT%TZ)" >/dev/null
  local rev deadline=$((SECONDS + SYNC_TIMEOUT))
  rev=$(git -C "$GITOPS_REPOS/$1.git" rev-parse main)
  # Ready at this commit: an earlier revision's Ready does not count.
  until [[ $(k -n "$NS" get "kustomization/$1" -o jsonpath='{.status.lastAppliedRevision} {.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == "main@sha1:$rev True" ]]; do
    if ((SECONDS >= deadline)); then
      k -n "$NS" get "kustomization/$1" >&2
      die "Kustomization $1 is not Ready at $rev (make gitops-status; log $GITOPS/logs/kustomize-controller.log)"
    fi
    sleep 2
  done
  k -n "$NS" get "kustomization/$1" | sed 's/^/    /'
}

# Two merges, as agencies join: the tenancies (each agencies/<name>/agency.yaml) first, then the
# rest of their folders, which live in the hub namespaces the operator makes from the Agencies
# (Flux dry-runs a whole revision: the second half alone would find no namespace).
sync() { # DIR NAME
  local src=$1 name=$2 work bare url
  [[ -d $src/agencies ]] || die "$src has no agencies/ folder: not a GitOps repository in the template's layout"
  pid_of git-server >/dev/null || die "Flux does not run: flux.sh up first"
  bare=$GITOPS_REPOS/$name.git
  work=$(mktemp -d)
  local g=(git -C "$work" -c user.name=govcloud -c user.email=govcloud@localhost -c init.defaultBranch=main)
  "${g[@]}" init --quiet
  cp -r "$src/." "$work/"
  find "$work/agencies" -type f ! -name agency.yaml -delete
  "${g[@]}" add --all
  "${g[@]}" commit --quiet -m "the tenancies of $src"
  rm -rf "$bare"
  git init --quiet --bare "$bare"
  "${g[@]}" push --quiet "$bare" HEAD:refs/heads/main
  url="http://127.0.0.1:$(port_of git-server)/$name.git"
  say "repository $name: the tenancies of $src at $url (commit $(git -C "$bare" rev-parse --short main))"
  sed -e "s|@NAME@|$name|g" -e "s|@URL@|$url|g" "$gitops_dir/sync.yaml" | k apply --server-side -f - >/dev/null
  wait_kustomization "$name"
  cp -r "$src/." "$work/"
  "${g[@]}" add --all
  "${g[@]}" commit --quiet -m "the services, requests, grants and links of $src"
  "${g[@]}" push --quiet "$bare" HEAD:refs/heads/main
  rm -rf "$work"
  say "repository $name: the rest of $src (commit $(git -C "$bare" rev-parse --short main))"
  wait_kustomization "$name"
}

down() {
  local n pid i
  for n in kustomize-controller source-controller git-server; do
    if pid=$(pid_of "$n"); then
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 150; i++)); do pid_of "$n" >/dev/null || break; sleep 0.1; done
      pid_of "$n" >/dev/null && { echo "    $n (pid $pid) ignored SIGTERM for 15 s: SIGKILL" >&2; kill -KILL "$pid" 2>/dev/null || true; }
      say "$n: stopped (pid $pid)"
    fi
    rm -f "$GITOPS/pids/$n.pid"
  done
}

status() {
  local n pid up=0
  echo "Flux: source-controller $FLUX_SOURCE_CONTROLLER_VERSION, kustomize-controller $FLUX_KUSTOMIZE_CONTROLLER_VERSION; state $GITOPS"
  for n in "${PROCS[@]}"; do
    if pid=$(pid_of "$n"); then up=$((up + 1)); else pid=-; fi
    printf '  %-22s %-8s pid %-8s log %s\n' "$n" "$([[ $pid != - ]] && echo running || echo stopped)" "$pid" "$GITOPS/logs/$n.log"
  done
  if ((up)) && alive_pid "$HUB-apiserver" >/dev/null; then
    k get gitrepositories.source.toolkit.fluxcd.io,kustomizations.kustomize.toolkit.fluxcd.io -A 2>&1 | sed 's/^/    /'
  fi
  ((up == ${#PROCS[@]}))
}

case ${1-} in
  up) up ;;
  down) down ;;
  status) status ;;
  sync) (($# == 3)) || { echo "usage: flux.sh sync DIR NAME" >&2; exit 2; }; sync "$2" "$3" ;;
  check) for n in "${PROCS[@]}"; do pid_of "$n" >/dev/null || exit 1; done ;;
  *) echo "usage: flux.sh up|down|status|check|sync DIR NAME" >&2; exit 2 ;;
esac
