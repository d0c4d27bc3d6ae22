#!/usr/bin/env bash
# `make image-check`: what can be checked of the operator image without a Docker engine. Lays
# out the image's /app as the Dockerfile does (package.json, package-lock.json, operator/bin,
# operator/src; `npm ci --omit=dev --ignore-scripts`) in a temporary folder, made read-only,
# and runs the entry point there as user 10001 with this machine's Node 24:
# `node operator/bin/govcloud.ts operator --help`. It proves the production dependencies are
# enough and that nothing needs to write; it does not prove the Dockerfile builds.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$here/../.." && pwd)
NODE=${NODE:-$ROOT/node_modules/.bin/node}
app=$(mktemp -d /tmp/govcloud-image-XXXXXX)
trap 'chmod -R u+w "$app"; rm -rf "$app"' EXIT
# The files the Dockerfile copies, and only those.
grep -E '^COPY ' "$ROOT/Dockerfile" | grep -v -- '--from=' | awk '{ print $2 }' | tr ' ' '\n' | sort -u | while read -r f; do
  [[ $f == ./ ]] && continue
  mkdir -p "$app/$(dirname "$f")"
  cp -r "$ROOT/$f" "$app/$f"
done
cp "$ROOT/package-lock.json" "$app/"
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
for dev in typescript uvu @pulumi node; do
  if [[ -e $app/node_modules/$dev ]]; then echo "image-check: dev dependency $dev is in the production install" >&2; exit 1; fi
done
chmod -R a+rX,a-w "$app"
run=(env -i PATH=/usr/bin:/bin NODE_ENV=production HOME=/nonexistent "$NODE" operator/bin/govcloud.ts operator --help)
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  run=(setpriv --reuid 10001 --regid 10001 --clear-groups "${run[@]}")
fi
out=$(cd "$app" && "${run[@]}" 2>&1) || { echo "image-check: the entry point failed:" >&2; echo "$out" >&2; exit 1; }
grep -q '^Usage: govcloud operator' <<<"$out" || { echo "image-check: unexpected output:" >&2; echo "$out" >&2; exit 1; }
echo "image-check: the image's files with production dependencies only run \`govcloud operator\` as user 10001 on a read-only /app ($(du -sh "$app/node_modules" | cut -f1) of node_modules)"
