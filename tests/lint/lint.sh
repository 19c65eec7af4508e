#!/usr/bin/env bash
# tests/lint/lint.sh — the lint suite's one script.
#   lint.sh format CLANG_FORMAT SOURCE_ROOT
#     every C++ file (and C file: the C ABI's header and tests) git knows in
#     src, include, tests, bench and tools is already formatted as
#     .clang-format says (prints the first differences).
#   lint.sh tidy CLANG_TIDY SOURCE_ROOT BUILD_ROOT
#     every .cpp in src passes .clang-tidy's checks (with the build's
#     compile_commands.json), two files at a time.
set -euo pipefail
mode="$1" tool="$2" root="$3"
cd "$root"
files() { git ls-files "$@" 2>/dev/null || true; }
case "$mode" in
  format)
    mapfile -t sources < <(files 'src/*.cpp' 'src/*.hpp' 'include/*.hpp' 'include/*.h' \
      'tests/*.cpp' 'tests/*.hpp' 'tests/*.c' 'bench/*.cpp' 'bench/*.hpp' 'tools/*.cpp' 'tools/*.hpp')
    ((${#sources[@]} > 0)) || { echo "no sources known to git: not a checkout, skipped"; exit 77; }
    "$tool" --dry-run --Werror "${sources[@]}"
    echo "clang-format: ${#sources[@]} files formatted as .clang-format says"
    ;;
  tidy)
    build="$4"
    mapfile -t sources < <(files 'src/*.cpp')
    ((${#sources[@]} > 0)) || { echo "no sources known to git: not a checkout, skipped"; exit 77; }
    printf '%s\n' "${sources[@]}" | xargs -P 2 -n 6 "$tool" -p "$build" --quiet
    echo "clang-tidy: ${#sources[@]} files of src pass .clang-tidy"
    ;;
  *) echo "usage: lint.sh format|tidy TOOL SOURCE_ROOT [BUILD_ROOT]" >&2; exit 2 ;;
esac
