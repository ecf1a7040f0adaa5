"""The clinic's server away from one desk, with the real frontdesk-cli (run by run.sh, which
makes the namespaces, the links and the server).

Desk A is cut off by taking its link down; desk B, the other desk, keeps its own. Shown:
- desk A reads `day`, `show` and patients from its read copy within two seconds, and says in one
  line that the server does not answer and how old the schedule is;
- desk A's booking is refused with the core's message and exit code 3, and nothing is written;
- desk B books meanwhile; with the link back, desk A's copy (kept by `read-copy --every` in the
  background, which says once that the server went away and once that it is back) and a
  `read-copy` of its own catch up: B's booking is there once; desk A books again;
- a desk that misses announcements (its connections ended on the server while B books twice)
  catches up: with the link cut again, its copy holds both bookings, each once.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

CLI = os.environ["OFFLINE_CLI"]
SCRATCH = os.environ["OFFLINE_SCRATCH"]
PSQL = shlex.split(os.environ["OFFLINE_PSQL"])
LINK_A = os.environ["OFFLINE_LINK_A"]
DESK = {
    "A": (os.environ["OFFLINE_DESK_A_NS"], os.environ["OFFLINE_URL_A"], os.path.join(SCRATCH, "desk-a")),
    "B": (os.environ["OFFLINE_DESK_B_NS"], os.environ["OFFLINE_URL_B"], os.path.join(SCRATCH, "desk-b")),
}
ZONE = "America/Toronto"
# What a refused change says (the core's ReadOnly message), and the exit code for "try later".
READ_ONLY = "does not answer, so this desk shows the schedule as it last read it and cannot change it"
UNAVAILABLE = 3
# How fast a desk cut off must still answer from its copy.
PROMISED_SECONDS = 2.0

TODAY = datetime.now(ZoneInfo(ZONE)).date()
IN_THREE_DAYS = TODAY + timedelta(days=3)
passed = 0


def check(what, ok, detail=""):
    global passed
    if not ok:
        sys.exit(f"FAILED: {what}\n{detail}")
    passed += 1
    print(f"ok: {what}")


def command(desk, args):
    ns, url, folder = DESK[desk]
    # The database's address goes in the environment, as a desk's service file would hold it,
    # so that its password is not in the process list.
    env = dict(os.environ, FRONTDESK_DATABASE_URL=url, FRONTDESK_DATA_DIR=folder)
    return ["ip", "netns", "exec", ns, CLI, *args], env


def cli(desk, *args, stdin=None):
    argv, env = command(desk, args)
    began = time.monotonic()
    run = subprocess.run(argv, env=env, input=stdin, capture_output=True, text=True, timeout=60)
    run.seconds = time.monotonic() - began
    return run


def ok(desk, *args, stdin=None):
    run = cli(desk, *args, stdin=stdin)
    if run.returncode != 0:
        sys.exit(f"FAILED: desk {desk}: frontdesk-cli {' '.join(args)}: exit {run.returncode}\n{run.stderr}")
    return run


def json_of(desk, *args):
    return json.loads(ok(desk, "--json", *args).stdout)


def book(desk, patient, doctor, day, hour):
    at = f"{day.isoformat()}T{hour}"
    return json_of(desk, "book", "--patient", str(patient), "--doctor", str(doctor), "--type", "1", "--at", at)["id"]


def day_ids(desk, day):
    run = ok(desk, "--json", "day", "--date", day.isoformat())
    return [a["id"] for a in json.loads(run.stdout)], run


def link(up):
    ns = DESK["A"][0]
    subprocess.run(["ip", "-n", ns, "link", "set", LINK_A, "up" if up else "down"], check=True)


def psql(sql):
    return subprocess.run([*PSQL, "-d", "frontdesk", "-At", "-c", sql], check=True, capture_output=True, text=True).stdout


def wait_for(what, predicate, seconds=15):
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.05)
    return None


class Keeper:
    """Desk A's `read-copy --every 60`, in the background; its output kept in a file."""

    def __init__(self):
        self.log_path = os.path.join(SCRATCH, "read-copy.log")
        self.log = open(self.log_path, "w")
        argv, env = command("A", ["read-copy", "--every", "60"])
        self.process = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT, text=True)

    def lines(self):
        with open(self.log_path) as f:
            return f.read().splitlines()

    def copies(self):
        """The number of appointments in each copy taken, in order."""
        return [int(line.rsplit(", ", 1)[1].split()[0]) for line in self.lines() if line.startswith("Read copy taken")]

    def said(self, words):
        return sum(words in line for line in self.lines())

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


def main():
    began = time.monotonic()
    # run.sh ends this process (not its session) when it is stopped, so the session ends cleanly.
    with open(os.path.join(SCRATCH, "driver.pid"), "w") as f:
        f.write(str(os.getpid()))
    # The clinic, set up on the server from desk B.
    ok("B", "init", "--clinic", "Maple Street Clinic", "--tz", ZONE)
    ok("B", "staff", "add", "--name", "Dr Ada Lee", "--role", "doctor")
    ok("B", "staff", "add", "--name", "Dr Ben Roy", "--role", "doctor")
    ok("B", "staff", "add", "--name", "Rita Desk", "--role", "receptionist", "--pin", "-", stdin="482915\n")
    for name in ["Jane Doe", "Tom Nguyen", "Ann Bell"]:
        ok("B", "patient", "add", "--name", name, "--phone", "613-555-0100")
    ok("B", "type", "add", "--name", "Consult", "--minutes", "30", "--mode", "in-person")
    today_visit = book("B", 1, 1, TODAY, "09:00")
    later_visit = book("B", 2, 2, IN_THREE_DAYS, "09:00")

    # Desk A takes its copy, then keeps it in the background.
    taken = ok("A", "read-copy")
    check("desk A takes its copy: the days and the visits", "2 appointment(s)" in taken.stdout, taken.stdout)
    print(f"  {taken.stdout.strip()}")
    keeper = Keeper()
    try:
        check("the kept copy starts", wait_for("a copy", lambda: keeper.copies() == [2]) is not None, "\n".join(keeper.lines()))
        partition(keeper, today_visit, later_visit)
        missed_announcements(keeper)
    finally:
        code = keeper.stop()
        print("desk A's read-copy --every said:")
        for line in keeper.lines():
            print(f"  {line}")
    check("read-copy --every stops on Ctrl+C with 0", code == 0, f"exit {code}")
    print(f"{passed} passed, 0 failed")
    print(f"offline: the desks' part took {time.monotonic() - began:.1f} s")


def partition(keeper, today_visit, later_visit):
    link(False)
    # Each read from the copy, timed from the process's start to its end.
    ids, run = day_ids("A", TODAY)
    print(f"FIGURE offline_day_from_copy {run.seconds:.3f} s")
    check("cut off, desk A's day answers from its copy", ids == [today_visit], f"{ids}\n{run.stderr}")
    check(f"within {PROMISED_SECONDS:.0f} s", run.seconds < PROMISED_SECONDS, f"{run.seconds:.2f} s")
    away_lines = [l for l in run.stderr.splitlines() if "does not answer: showing the schedule as of" in l]
    check("and says so in one line", len(away_lines) == 1 and len(run.stderr.strip().splitlines()) == 1, run.stderr)
    print(f"  {away_lines[0]}")
    check("naming the server and the clinic's time", "10.231.0.1:5432/frontdesk" in away_lines[0] and "(Toronto time)" in away_lines[0], away_lines[0])

    shown = ok("A", "--json", "show", str(later_visit))
    print(f"FIGURE offline_show_from_copy {shown.seconds:.3f} s")
    visit = json.loads(shown.stdout)
    check("desk A shows a visit in three days from its copy", visit["patient_id"] == 2 and visit["history"], shown.stdout)
    check(f"within {PROMISED_SECONDS:.0f} s", shown.seconds < PROMISED_SECONDS, f"{shown.seconds:.2f} s")
    found = ok("A", "--json", "patient", "find", "Tom")
    print(f"FIGURE offline_find_from_copy {found.seconds:.3f} s")
    names = [p["full_name"] for p in json.loads(found.stdout)]
    check("desk A finds a patient in its copy", names == ["Tom Nguyen"], found.stdout)
    check(f"within {PROMISED_SECONDS:.0f} s", found.seconds < PROMISED_SECONDS, f"{found.seconds:.2f} s")

    refused = cli("A", "book", "--patient", "3", "--doctor", "2", "--type", "1", "--at", f"{TODAY}T15:00")
    print(f"FIGURE offline_refused_booking {refused.seconds:.3f} s")
    check(
        f"desk A's booking is refused with the message and exit code {UNAVAILABLE}",
        refused.returncode == UNAVAILABLE and READ_ONLY in refused.stderr,
        f"exit {refused.returncode}: {refused.stderr}",
    )
    print(f"  {refused.stderr.strip().splitlines()[-1]}")
    noticed = wait_for("away", lambda: keeper.said("does not answer since") == 1, 10)
    check("the kept copy says once that the server does not answer", noticed is not None, "\n".join(keeper.lines()))

    # The other desk books meanwhile.
    b_visit = book("B", 2, 1, TODAY, "10:00")
    check("desk B books while desk A is cut off", b_visit > later_visit)

    link(True)
    back = wait_for("back", lambda: keeper.said("answers again") == 1 and keeper.copies()[-1:] == [3], 15)
    print(f"FIGURE offline_caught_up_after_link_up {back if back is not None else -1:.3f} s")
    check("the link back, the kept copy says so once and takes B's booking", back is not None, "\n".join(keeper.lines()))
    check("said once each", keeper.said("does not answer since") == 1 and keeper.said("answers again") == 1, "\n".join(keeper.lines()))
    taken = ok("A", "read-copy")
    check("desk A's own read-copy holds three visits", "3 appointment(s)" in taken.stdout, taken.stdout)
    ids, run = day_ids("A", TODAY)
    check("desk A's day has B's booking, nothing missing, nothing doubled", ids == [today_visit, b_visit], f"{ids}")
    check("and no word of the server being away", "does not answer" not in run.stderr, run.stderr)
    own = book("A", 3, 2, TODAY, "15:00")
    check("desk A books again", own > b_visit)
    check("its copy follows its own booking", wait_for("4", lambda: keeper.copies()[-1:] == [4], 10) is not None, "\n".join(keeper.lines()))
    print(f"  {keeper.lines()[-1]}")


def missed_announcements(keeper):
    # Desk A's connections are ended on the server (its listener too) while desk B books twice.
    ended = psql(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE application_name = 'frontdesk' AND client_addr = '10.231.0.2'"
    ).strip()
    first = book("B", 1, 2, TODAY, "12:00")
    second = book("B", 3, 1, IN_THREE_DAYS, "10:00")
    print(f"  desk A's connections ended on the server: {ended}")
    check("desk A had connections to end", int(ended) >= 1, ended)
    caught = wait_for("6", lambda: keeper.copies()[-1:] == [6], 15)
    print(f"FIGURE offline_caught_up_after_missed_announcements {caught if caught is not None else -1:.3f} s")
    check("desk A's kept copy catches up on what it was not told", caught is not None, "\n".join(keeper.lines()))

    link(False)
    today, run = day_ids("A", TODAY)
    later, _ = day_ids("A", IN_THREE_DAYS)
    link(True)
    check("read from the copy", "does not answer" in run.stderr, run.stderr)
    check("both bookings are in desk A's copy, each once", today.count(first) == 1 and later.count(second) == 1, f"{today} {later}")
    check("nothing doubled", len(set(today)) == len(today) == 4 and len(set(later)) == len(later) == 2, f"{today} {later}")


if __name__ == "__main__":
    main()
