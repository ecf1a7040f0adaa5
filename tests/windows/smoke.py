#!/usr/bin/env python3
"""The Windows build of frontdesk-cli, run under Wine: a clinic from first start to a backup.

Usage: tests/windows/smoke.py PATH/TO/frontdesk-cli.exe PATH/TO/bcryptprimitives.dll

Runs in a throwaway Wine prefix (its own registry, so its own Credential Manager) with a Unix
data folder given through Wine's Z: drive. Each step is a real process, as a clinic's IT would
run them, so the database key has to come back from the Credential Manager every time. Prints
one line per step and `windows smoke: N passed`; exits non-zero on the first failure.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

EXE, SHIM = sys.argv[1], sys.argv[2]
WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"
SECRET = "wine-smoke-secret-7f3a"

work = tempfile.mkdtemp(prefix="frontdesk-wine-")
prefix = os.path.join(work, "prefix")
bin_dir = os.path.join(work, "bin")
data = os.path.join(work, "data")
os.makedirs(bin_dir)
# The stand-in bcryptprimitives.dll goes next to the .exe (Windows looks there first).
shutil.copy(EXE, os.path.join(bin_dir, "frontdesk-cli.exe"))
shutil.copy(SHIM, os.path.join(bin_dir, "bcryptprimitives.dll"))
env = dict(os.environ, WINEPREFIX=prefix, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
for key in ("DISPLAY", "WAYLAND_DISPLAY", "FRONTDESK_DATA_DIR", "FRONTDESK_DATABASE_URL"):
    env.pop(key, None)


def winpath(path):
    return "Z:" + path.replace("/", "\\")


passed = 0


def run(args, stdin=None, ok=True, folder=data):
    global passed
    cmd = [WINE, os.path.join(bin_dir, "frontdesk-cli.exe"), "--data-dir", winpath(folder)] + args
    out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=120)
    if ok and out.returncode != 0:
        sys.exit(f"FAILED: frontdesk-cli {args[0]}: exit {out.returncode}\n{out.stderr}")
    if not ok and out.returncode == 0:
        sys.exit(f"FAILED: frontdesk-cli {args[0]} was accepted and should not be")
    passed += 1
    # The subcommand only: the values (a name, a date of birth) stay out of the test log.
    words = []
    for a in args:
        if a.startswith("-") and words:
            break
        words.append(a)
    print(f"ok  frontdesk-cli {' '.join(words)}")
    return out


def js(args, stdin=None, folder=data):
    out = run(["--json"] + args, stdin, folder=folder)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.exit(f"FAILED: frontdesk-cli {args[0]}: not JSON")


def check(cond, what):
    global passed
    if not cond:
        sys.exit(f"FAILED: {what}")
    passed += 1
    print(f"ok  {what}")


started = time.monotonic()
try:
    subprocess.run([WINE, "wineboot", "--init"], env=env, capture_output=True, timeout=300, check=True)
    version = run(["--version"]).stdout.strip()
    check(version.startswith("frontdesk-cli "), f"version: {version}")

    run(["init", "--clinic", "Maple Clinic", "--tz", "America/Toronto"])
    run(["staff", "add", "--name", "Dr Ada Lee", "--role", "doctor", "--pin", "-"], "204816\n")
    run(["staff", "add", "--name", "Cal Desk", "--role", "receptionist", "--pin", "-"], "246802\n")
    run(["patient", "add", "--name", "Jane Doe", "--email", "jane@example.com", "--dob", "1980-02-03"])
    run(["type", "add", "--name", "Checkup", "--minutes", "30", "--mode", "in-person"])

    # Across the autumn DST change in Toronto: 01:30 happens twice on 2026-11-01, and the
    # spring-forward 02:30 on 2026-03-08 does not exist.
    base = ["book", "--patient", "1", "--doctor", "1", "--type", "1"]
    run(base + ["--at", "2026-03-08T02:30"], ok=False)
    run(base + ["--at", "2026-11-01T01:30"], ok=False)
    earlier = js(base + ["--at", "2026-11-01T01:30", "--fold", "earlier"])
    check(earlier["start"] == "2026-11-01T05:30:00Z", "01:30 EDT (the earlier one) is 05:30 UTC")
    later = js(base + ["--at", "2026-11-01T01:30", "--fold", "later"])
    check(later["start"] == "2026-11-01T06:30:00Z", "01:30 EST (the later one) is 06:30 UTC")
    check(later["local_start"] == "2026-11-01T01:30:00-05:00", "the later one shows as 01:30-05:00")

    day = js(["day", "--date", "2026-11-01", "--doctor", "1"])
    check([a["id"] for a in day] == [earlier["id"], later["id"]], "the 25-hour day lists both visits, in order")
    shown = js(["show", str(later["id"])])
    check(shown["start"] == later["start"] and len(shown["history"]) >= 1, "show returns the visit and its history")

    # A secret goes to the Credential Manager, never the database; `config get` says only "set".
    run(["config", "set", "zoom.client_secret", "-"], SECRET + "\n")
    check(run(["config", "get", "zoom.client_secret"]).stdout.strip() == "set", "the secret reads back as set")
    with open(os.path.join(prefix, "user.reg"), encoding="utf-8", errors="replace") as reg:
        check("Credential Manager" in reg.read(), "Wine's Credential Manager holds the credentials")
    for folder, _, names in os.walk(data):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                check(SECRET.encode() not in f.read(), f"the secret is not in {name}")

    backup = os.path.join(work, "backup.db")
    run(["backup", winpath(backup), "--passphrase", "-"], "a long passphrase\n")
    with open(backup, "rb") as f:
        check(b"Jane Doe" not in f.read(), "the backup is encrypted")
    # Another computer: the backup restores with its passphrase into a new data folder.
    elsewhere = os.path.join(work, "elsewhere")
    run(["restore", winpath(backup), "--passphrase", "-"], "a long passphrase\n", folder=elsewhere)
    again = js(["day", "--date", "2026-11-01", "--doctor", "1"], folder=elsewhere)
    check(len(again) == 2, "the restored clinic has both visits")
finally:
    subprocess.run([os.path.join(os.path.dirname(WINE), "wineserver"), "-k"], env=env, capture_output=True)
    shutil.rmtree(work, ignore_errors=True)

print(f"windows smoke: {passed} passed in {time.monotonic() - started:.0f} s")
