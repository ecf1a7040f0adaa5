#!/usr/bin/env bash
# The Windows stage of the test command: the whole workspace linted for Windows
# (x86_64-pc-windows-gnu; warnings are errors, so Windows-only code cannot rot unseen), then
# frontdesk-cli.exe cross-built and its smoke test run under Wine (tests/windows/smoke.py).
# It builds in a target folder of its own so that it can run beside the other stages.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/windows"
started=$(date +%s)

cargo clippy --locked --target x86_64-pc-windows-gnu --workspace --all-targets -- -D warnings
checked=$(date +%s)
echo "windows check: $(( checked - started )) s"

scripts/package windows-cli --debug
# Debian's Wine 8 lacks bcryptprimitives.dll (see bcryptprimitives.c); a stand-in for the test.
x86_64-w64-mingw32-gcc -O2 -shared -o "$CARGO_TARGET_DIR/bcryptprimitives.dll" \
  tests/windows/bcryptprimitives.c tests/windows/bcryptprimitives.def -ladvapi32
built=$(date +%s)
echo "windows build: $(( built - checked )) s"

python3 tests/windows/smoke.py "$CARGO_TARGET_DIR/package/windows/frontdesk-cli.exe" \
  "$CARGO_TARGET_DIR/bcryptprimitives.dll"
echo "windows stage: $(( $(date +%s) - started )) s"
