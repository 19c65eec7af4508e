#!/usr/bin/env bash
# tests/consumer/run.sh — seglog used as a real user would (meson.build
# here lists the tests).
#
# usage: run.sh subproject SEGLOG_SOURCE_ROOT CONSUMER_PROJECT_DIR
#          seglog's source tree copied to <tmp>/consumer/subprojects/seglog,
#          found by dependency('seglog') (forced to the subproject);
#        run.sh prefix SEGLOG_SOURCE_ROOT PREFIX STAMP
#          seglog configured on its own (shared and static libraries),
#          built and `meson install`ed into PREFIX; STAMP written last;
#        run.sh MODE PREFIX CONSUMER_PROJECT_DIR, MODE one of
#          meson_pkgconfig   a meson project, seglog through pkg-config only
#          pkgconfig_shared  g++ ... $(pkg-config --cflags --libs seglog), and
#                            gcc -std=c11 on the C consumer (project/main.c)
#          pkgconfig_static  g++ -static ... $(pkg-config --static --libs seglog)
#          cmake             find_package(seglog): shared, then static libseglog.a
#          exports           libseglog.so's soname and exported symbols:
#                            the C++ API and exactly seglog.h's C functions
# Consumers are built in a temporary directory removed at the end, and
# each runs the consumer program (project/main.cpp).
set -euo pipefail

mode="$1"
jobs="${SEGLOG_JOBS:-2}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/seglog-consumer-test-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

step() { printf '\n--- %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*"; exit 1; }

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
  local src="$1" dest="$2" entry name
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

# The installation PREFIX holds: where its seglog.pc and libseglog are.
find_install() {
  prefix="$(cd "$1" && pwd)"
  [[ -f "$prefix/.complete" ]] || fail "no complete installation in $prefix (build the consumer_prefix target: ninja tests/consumer/prefix.stamp)"
  pc="$(find "$prefix" -name seglog.pc -print -quit)"
  [[ -n "$pc" ]] || fail "no seglog.pc under $prefix"
  pcdir="$(dirname "$pc")"
  libdir="$(dirname "$pcdir")"
}

case "$mode" in
  subproject)
    src="$(cd "$2" && pwd)"
    consumer_src="$(cd "$3" && pwd)"
    step "copy $src to $tmp/consumer/subprojects/seglog"
    cp -R "$consumer_src" "$tmp/consumer"
    copy_source "$src" "$tmp/consumer/subprojects/seglog"

    step "configure the consumer (seglog as a subproject)"
    meson setup "$tmp/build" "$tmp/consumer" --force-fallback-for=seglog \
      --buildtype=plain | tee "$tmp/setup.txt"
    grep -q "Dependency seglog found: YES .*(overridden)" "$tmp/build/meson-logs/meson-log.txt" \
      || fail "seglog did not come from the subproject"
    # The summary says what is really built: the library only.
    for line in 'tests *: NO' 'benchmarks *: NO' 'workload driver *: NO' 'fuzzing *: NO'; do
      grep -Eq "^ *$line\$" "$tmp/setup.txt" || fail "subproject summary lacks '$line'"
    done
    step "build"
    ninja -C "$tmp/build" -j "$jobs"
    step "run"
    "$tmp/build/consumer"
    ;;

  prefix)
    src="$(cd "$2" && pwd)"
    prefix="$3"
    stamp="$4"
    build_dir="$prefix-build"
    rm -rf "$prefix" "$build_dir" "$stamp"
    step "configure and build seglog alone (shared and static), prefix $prefix"
    meson setup "$build_dir" "$src" --prefix="$prefix" --wrap-mode=nofallback \
      --buildtype=plain -Ddefault_library=both -Dwerror=true \
      -Dtests=disabled -Dbenchmarks=disabled -Dtools=disabled
    ninja -C "$build_dir" -j "$jobs"
    step "install"
    meson install -C "$build_dir" --no-rebuild --quiet
    [[ -f "$prefix/include/seglog/seglog.hpp" && -f "$prefix/include/seglog/export.hpp" ]] \
      || fail "headers not installed in $prefix/include/seglog"
    if find "$prefix" -path '*detail*' -o -name '*.cpp' -o -name '*internal*' | grep -q .; then
      find "$prefix" -path '*detail*' -o -name '*.cpp' -o -name '*internal*'
      fail "private files installed"
    fi
    (cd "$prefix" && find . -type f -o -type l | sort)
    touch "$prefix/.complete"
    touch "$stamp"
    rm -rf "$build_dir"
    trap - EXIT
    rm -rf "$tmp"
    exit 0
    ;;

  meson_pkgconfig|pkgconfig_shared|pkgconfig_static|cmake|exports)
    find_install "$2"
    consumer_src="$(cd "$3" && pwd)"
    ;;

  *)
    echo "usage: see the top of $0" >&2
    exit 2
    ;;
esac

case "$mode" in
  meson_pkgconfig)
    echo "seglog.pc in $pcdir:"
    cat "$pc"
    step "configure the consumer (seglog through pkg-config only)"
    PKG_CONFIG_PATH="$pcdir" meson setup "$tmp/build" "$consumer_src" \
      --wrap-mode=nofallback --buildtype=plain -Dseglog_from=pkg-config
    step "build"
    ninja -C "$tmp/build" -j "$jobs"
    step "run"
    LD_LIBRARY_PATH="$libdir" "$tmp/build/consumer"
    # The binary found the installed library, not one from a build tree.
    LD_LIBRARY_PATH="$libdir" ldd "$tmp/build/consumer" | grep -F "$libdir/libseglog.so" \
      || fail "consumer is not linked to $libdir/libseglog.so"
    ;;

  pkgconfig_shared|pkgconfig_static)
    export PKG_CONFIG_PATH="$pcdir"
    step "seglog.pc"
    cat "$pc"
    # Dependencies by name: no path to one versioned shared object.
    if grep -E '/[^ ]*\.so(\.[0-9]+)*( |$)' "$pc"; then fail "seglog.pc names a shared object by path"; fi
    cflags="$(pkg-config --cflags seglog)"
    if [[ "$mode" == pkgconfig_shared ]]; then
      libs="$(pkg-config --libs seglog)"
      static=()
    else
      libs="$(pkg-config --static --libs seglog)"
      static=(-static)
    fi
    echo "cflags: $cflags"
    echo "libs:   $libs"
    step "compile and link the consumer ${static[*]}"
    # shellcheck disable=SC2086
    g++ -std=c++20 -Wall -Wextra -Werror "${static[@]}" $cflags "$consumer_src/main.cpp" \
      -o "$tmp/consumer" $libs
    if [[ "$mode" == pkgconfig_static ]]; then
      file "$tmp/consumer" 2>/dev/null || true
      if readelf -d "$tmp/consumer" | grep -q NEEDED; then
        readelf -d "$tmp/consumer" | grep NEEDED
        fail "the static consumer needs shared libraries"
      fi
      step "run (no shared library at all)"
      "$tmp/consumer"
    else
      LD_LIBRARY_PATH="$libdir" ldd "$tmp/consumer" | grep -F "$libdir/libseglog.so.0.1" \
        || fail "consumer is not linked to $libdir/libseglog.so.0.1"
      step "run"
      LD_LIBRARY_PATH="$libdir" "$tmp/consumer"
      # The C ABI from C: only seglog.h, a C compiler, the same flags.
      step "compile and link the C consumer (gcc -std=c11)"
      # shellcheck disable=SC2086
      gcc -std=c11 -Wall -Wextra -Werror -pedantic $cflags "$consumer_src/main.c" \
        -o "$tmp/c_consumer" $libs
      step "run the C consumer"
      LD_LIBRARY_PATH="$libdir" "$tmp/c_consumer"
    fi
    ;;

  cmake)
    if ! command -v cmake >/dev/null; then
      echo "SKIP: cmake is not installed (.ci/test's release stage installs it)"
      exit 77
    fi
    cmake_project="${SEGLOG_CONSUMER_CMAKE_PROJECT:-$consumer_src/../cmake}"
    [[ -f "$libdir/cmake/seglog/seglogConfig.cmake" && -f "$libdir/cmake/seglog/seglogConfigVersion.cmake" ]] \
      || fail "no CMake package in $libdir/cmake/seglog"
    # The consumer's CMakeLists.txt names ../project/main.cpp.
    mkdir -p "$tmp/src"
    cp -R "$cmake_project" "$tmp/src/cmake"
    cp -R "$consumer_src" "$tmp/src/project"
    for variant in shared static; do
      step "cmake: configure ($variant libseglog)"
      cmake -S "$tmp/src/cmake" -B "$tmp/build-$variant" -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" \
        -Dseglog_USE_STATIC_LIBS="$([[ $variant == static ]] && echo ON || echo OFF)"
      step "cmake: build ($variant)"
      cmake --build "$tmp/build-$variant" -j "$jobs" -- VERBOSE=1
      step "run ($variant)"
      if [[ "$variant" == shared ]]; then
        LD_LIBRARY_PATH="$libdir" ldd "$tmp/build-shared/consumer" | grep -F "$libdir/libseglog.so.0.1" \
          || fail "consumer is not linked to $libdir/libseglog.so.0.1"
      elif readelf -d "$tmp/build-static/consumer" | grep -q 'NEEDED.*libseglog'; then
        fail "the static variant links libseglog.so"
      fi
      LD_LIBRARY_PATH="$libdir" "$tmp/build-$variant/consumer"
    done
    step "cmake: a version this install does not satisfy is refused"
    sed 's/find_package(seglog 0.1 REQUIRED)/find_package(seglog 0.2 REQUIRED)/' \
      "$tmp/src/cmake/CMakeLists.txt" >"$tmp/src/cmake/CMakeLists.txt.new"
    mv "$tmp/src/cmake/CMakeLists.txt.new" "$tmp/src/cmake/CMakeLists.txt"
    if cmake -S "$tmp/src/cmake" -B "$tmp/build-wrong" -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/wrong.txt" 2>&1; then
      cat "$tmp/wrong.txt"
      fail "find_package(seglog 0.2) accepted seglog 0.1"
    fi
    grep -F 'version: 0.1' "$tmp/wrong.txt" || true
    ;;

  exports)
    lib="$(find "$libdir" -maxdepth 1 -name 'libseglog.so.*.*.*' -print -quit)"
    [[ -n "$lib" ]] || fail "no libseglog.so.X.Y.Z in $libdir"
    step "soname of $lib"
    soname="$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')"
    echo "SONAME $soname"
    [[ "$soname" == libseglog.so.0.1 ]] || fail "soname $soname, want libseglog.so.0.1 (README: 0.x carries the minor version)"
    step "exported symbols (nm -D --defined-only, demangled)"
    nm -D --defined-only -C "$lib" | cut -d' ' -f3- | sort -u >"$tmp/symbols"
    # The name a symbol defines: "typeinfo for X" -> X, a function's name
    # without its parameter list (which may well mention boost:: or
    # seglog::detail:: types: that is not an export of theirs).
    sed -E 's/^(typeinfo name for|typeinfo for|vtable for|VTT for|construction vtable for|non-virtual thunk to|virtual thunk to|guard variable for) //; s/\(.*$//' \
      "$tmp/symbols" >"$tmp/names"
    total="$(wc -l <"$tmp/symbols")"
    # The C ABI: plain names seglog_*, exactly the functions seglog.h
    # declares.
    grep -E '^seglog_[a-z0-9_]+$' "$tmp/names" | sort -u >"$tmp/c_exported" || true
    header="$prefix/include/seglog/seglog.h"
    [[ -f "$header" ]] || fail "seglog.h not installed in $prefix/include/seglog"
    grep -oE '\bseglog_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u >"$tmp/c_declared"
    c_count="$(wc -l <"$tmp/c_exported")"
    echo "C ABI: $c_count functions exported, $(wc -l <"$tmp/c_declared") declared by seglog.h"
    if ! diff "$tmp/c_declared" "$tmp/c_exported"; then
      fail "the exported C functions differ from seglog.h's (< declared only, > exported only)"
    fi
    detail="$(grep -c '^seglog::detail::' "$tmp/names" || true)"
    boost="$(grep -c '^boost::' "$tmp/names" || true)"
    other="$(grep -Evc '^(seglog::|seglog_[a-z0-9_]+$)' "$tmp/names" || true)"
    echo "exported: $total symbols; seglog::detail: $detail; boost: $boost; outside seglog:: and the C ABI: $other"
    if ((detail > 0 || boost > 0 || other > 0)); then
      paste "$tmp/names" "$tmp/symbols" | grep -Ev '^(seglog::[^\t]|seglog_[a-z0-9_]+\t)' || true
      grep -E '^(seglog::detail::|boost::)' "$tmp/names" || true
      fail "libseglog.so exports symbols outside its API"
    fi
    # And the API is there (a consumer linked against it ran above).
    for want in 'seglog::SegmentedStorage::open(seglog::Options)' 'seglog::error_category()' \
                'typeinfo for seglog::Storage' 'seglog_open' 'seglog_append'; do
      grep -qF "$want" "$tmp/symbols" || fail "missing export: $want"
    done
    ;;
esac
echo "consumer ($mode): OK"
