#!/usr/bin/env bash
# The Debian package, as a clinic's Linux desk gets it: built by Tauri's deb bundler (from the
# debug build the end-to-end run already made: the same bundler, files and dependencies as the
# release package, in seconds), installed with dpkg, which fails on any declared dependency the
# machine lacks, then /usr/bin/frontdesk started under Xvfb on an empty data folder until the
# first-start screen is painted, and its log file read. The package is removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
started=$(date +%s)

ui/node_modules/.bin/tauri build --debug --bundles deb
deb=$(ls -t "${CARGO_TARGET_DIR:-target}"/debug/bundle/deb/*.deb | head -n 1)
name=$(dpkg-deb --field "$deb" Package)
echo "deb: $(basename "$deb"): $(dpkg-deb --field "$deb" Depends)"
$SUDO dpkg -i "$deb"
trap '$SUDO dpkg -r "$name" >/dev/null' EXIT
test -x /usr/bin/frontdesk
grep -q 'MimeType=.*x-scheme-handler/frontdesk' /usr/share/applications/Frontdesk.desktop

scratch=$(mktemp -d)
display=":$(( 70 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
app=""
trap 'kill -- -$app $xvfb 2>/dev/null || true; rm -rf "$scratch"; $SUDO dpkg -r "$name" >/dev/null' EXIT
sleep 1
DISPLAY=$display FRONTDESK_DATA_DIR="$scratch/data" HOME="$scratch" \
  setsid scripts/session /usr/bin/frontdesk >"$scratch/app.log" 2>&1 &
app=$!
for _ in $(seq 1 120); do
  grep -q "painted setup" "$scratch/app.log" && break
  kill -0 $app 2>/dev/null || break
  sleep 0.5
done
if ! grep "painted setup" "$scratch/app.log"; then
  cat "$scratch/app.log"; echo "deb: the installed app did not show the first-start screen"; exit 1
fi
# The log file, where README says it is (in the data folder's logs when FRONTDESK_DATA_DIR is set).
log="$scratch/data/logs/frontdesk.log"
if ! grep -q "screen painted" "$log" 2>/dev/null; then
  ls -R "$scratch/data" || true; echo "deb: the installed app wrote no log file at $log"; exit 1
fi
# Kept with the run's logs, which the test command scans for tokens and secrets.
[ -d target/test-logs ] && cp "$log" target/test-logs/deb-app.log
echo "deb stage: $(( $(date +%s) - started )) s"
