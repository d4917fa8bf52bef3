#!/usr/bin/env bash
# Runs the admin UI's browser tests (ui_test.mjs) against a `snapq demo`.
# Usage: tests/e2e/run.sh SNAPQ_BINARY SCREENSHOT_DIR
# Fails (never skips) when node, npm or Debian's chromium is missing:
# scripts/setup.sh installs them. Installs playwright-core from the lockfile
# (npm ci) when node_modules is missing or older than the lockfile.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[[ $# -eq 2 ]] || { echo "usage: $0 SNAPQ_BINARY SCREENSHOT_DIR" >&2; exit 2; }
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
[[ -x /usr/bin/chromium ]] || { echo "e2e: /usr/bin/chromium is missing (scripts/setup.sh installs Debian's chromium)" >&2; exit 1; }

# One install at a time, even when two builds run their tests at once.
exec 9>"$HERE/.npm-lock"
flock 9
if [[ ! -f $HERE/node_modules/playwright-core/package.json || $HERE/package-lock.json -nt $HERE/node_modules/.package-lock.json ]]; then
  (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) || { echo "e2e: npm ci failed (output above)" >&2; exit 1; }
fi
flock -u 9

SNAPQ_BIN="$1" SNAPQ_E2E_SCREENSHOTS="$2" exec node "$HERE/ui_test.mjs"
