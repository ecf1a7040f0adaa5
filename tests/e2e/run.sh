#!/usr/bin/env bash
# Runs the end-to-end test against the real app window: a scratch clinic set up with the CLI,
# then (when scripts/postgres started a server) a desk joined to the clinic's server,
# Xvfb, a D-Bus session with an unlocked keyring, the OAuth test peer, Prism serving Zoom's
# published API description as Zoom's API, a real SMTP server (aiosmtpd on 127.0.0.1, writing a
# Maildir) as the clinic's mail server, tauri-driver with WebKitWebDriver, and the built app
# (embedded UI).
# Expects target/debug/frontdesk (tauri build --debug --no-bundle), target/debug/frontdesk-cli
# (under $CARGO_TARGET_DIR instead of target/ when that is set, as cargo and tauri put them),
# tauri-driver on PATH, .venv with selenium and aiosmtpd, tests/peers/node_modules with Prism (scripts/setup
# installs them), and Zoom's description in tests/specs.
# E2E_ONLY=desk|server|screens runs one stage alone (desk.py; server.py, the clinic's server going
# away and back; screens.py, the demo clinic at two window sizes).
set -euo pipefail
cd "$(dirname "$0")/../.."
# One private D-Bus session with an unlocked keyring for everything: the command line that sets
# the clinic up and the app both keep the database's key (and the tokens) there.
if [[ "${FRONTDESK_IN_SESSION:-}" != 1 ]]; then
  exec scripts/session "$PWD/tests/e2e/run.sh" "$@"
fi
out=target/e2e
mkdir -p "$out"
scratch=$(mktemp -d)
export FRONTDESK_DATA_DIR="$scratch/data" HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/share"
mkdir -p "$HOME"
# The built binaries, where cargo put them.
export E2E_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug"
cli=$E2E_BIN/frontdesk-cli
tz=America/Toronto
$cli init --clinic "Maple Street Clinic" --tz $tz >/dev/null
echo 135790 | $cli staff add --name "Eli Admin" --role admin --pin - >/dev/null
echo 246802 | $cli staff add --name "Dana Desk" --role receptionist --pin - >/dev/null
echo 111111 | $cli staff add --name "Dr Ada Lee" --role doctor --pin - >/dev/null
echo 222222 | $cli staff add --name "Dr Ben Roy" --role doctor --pin - >/dev/null
$cli patient add --name "Jane Doe" --phone "416 555 0100" >/dev/null
$cli patient add --name "Sam Roe" --email "sam.roe@example.org" >/dev/null
$cli type add --name "Consult" --minutes 30 --mode zoom >/dev/null
$cli type add --name "Visit in person" --minutes 30 --mode in-person >/dev/null
$cli patient add --name "Tom Nguyen" --phone "416 555 0142" >/dev/null
$cli type add --name "Telehealth" --minutes 15 --mode zoom >/dev/null

# The clinic's mail server: aiosmtpd on 127.0.0.1 (plain SMTP is allowed only there), keeping
# each message it accepts in a Maildir that desk.py reads.
smtp_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export E2E_MAILDIR="$scratch/maildir"
.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$E2E_MAILDIR" >"$out/smtp.log" 2>&1 &
smtp=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null && break; sleep 0.1; done
$cli config set smtp.host 127.0.0.1 >/dev/null
$cli config set smtp.port "$smtp_port" >/dev/null
$cli config set smtp.security none >/dev/null
$cli config set smtp.from desk@maple.example >/dev/null

# The OAuth test peer stands in for Zoom's sign-in (see tests/peers/oauth-server.mjs), and a
# stand-in system browser (tests/e2e/browser.py, as xdg-open) approves the sign-in there.
node tests/peers/oauth-server.mjs >"$scratch/peer.json" 2>"$out/oauth-peer.log" &
peer=$!
: >"$out/browser.log"
for _ in $(seq 300); do [ -s "$scratch/peer.json" ] && break; sleep 0.1; done
zoom=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["zoom"])' "$scratch/peer.json")
$cli config set zoom.auth_base "$zoom" >/dev/null
$cli config set zoom.client_id zoom-public >/dev/null

# Zoom's API: Prism on Zoom's own description, patched to answer as Zoom does today
# (tests/e2e/zoom_description.py). It matches paths without the description's basePath (/v2),
# so the API base is Prism's root: the app asks for /users/me, /users/me/meetings, /meetings/{id}.
specs=tests/specs
python3 tests/e2e/zoom_description.py "$specs/zoom-api-2021.openapi.v2.json" "$scratch/zoom-api.json"
prism_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
NO_COLOR=1 tests/peers/node_modules/.bin/prism mock -h 127.0.0.1 -p "$prism_port" "$scratch/zoom-api.json" >"$out/prism.log" 2>&1 &
prism=$!
for _ in $(seq 150); do grep -q "Prism is listening" "$out/prism.log" && break; sleep 0.2; done
grep -q "Prism is listening" "$out/prism.log" || { echo "Prism did not start: see $out/prism.log" >&2; kill $prism $peer $smtp; exit 1; }
$cli config set zoom.api_base "http://127.0.0.1:$prism_port" >/dev/null
mkdir -p "$scratch/bin"
printf '#!/bin/sh\nexec "%s" "%s" "$@" >>"%s" 2>&1\n' "$PWD/.venv/bin/python" "$PWD/tests/e2e/browser.py" "$PWD/$out/browser.log" >"$scratch/bin/xdg-open"
chmod +x "$scratch/bin/xdg-open"
export PATH="$scratch/bin:$PATH"

display=":$(( 90 + RANDOM % 9 ))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >"$out/xvfb.log" 2>&1 &
xvfb=$!
# The app's own log files (one per data folder) are kept with the run's, which the test command
# scans for tokens and secrets.
keep_app_logs() {
  for f in "$scratch"/data*/logs/frontdesk.log; do
    [ -f "$f" ] && cp "$f" "$out/app-$(basename "${f%/logs/frontdesk.log}").log"
  done
  return 0
}
trap 'keep_app_logs; kill $xvfb $peer $prism $smtp 2>/dev/null || true; rm -rf "$scratch"' EXIT
export DISPLAY=$display
sleep 1
# In the private session (see the top); a shell of its own for the WebDriver runs.
bash -c '
  # tauri-driver answers before the WebKitWebDriver it starts listens: a session asked for in
  # between is refused ("tcp connect error"). Both ports, up to 10 s.
  wait_for_driver() {
    for port in "$@"; do
      for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    done
  }
  # The desk'"'"'s computer is set to another zone than the clinic'"'"'s (Tokyo, Toronto).
  status=0
  if [ "${E2E_ONLY:-desk}" = desk ]; then
  TZ=Asia/Tokyo tauri-driver --port 4444 --native-driver /usr/bin/WebKitWebDriver >"'"$out"'/tauri-driver.log" 2>&1 &
  driver=$!
  wait_for_driver 4444 4445
  .venv/bin/python tests/e2e/desk.py "$E2E_BIN/frontdesk" "$E2E_BIN/frontdesk-cli" "'"$out"'"
  status=$?
  kill $driver 2>/dev/null || true
  fi
  if [ $status -eq 0 ] && [ -n "${FRONTDESK_TEST_POSTGRES:-}" ] && [ "${E2E_ONLY:-server}" = server ]; then
    # A desk on the clinic'"'"'s server (scripts/postgres started one): its own data folder and
    # a database of its own, set up with the command-line twin; its own WebDriver server, which
    # starts the app with the server'"'"'s address.
    db="e2e$$"
    psql -q "$FRONTDESK_TEST_POSTGRES" -c "CREATE DATABASE $db"
    export FRONTDESK_DATABASE_URL="${FRONTDESK_TEST_POSTGRES%/*}/$db" FRONTDESK_DATA_DIR="$FRONTDESK_DATA_DIR-server"
    cli=$E2E_BIN/frontdesk-cli
    $cli init --clinic "Maple Street Clinic" --tz America/Toronto >/dev/null
    echo 135790 | $cli staff add --name "Eli Admin" --role admin --pin - >/dev/null
    echo 246802 | $cli staff add --name "Dana Desk" --role receptionist --pin - >/dev/null
    echo 111111 | $cli staff add --name "Dr Ada Lee" --role doctor --pin - >/dev/null
    $cli patient add --name "Tom Nguyen" >/dev/null
    $cli type add --name "Visit in person" --minutes 30 --mode in-person >/dev/null
    # The app reaches the server through a cable server.py holds on this port (and cuts).
    cable=$(python3 -c "import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")
    export FRONTDESK_DIRECT_URL="$FRONTDESK_DATABASE_URL"
    export FRONTDESK_DATABASE_URL=$(echo "$FRONTDESK_DIRECT_URL" | sed -E "s/:[0-9]+\//:$cable\//")
    tauri-driver --port 4446 --native-port 4447 --native-driver /usr/bin/WebKitWebDriver >"'"$out"'/tauri-driver-server.log" 2>&1 &
    driver=$!
    wait_for_driver 4446 4447
    .venv/bin/python tests/e2e/server.py "$E2E_BIN/frontdesk" "$E2E_BIN/frontdesk-cli" "'"$out"'" http://127.0.0.1:4446
    status=$?
    kill $driver 2>/dev/null || true
  fi
  if [ $status -eq 0 ] && [ "${E2E_ONLY:-screens}" = screens ]; then
    # The desk on the demo clinic at 1280x800 and 1024x700: screenshots, and no clipped text.
    unset FRONTDESK_DATABASE_URL
    export FRONTDESK_DATA_DIR="$FRONTDESK_DATA_DIR-demo"
    CARGO_TARGET_DIR="${E2E_BIN%/debug}" scripts/demo-clinic >/dev/null
    tauri-driver --port 4448 --native-port 4449 --native-driver /usr/bin/WebKitWebDriver >"'"$out"'/tauri-driver-screens.log" 2>&1 &
    driver=$!
    wait_for_driver 4448 4449
    E2E_APP="$E2E_BIN/frontdesk" .venv/bin/python tests/e2e/screens.py http://127.0.0.1:4448 "'"$out"'"
    status=$?
    kill $driver 2>/dev/null || true
  fi
  exit $status
'
echo "e2e: screenshots in $out"
