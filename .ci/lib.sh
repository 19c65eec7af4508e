# shellcheck shell=bash
# .ci/lib.sh — shared by .ci/demo and .ci/test (sourced, not run): where
# the source tree is, the Debian packages seglog needs and how they are
# installed, and how a build directory is configured and built.
#
# Environment:
#   SEGLOG_BUILD_DIR  base name of the build directories (default: build;
#                     the sanitizer builds add a suffix: build-asan, ...)
#   SEGLOG_JOBS       parallel compile jobs (default: 2)

SEGLOG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SEGLOG_BUILD_DIR="${SEGLOG_BUILD_DIR:-build}"
SEGLOG_JOBS="${SEGLOG_JOBS:-2}"

# Debian bookworm packages for building and testing seglog (TOOLCHAIN.md §0).
# g++ brings the ASan, UBSan and TSan runtimes; meson brings python3;
# libcli11-dev is the seglog tool's argument parser (header-only).
SEGLOG_PACKAGES=(
  meson ninja-build pkg-config g++
  libboost1.81-dev libboost-json1.81-dev libxxhash-dev
  catch2 libbenchmark-dev
  libcli11-dev
)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ensure_packages PKG...: installs those not installed yet, with apt-get
# and no recommends; does nothing (and needs no root) when all are there.
ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != *"ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo: apt-get install ${missing[*]}"
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
}

ensure_deps() { ensure_packages "${SEGLOG_PACKAGES[@]}"; }

# The aarch64 cross toolchain, qemu-user and seglog's dependencies for
# arm64 from Debian's multiarch archive (TOOLCHAIN.md §10; ~2 min the
# first time). qemu runs the tests with libc6:arm64's loader and libc
# (.ci/aarch64.ini says why not the cross toolchain's). Catch2 is header-only: the native package serves. Returns
# non-zero when they cannot be installed (no root, no network): the caller
# skips its stage.
SEGLOG_ARM64_PACKAGES=(
  g++-aarch64-linux-gnu qemu-user libc6:arm64 libstdc++6:arm64
  libboost1.81-dev:arm64 libboost-json1.81-dev:arm64 libxxhash-dev:arm64
)
ensure_arm64() {
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || { log "not root and no sudo"; return 1; }
    sudo=(sudo)
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    log "dpkg --add-architecture arm64"
    "${sudo[@]}" dpkg --add-architecture arm64 || return 1
    # The package lists of the new architecture are fetched below.
    "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q || return 1
  fi
  ensure_packages "${SEGLOG_ARM64_PACKAGES[@]}"
}

# configure DIR [VAR=value...] [meson setup args...]: sets up DIR (or
# reconfigures it with these options when it exists), system dependencies
# only (--wrap-mode=nofallback: a missing package fails here, loudly).
# Leading VAR=value words are put in setup's environment (e.g. CXX=...).
configure() {
  local dir="$1"
  shift
  local setup_env=()
  while (($# > 0)) && [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
    setup_env+=("$1")
    shift
  done
  local args=(--wrap-mode=nofallback "$@")
  if [[ -f "$dir/meson-private/coredata.dat" ]]; then
    env "${setup_env[@]}" meson setup --reconfigure "$dir" "$SEGLOG_ROOT" "${args[@]}"
  else
    env "${setup_env[@]}" meson setup "$dir" "$SEGLOG_ROOT" "${args[@]}"
  fi
}

# build DIR [TARGET...]
build() {
  local dir="$1"
  shift
  ninja -C "$dir" -j "$SEGLOG_JOBS" "$@"
}

# quietly CMD...: runs CMD with its output kept back, shown only if it fails.
quietly() {
  local out
  if ! out="$("$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
}
