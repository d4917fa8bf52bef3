#!/usr/bin/env bash
# Installs the Debian 12 packages snapq needs to build and test.
# Idempotent: prints nothing and touches nothing when every package is present.
# Usage: scripts/setup.sh
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build ccache pkg-config
  libsqlite3-dev sqlite3
  libpq-dev postgresql-15
  libsodium-dev
  nlohmann-json3-dev
  libcli11-dev
  libboost-dev libcurl4-openssl-dev libssl-dev
  libyaml-cpp-dev
  libgtest-dev libgmock-dev googletest
  # The live tests' real services (scripts/pdns.sh, scripts/json-server.sh). npm is not
  # listed: NodeSource's nodejs carries its own (and conflicts with Debian's npm);
  # scripts/json-server.sh installs Debian's npm where the `npm` command is missing.
  pdns-server pdns-backend-sqlite3 bind9-dnsutils curl nodejs
  # HTTP load generator for bench/http_bench.sh.
  wrk
  # The admin UI's browser tests (tests/e2e): playwright-core drives this Chromium.
  chromium
)

installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: apt-get not found; snapq's setup expects Debian 12. Install: ${missing[*]}" >&2
  exit 1
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "setup: missing packages and not root (no sudo). As root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
fi

echo "setup: installing ${missing[*]}"
start=$SECONDS
log=$(mktemp "${TMPDIR:-/tmp}/snapq-setup.XXXXXX")
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq &&
       "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: apt-get failed (output above)" >&2
  exit 1
fi

still=()
for pkg in "${missing[@]}"; do
  installed "$pkg" || still+=("$pkg")
done
if [[ ${#still[@]} -gt 0 ]]; then
  cat "$log" >&2
  echo "setup: still missing after apt-get: ${still[*]}" >&2
  exit 1
fi
echo "setup: installed ${#missing[@]} package(s) in $((SECONDS - start)) s"
