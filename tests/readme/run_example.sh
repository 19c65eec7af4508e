#!/usr/bin/env bash
# tests/readme/run_example.sh — runs the README's example program twice on
# a fresh temporary directory (the second run reopens what the first one
# wrote), then removes it.
# usage: run_example.sh EXAMPLE_BINARY
set -euo pipefail
tmp="$(mktemp -d "${TMPDIR:-/tmp}/seglog-readme-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp/raft-log"
"$1" "$tmp/raft-log"
