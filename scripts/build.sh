#!/usr/bin/env bash
# Configures and builds snapq with CMake + Ninja, warnings as errors.
# Usage: scripts/build.sh [BUILD_DIR] [extra cmake args...]
#   BUILD_DIR defaults to build/ (relative to the repository root).
#   e.g. scripts/build.sh build-asan -DSNAPQ_SANITIZE=address,undefined -DSNAPQ_BUILD_BENCH=OFF
# Environment: SNAPQ_BUILD_JOBS (default: nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUILD_DIR=build
if [[ $# -gt 0 && "$1" != -* ]]; then
  BUILD_DIR=$1
  shift
fi
JOBS=${SNAPQ_BUILD_JOBS:-$(nproc)}

# A build directory made by another generator cannot be reused by Ninja.
if [[ -f "$BUILD_DIR/CMakeCache.txt" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$BUILD_DIR/CMakeCache.txt"; then
  echo "build: $BUILD_DIR was configured with another generator; reconfiguring it for Ninja"
  rm -rf "$BUILD_DIR/CMakeCache.txt" "$BUILD_DIR/CMakeFiles"
fi

start=$SECONDS
echo "build: configuring $BUILD_DIR${*:+ ($*)}"
mkdir -p "$BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSNAPQ_WERROR=ON \
  "$@" >"$BUILD_DIR/configure.log" 2>&1 || {
  cat "$BUILD_DIR/configure.log" >&2
  echo "build: cmake configure of $BUILD_DIR failed" >&2
  exit 1
}

echo "build: compiling in $BUILD_DIR with $JOBS jobs"
if ! cmake --build "$BUILD_DIR" -j "$JOBS"; then
  echo "build: build of $BUILD_DIR failed" >&2
  exit 1
fi
echo "build: $BUILD_DIR ready in $((SECONDS - start)) s"
