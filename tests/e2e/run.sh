#!/usr/bin/env bash
# Runs the end-to-end test against the real app window: a scratch clinic set up with the CLI,
# Xvfb, a D-Bus session, tauri-driver with WebKitWebDriver, and the built app (embedded UI).
# Expects target/debug/frontdesk (tauri build --debug --no-bundle), target/debug/frontdesk-cli,
# tauri-driver on PATH and .venv with selenium (scripts/setup installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/e2e
mkdir -p "$out"
scratch=$(mktemp -d)
export FRONTDESK_DATA_DIR="$scratch/data" HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/share"
mkdir -p "$HOME"
cli=target/debug/frontdesk-cli
tz=America/Toronto
$cli init --clinic "Maple Street Clinic" --tz $tz >/dev/null
$cli staff add --name "Eli Admin" --role admin --pin 1357 >/dev/null
$cli staff add --name "Dana Desk" --role receptionist --pin 2468 >/dev/null
$cli staff add --name "Dr Ada Lee" --role doctor --pin 1111 >/dev/null
$cli staff add --name "Dr Ben Roy" --role doctor --pin 2222 >/dev/null
$cli patient add --name "Jane Doe" --phone "416 555 0100" >/dev/null
$cli patient add --name "Sam Roe" >/dev/null
$cli type add --name "Consult" --minutes 30 --mode zoom >/dev/null

display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true; rm -rf "$scratch"' EXIT
export DISPLAY=$display
sleep 1
dbus-run-session -- bash -c '
  tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >"'"$out"'/tauri-driver.log" 2>&1 &
  driver=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  .venv/bin/python tests/e2e/desk.py "$PWD/target/debug/frontdesk" "$PWD/target/debug/frontdesk-cli" "'"$out"'"
  status=$?
  kill $driver 2>/dev/null || true
  exit $status
'
echo "e2e: screenshots in $out"
