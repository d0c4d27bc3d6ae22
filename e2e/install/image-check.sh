#!/usr/bin/env bash
# `make image-check`: what can be checked of the operator image without a Docker engine. Lays
# out the final stage's /app as the Dockerfile does (what it copies from the build stage: the
# bundle of `make build` and the operator's list of rights, nothing else) in a temporary
# folder, made read-only, and runs the Dockerfile's entry point there as user 10001 with this
# machine's Node 24, in an empty environment: `node dist/govcloud.js operator --help`, then
# `govcloud join --dry-run=client`. It proves the bundle needs no node_modules and nothing
# writable; it does not prove the Dockerfile builds.
#
# Node is copied out of the checkout too, as the image has it outside /app: user 10001 may
# not traverse the checkout's parents (a home of mode 0700, a `mktemp -d` folder).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
NODE=${NODE:-$ROOT/node_modules/.bin/node}
fail() { echo "image-check: $*" >&2; exit 1; }
work=$(mktemp -d /tmp/govcloud-image-XXXXXX)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
app=$work/app
mkdir -p "$app" "$work/bin"
cp -L "$NODE" "$work/bin/node"

# The final stage: everything after the last FROM.
final=$(awk '/^FROM /{ stage = "" } { stage = stage $0 "\n" } END { printf "%s", stage }' "$ROOT/Dockerfile")
grep -qE '^COPY ' <<<"$final" || fail "the Dockerfile's final stage copies nothing"
# Only from the build stage, whose output `make build` reproduces: /src/<path> is <path> here.
while read -r _ from src dest; do
  [[ $from == --from=build && $src == /src/* ]] || fail "unexpected COPY in the final stage: COPY $from $src $dest"
  rel=${src#/src/}
  [[ -e $ROOT/$rel ]] || fail "$rel is missing: run make build"
  mkdir -p "$app/$(dirname "$rel")"
  cp -r "$ROOT/$rel" "$app/$rel"
done < <(grep -E '^COPY ' <<<"$final")
[[ ! -e $app/node_modules ]] || fail "the final stage has node_modules"

entry=$(sed -n 's/^ENTRYPOINT \["node", "\([^"]*\)"\]$/\1/p' <<<"$final")
[[ -n $entry && -f $app/$entry ]] || fail "the entry point ($entry) is not among the copied files"
chmod -R a+rX,a-w "$work"
run=(env -i PATH="$work/bin:/usr/bin:/bin" NODE_ENV=production HOME=/nonexistent node "$entry" operator --help)
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  run=(setpriv --reuid 10001 --regid 10001 --clear-groups "${run[@]}")
fi
out=$(cd "$app" && "${run[@]}" 2>&1) || fail "the entry point failed:"$'\n'"$out"
grep -q '^Usage: govcloud operator' <<<"$out" || fail "unexpected output:"$'\n'"$out"
# `govcloud join` reads the operator's rights from the image (offline: --dry-run=client with
# the capacity given never calls the member).
kubeconfig=$work/member.kubeconfig
printf '%s\n' 'apiVersion: v1' 'kind: Config' 'clusters: [{name: m, cluster: {server: "https://127.0.0.1:1"}}]' \
  'users: [{name: u, user: {token: unused}}]' 'contexts: [{name: m, context: {cluster: m, user: u}}]' 'current-context: m' >"$kubeconfig"
chmod a+r "$kubeconfig"
join=("${run[@]:0:${#run[@]}-2}" join dc-image-check --dry-run=client --member-kubeconfig "$kubeconfig" \
  --network-ranges 10.250.0.0/16 --cpu 1 --memory 1Gi --storage 1Gi -o yaml)
out=$(cd "$app" && "${join[@]}" 2>&1) || fail "govcloud join from the image's files failed:"$'\n'"$out"
grep -q 'name: govcloud-operator-limits' <<<"$out" || fail "govcloud join printed no admission policy:"$'\n'"$out"
echo "image-check: the image's files ($(du -sh "$app" | cut -f1), no node_modules) run \`govcloud operator\` and \`govcloud join --dry-run=client\` as user 10001 on a read-only /app"
