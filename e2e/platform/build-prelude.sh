# What every build from the Go module proxy does before and while it compiles, sourced by
# e2e/platform/build.sh (the platform's binaries) and e2e/install/build-pulumi.sh (the Pulumi
# CLI and provider): Go present, the cache's folders, one build at a time per cache (the
# machine has 2 cores), static binaries, and a progress line a minute while go build runs.
# Needs GOVCLOUD_CACHE and GOVCLOUD_BIN.

# build_prelude MESSAGE: MESSAGE is what to say when Go is missing.
build_prelude() {
  command -v go >/dev/null || { echo "$1" >&2; exit 1; }
  mkdir -p "$GOVCLOUD_BIN" "$GOVCLOUD_CACHE/logs" "$GOVCLOUD_CACHE/src"
  exec 9>"$GOVCLOUD_CACHE/build.lock"
  if ! flock -n 9; then
    echo "==> another build holds $GOVCLOUD_CACHE/build.lock; waiting for it"
    flock 9
  fi
  export CGO_ENABLED=0 GOFLAGS="-buildvcs=false -mod=readonly"
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# A line a minute while NAME compiles, so a CI log shows it is alive; stop_ticker ends it.
ticker_pid=
start_ticker() {
  local name=$1 start=$SECONDS
  ( while sleep 60; do echo "    ... $name still building, $(fmt_secs $((SECONDS - start))) elapsed"; done ) &
  ticker_pid=$!
}
stop_ticker() { [[ -n $ticker_pid ]] && kill "$ticker_pid" 2>/dev/null; wait "$ticker_pid" 2>/dev/null || true; ticker_pid=; }

# go_build NAME OUT DIR PKG LDFLAGS LOG WHAT: go build of PKG in module DIR into OUT, which is
# replaced only by a whole binary; the compiler's output goes to LOG, a progress line a minute
# to the terminal. On failure it says WHAT failed, with the log's last lines, and exits 1.
tmp_out=
go_build() {
  local name=$1 out=$2 dir=$3 pkg=$4 ldflags=$5 log=$6 what=$7 start=$SECONDS rc
  start_ticker "$name"
  tmp_out="$out.tmp.$$"
  if (cd "$dir" && go build -trimpath -ldflags="$ldflags" -o "$tmp_out" "$pkg") >"$log" 2>&1; then
    stop_ticker
    mv -f "$tmp_out" "$out"
    echo "    built $name in $(fmt_secs $((SECONDS - start))) -> $out ($(du -h "$out" | cut -f1))"
  else
    rc=$?
    stop_ticker
    rm -f "$tmp_out"
    echo "$what (Go $(go env GOVERSION)) exited $rc after $(fmt_secs $((SECONDS - start))). Last lines of $log:" >&2
    tail -n 25 "$log" | sed 's/^/    /' >&2
    exit 1
  fi
}
