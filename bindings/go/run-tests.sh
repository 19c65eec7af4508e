#!/bin/sh
# run-tests.sh PREFIX: the Go stage of issue 17 against a seglog installed
# in PREFIX (meson install --prefix=PREFIX). Runs go vet, go test -race -v
# and the bounded 3-process cluster test on seglog, in a temporary GOPATH,
# cache and TMPDIR that it removes. Exits non-zero on any failure.
#
# Lines to read: "--- PASS: TestX" / "--- FAIL: TestX" (go test -v, one per
# test and subtest), "raftcluster: PASS ..." / "raftcluster: FAIL: ...",
# one "run-tests: PASS <step>" or "run-tests: FAIL <step>" per step, and
# the closing "run-tests: N passed, N failed" (steps).
#
# Environment: SEGLOG_GO_CLUSTER_SECONDS (default 60) is the cluster run's
# length; SEGLOG_GO_CLUSTER_STORES (default "seglog") the stores it runs
# on, e.g. "seglog boltdb"; GOCACHE, when set, is used instead of a
# temporary cache (a warm cache saves about a minute).
set -u

if [ $# -ne 1 ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
prefix=$(cd "$1" && pwd) || exit 2
here=$(cd "$(dirname "$0")" && pwd)
pc=$(find "$prefix" -name seglog.pc -path '*pkgconfig*' 2>/dev/null | head -n 1)
if [ -z "$pc" ]; then
  echo "run-tests: FAIL no seglog.pc under $prefix" >&2
  exit 2
fi
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/seglog-go.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/gopath/src" "$tmp/tmp"
ln -s "$here" "$tmp/gopath/src/seglog"

export GO111MODULE=off GOFLAGS= GOPATH="$tmp/gopath:/usr/share/gocode"
export GOCACHE="${GOCACHE:-$tmp/cache}" TMPDIR="$tmp/tmp"
export PKG_CONFIG_PATH="$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export CGO_LDFLAGS="-Wl,-rpath,$libdir"

packages="seglog/seglog seglog/raftseglog seglog/seedstorage seglog/cmd/raftcluster seglog/cmd/raftbench"
seconds=${SEGLOG_GO_CLUSTER_SECONDS:-60}
stores=${SEGLOG_GO_CLUSTER_STORES:-seglog}

passed=0
failed=0
# step NAME LIMIT CMD...: runs CMD under a time limit and counts it.
step() {
  name=$1
  limit=$2
  shift 2
  echo "run-tests: ---- $name"
  t0=$(date +%s)
  if timeout -k 10 "$limit" "$@"; then
    echo "run-tests: PASS $name ($(($(date +%s) - t0)) s)"
    passed=$((passed + 1))
  else
    echo "run-tests: FAIL $name (exit $?, $(($(date +%s) - t0)) s)"
    failed=$((failed + 1))
  fi
}

cd "$tmp" || exit 2
step "go vet" 120 go vet $packages
step "go test -race" 180 go test -race -v -count=1 -timeout 170s $packages
if go build -o "$tmp/raftcluster" seglog/cmd/raftcluster; then
  for store in $stores; do
    step "cluster test on $store" $((seconds + 150)) "$tmp/raftcluster" --store="$store" --duration="${seconds}s"
  done
else
  echo "run-tests: FAIL build raftcluster"
  failed=$((failed + 1))
fi

echo "run-tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
