#!/usr/bin/env bash
# tests/consumer/run.sh — builds and runs the consumer project (project/)
# against seglog as a real user would, in a temporary directory removed at
# the end:
#   subproject: seglog's source tree copied to <tmp>/consumer/subprojects/seglog,
#               found by dependency('seglog') (forced to the subproject);
#   install:    seglog configured on its own, `meson install`ed into
#               <tmp>/prefix, found through pkg-config only, run with
#               LD_LIBRARY_PATH.
#
# usage: run.sh subproject|install SEGLOG_SOURCE_ROOT CONSUMER_PROJECT_DIR
set -euo pipefail

mode="$1"
src="$(cd "$2" && pwd)"
consumer_src="$(cd "$3" && pwd)"
jobs="${SEGLOG_JOBS:-2}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/seglog-consumer-test-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

step() { printf '\n--- %s\n' "$*"; }

# Inner builds are --buildtype=plain (no optimisation, no debug info): the
# quickest to compile, and what is tested here is packaging, not speed.
# The consumer builds with the compiler meson would pick by default, not
# with the sanitizer or coverage settings of the build that runs this test.
unset CXXFLAGS LDFLAGS CPPFLAGS
# meson test sets this for every test; leave the inner builds alone.
unset MALLOC_PERTURB_

# Copies seglog's source tree: everything but VCS data and build
# directories (any top-level folder meson configured, whatever its name).
copy_source() {
  local dest="$1" entry name
  mkdir -p "$dest"
  shopt -s dotglob nullglob
  for entry in "$src"/*; do
    name="$(basename "$entry")"
    [[ "$name" == .git ]] && continue
    [[ -d "$entry/meson-private" || -d "$entry/meson-logs" ]] && continue
    [[ "$name" == build* ]] && continue
    cp -R "$entry" "$dest/"
  done
  shopt -u dotglob nullglob
  # Not other projects' checkouts: only the README of subprojects/.
  find "$dest/subprojects" -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} + 2>/dev/null || true
}

case "$mode" in
  subproject)
    step "copy $src to $tmp/consumer/subprojects/seglog"
    cp -R "$consumer_src" "$tmp/consumer"
    copy_source "$tmp/consumer/subprojects/seglog"

    step "configure the consumer (seglog as a subproject)"
    meson setup "$tmp/build" "$tmp/consumer" --force-fallback-for=seglog \
      --buildtype=plain
    grep -q "Dependency seglog found: YES .*(overridden)" "$tmp/build/meson-logs/meson-log.txt" \
      || { echo "seglog did not come from the subproject"; exit 1; }
    step "build"
    ninja -C "$tmp/build" -j "$jobs"
    step "run"
    "$tmp/build/consumer"
    ;;

  install)
    step "configure and build seglog alone, prefix $tmp/prefix"
    meson setup "$tmp/seglog-build" "$src" --prefix="$tmp/prefix" --wrap-mode=nofallback \
      --buildtype=plain \
      -Dtests=disabled -Dbenchmarks=disabled -Dtools=disabled
    ninja -C "$tmp/seglog-build" -j "$jobs"
    step "install"
    meson install -C "$tmp/seglog-build" --no-rebuild --quiet

    pc="$(find "$tmp/prefix" -name seglog.pc -print -quit)"
    [[ -n "$pc" ]] || { echo "no seglog.pc installed under $tmp/prefix"; exit 1; }
    pcdir="$(dirname "$pc")"
    libdir="$(dirname "$pcdir")"
    echo "seglog.pc in $pcdir:"
    cat "$pc"
    [[ -f "$tmp/prefix/include/seglog/seglog.hpp" ]] \
      || { echo "headers not installed in $tmp/prefix/include/seglog"; exit 1; }
    if find "$tmp/prefix" -path '*detail*' -o -name '*.cpp' | grep -q .; then
      echo "private sources installed:"; find "$tmp/prefix" -path '*detail*' -o -name '*.cpp'; exit 1
    fi

    step "configure the consumer (seglog through pkg-config only)"
    PKG_CONFIG_PATH="$pcdir" meson setup "$tmp/build" "$consumer_src" \
      --wrap-mode=nofallback --buildtype=plain -Dseglog_from=pkg-config
    step "build"
    ninja -C "$tmp/build" -j "$jobs"
    step "run"
    LD_LIBRARY_PATH="$libdir" "$tmp/build/consumer"
    # The binary found the installed library, not one from a build tree.
    LD_LIBRARY_PATH="$libdir" ldd "$tmp/build/consumer" | grep -F "$libdir/libseglog.so" \
      || { echo "consumer is not linked to $libdir/libseglog.so"; exit 1; }
    ;;

  *)
    echo "usage: $0 subproject|install SEGLOG_SOURCE_ROOT CONSUMER_PROJECT_DIR" >&2
    exit 2
    ;;
esac
echo "consumer ($mode): OK"
