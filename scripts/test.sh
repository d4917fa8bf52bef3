#!/usr/bin/env bash
# Sets up, builds and runs snapq's whole test suite.
# Usage: scripts/test.sh [--sanitizers]
#   (default)      setup, build in build/, ctest there
#   --sanitizers   also build build-asan (ASan+UBSan) and run every test there, and
#                  build build-tsan (TSan) and run the queue/store tests there (what CI runs)
# Environment: SNAPQ_TEST_JOBS (ctest parallelism, default 2), SNAPQ_BUILD_JOBS (see build.sh).
# PostgreSQL: a throwaway server (scripts/pg.sh) runs for the whole test run and is stopped
# at exit; its URL is exported as SNAPQ_TEST_POSTGRES_URL for the postgres tests, which fail
# (never skip) when it could not start.
# Exits non-zero when any stage fails; a summary of every stage is printed at the end.
# shellcheck disable=SC2317  # functions run through stage() look unreachable to shellcheck
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

usage() { sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

SANITIZERS=0
for arg in "$@"; do
  case "$arg" in
    --sanitizers) SANITIZERS=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "test: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

TEST_JOBS=${SNAPQ_TEST_JOBS:-2}
TSAN_TESTS='Queue|Store|Engine|Worker|Conformance|Postgres|Http|Sim|Rest|Leader'
# A test run that finds no tests is a failure, not a pass.
CTEST=(ctest --output-on-failure --no-tests=error)

NAMES=()
RESULTS=()
TIMES=()
FAILED=0
TOTAL_START=$SECONDS

# stage NAME COMMAND...: runs one stage and records its result and duration.
stage() {
  local name=$1
  shift
  local start=$SECONDS
  echo
  echo "==> $name"
  if "$@"; then
    RESULTS+=(pass)
  else
    RESULTS+=(FAIL)
    FAILED=1
  fi
  NAMES+=("$name")
  TIMES+=($((SECONDS - start)))
  [[ ${RESULTS[-1]} == pass ]]
}

skip() {
  NAMES+=("$1")
  RESULTS+=("skipped ($2)")
  TIMES+=(0)
}

summary() {
  local total=$((SECONDS - TOTAL_START))
  echo
  echo "==== snapq test summary ===="
  for i in "${!NAMES[@]}"; do
    printf '  %-12s %-28s %5d s\n' "${NAMES[$i]}" "${RESULTS[$i]}" "${TIMES[$i]}"
  done
  printf '  %-12s %-28s %5d s\n' total "$([[ $FAILED -eq 0 ]] && echo pass || echo FAIL)" "$total"
}

toolchain() {
  echo "g++:   $(g++ --version | head -n 1)"
  echo "cmake: $(cmake --version | head -n 1)"
  echo "ninja: $(ninja --version)"
}

# TSan in GCC 12 cannot map its shadow memory when the kernel randomizes mmap with
# more than 28 bits; running without address randomization avoids that.
no_aslr() {
  local bits
  bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28)
  if [[ $bits -gt 28 ]] && setarch "$(uname -m)" -R true 2>/dev/null; then
    setarch "$(uname -m)" -R "$@"
  else
    "$@"
  fi
}

run_asan_tests() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "${CTEST[@]}" --test-dir build-asan -j "$TEST_JOBS"
}

run_tsan_tests() {
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    no_aslr "${CTEST[@]}" --test-dir build-tsan -R "$TSAN_TESTS"
}

if ! stage setup scripts/setup.sh; then
  summary
  exit 1
fi
toolchain

# A throwaway PostgreSQL for the postgres driver's tests, on a unix socket in its own
# directory (no TCP port to collide with another run). Stopped at exit, whatever happens.
PG_DIR=""
stop_postgres() {
  [[ -n $PG_DIR ]] || return 0
  scripts/pg.sh stop "$PG_DIR" || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT
start_postgres() {
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/snapq-test-pg.XXXXXX") || return 1
  local url
  url=$(scripts/pg.sh start "$PG_DIR") || { echo "test: PostgreSQL did not start (reason above)" >&2; return 1; }
  export SNAPQ_TEST_POSTGRES_URL=$url
  # Tests that restart a server start their own with this script (restarting the
  # shared one would cut off the tests running beside them).
  export SNAPQ_TEST_PG_DIR=$PG_DIR SNAPQ_TEST_PG_SCRIPT="$ROOT/scripts/pg.sh"
  echo "SNAPQ_TEST_POSTGRES_URL=$url"
}
stage postgres start_postgres

# The real services of tests/live (scripts/pdns.sh, scripts/json-server.sh), each in a
# throwaway directory on loopback, stopped at exit. A taken port moves to the next one,
# so two runs on one machine do not collide. Their URLs go to the tests in SNAPQ_TEST_*;
# the live tests fail (never skip) when a variable is missing.
PDNS_DIR=""
JSON_SERVER_DIR=""
stop_live_services() {
  [[ -z $PDNS_DIR ]] || { scripts/pdns.sh stop "$PDNS_DIR" || true; rm -rf "$PDNS_DIR"; }
  [[ -z $JSON_SERVER_DIR ]] || { scripts/json-server.sh stop "$JSON_SERVER_DIR" || true; rm -rf "$JSON_SERVER_DIR"; }
}
trap 'stop_postgres; stop_live_services' EXIT
start_pdns() {
  local api_port=${SNAPQ_TEST_PDNS_API_PORT:-18081} dns_port=${SNAPQ_TEST_PDNS_DNS_PORT:-15353} out i rc
  PDNS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/snapq-test-pdns.XXXXXX") || return 1
  for i in 0 1 2 3 4 5 6 7 8 9; do
    out=$(scripts/pdns.sh start "$PDNS_DIR" $((api_port + i)) $((dns_port + i)))
    rc=$?
    if [[ $rc -eq 0 ]]; then
      read -r SNAPQ_TEST_PDNS_URL SNAPQ_TEST_PDNS_KEY SNAPQ_TEST_PDNS_DNS_PORT <<<"$out"
      export SNAPQ_TEST_PDNS_URL SNAPQ_TEST_PDNS_KEY SNAPQ_TEST_PDNS_DNS_PORT SNAPQ_TEST_PDNS_DIR=$PDNS_DIR
      echo "SNAPQ_TEST_PDNS_URL=$SNAPQ_TEST_PDNS_URL SNAPQ_TEST_PDNS_DNS_PORT=$SNAPQ_TEST_PDNS_DNS_PORT"
      return 0
    fi
    [[ $rc -eq 3 ]] || break  # only a taken port is worth another try
  done
  echo "test: PowerDNS did not start (reason above)" >&2
  return 1
}
start_json_server() {
  local port=${SNAPQ_TEST_JSON_SERVER_PORT:-13000} url i rc
  JSON_SERVER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/snapq-test-json-server.XXXXXX") || return 1
  for i in 0 1 2 3 4 5 6 7 8 9; do
    url=$(scripts/json-server.sh start "$JSON_SERVER_DIR" $((port + i)))
    rc=$?
    if [[ $rc -eq 0 ]]; then
      export SNAPQ_TEST_JSON_SERVER_URL=$url
      echo "SNAPQ_TEST_JSON_SERVER_URL=$url"
      return 0
    fi
    [[ $rc -eq 3 ]] || break  # only a taken port is worth another try
  done
  echo "test: json-server did not start (reason above)" >&2
  return 1
}
stage pdns start_pdns
stage json-server start_json_server

if stage build scripts/build.sh build; then
  stage test "${CTEST[@]}" --test-dir build -j "$TEST_JOBS"
else
  skip test "build failed"
fi

if [[ $SANITIZERS -eq 1 ]]; then
  if stage build-asan scripts/build.sh build-asan -DSNAPQ_SANITIZE=address,undefined -DSNAPQ_BUILD_BENCH=OFF; then
    stage test-asan run_asan_tests
  else
    skip test-asan "build failed"
  fi
  if stage build-tsan scripts/build.sh build-tsan -DSNAPQ_SANITIZE=thread -DSNAPQ_BUILD_BENCH=OFF; then
    stage test-tsan run_tsan_tests
  else
    skip test-tsan "build failed"
  fi
fi

summary
exit $FAILED
