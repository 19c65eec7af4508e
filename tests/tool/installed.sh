#!/usr/bin/env bash
# tests/tool/installed.sh BUILD_DIR — `meson install` would put the tool on
# the PATH: bin/seglog and its man page man1/seglog.1 are in the build's
# install manifest (read from `meson introspect`, without installing).
set -euo pipefail
manifest="$(meson introspect "$1" --installed)"
for wanted in '/bin/seglog"' '/man1/seglog.1"'; do
  if ! grep -q -- "$wanted" <<<"$manifest"; then
    echo "not installed by meson install: *$wanted" >&2
    exit 1
  fi
done
echo "meson install puts bin/seglog and man1/seglog.1 in the prefix"
