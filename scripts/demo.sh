#!/usr/bin/env bash
# Sets up, builds and runs snapq's main job: `snapq demo`.
# Usage: scripts/demo.sh [snapq demo options...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh && scripts/build.sh && exec build/snapq demo "$@"
