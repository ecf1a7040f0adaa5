"""Start-up benchmark: cold start of the real app to its painted day view (40 doctors, 600
appointments that day), next to a bare Tauri window built in the same run with the same
configuration and profile, and the resident memory of each after start.

Usage (inside Xvfb and a D-Bus session, see scripts/bench):
    startup.py APP BARE CLI ROUNDS

The app starts on its sign-in screen: the time to that first paint is measured like the bare
window's; signing in is typed with xdotool (the PIN field has the focus) and the time from the
Enter to the painted day view is added. Typing itself is not counted. The time from the Enter
alone is printed too: it is the part the app's own work decides (signing in, reading the day,
laying out the calendar), where the first screen is mostly WebKit starting.

`calendar_alone` is the bare window showing the app's calendar with the same page of ten
doctors and 150 appointments from constants (`BARE floor`): no sign-in, no database. It is what
the widget alone costs in this webview, the floor under the app's figure.
`calendar_alone_no_appointments` is the same with the ten doctors' columns and no appointment.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

APP, BARE, CLI, ROUNDS = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
DOCTORS, APPOINTMENTS = 40, 600


def seed(data):
    env = dict(os.environ, FRONTDESK_DATA_DIR=data)
    run = lambda *a: subprocess.run([CLI, *a], env=env, check=True, capture_output=True)
    run("init", "--clinic", "Benchmark Clinic", "--tz", "UTC")
    subprocess.run([CLI, "staff", "add", "--name", "Ann Desk", "--role", "receptionist", "--pin", "-"],
                   env=env, check=True, capture_output=True, input=b"135790\n")
    for d in range(DOCTORS):
        run("staff", "add", "--name", f"Dr {d + 1:02}", "--role", "doctor")
    for p in range(60):
        run("patient", "add", "--name", f"Patient {p + 1:03}")
    run("type", "add", "--name", "Consult", "--minutes", "30", "--mode", "zoom")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    per_doctor = APPOINTMENTS // DOCTORS
    for d in range(DOCTORS):
        for k in range(per_doctor):
            minutes = 8 * 60 + 30 * k
            run("book", "--patient", str(1 + (d * per_doctor + k) % 60), "--doctor", str(2 + d), "--type", "1",
                "--at", f"{today}T{minutes // 60:02}:{minutes % 60:02}")


def tree_rss_kb(pid):
    """Resident memory of a process and its descendants (WebKit runs its web and network processes apart)."""
    total, own = 0, 0
    pending = [pid]
    while pending:
        p = pending.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children") as f:
                pending.extend(int(c) for c in f.read().split())
        except OSError:
            continue
        total += rss
        own = own or rss
    return own, total


def launch(argv, env):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    return proc, start


def wait_for(proc, marker, timeout=60):
    deadline = time.perf_counter() + timeout
    for line in proc.stderr:
        if marker in line:
            return time.perf_counter()
        if time.perf_counter() > deadline:
            break
    raise RuntimeError(f"no '{marker}' from {proc.args[0]}")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()


def bare_round(page="bare"):
    proc, start = launch([BARE, page], dict(os.environ))
    painted = wait_for(proc, f"painted {page.replace('-', '')} ")
    time.sleep(1.0)
    rss = tree_rss_kb(proc.pid)
    stop(proc)
    return (painted - start) * 1000, rss


def app_round(data):
    proc, start = launch([APP], dict(os.environ, FRONTDESK_DATA_DIR=data))
    signin = wait_for(proc, "painted signin")
    # No window manager here: X gives the keyboard to the window under the pointer.
    subprocess.run(["xdotool", "search", "--sync", "--name", "Frontdesk"], check=True, capture_output=True)
    subprocess.run(["xdotool", "mousemove", "20", "300"], check=True)
    subprocess.run(["xdotool", "type", "--delay", "0", "135790"], check=True)
    typed = time.perf_counter()
    subprocess.run(["xdotool", "key", "Return"], check=True)
    day = wait_for(proc, "painted day")
    time.sleep(1.0)
    rss = tree_rss_kb(proc.pid)
    stop(proc)
    return (signin - start) * 1000 + (day - typed) * 1000, (signin - start) * 1000, (day - typed) * 1000, rss


with tempfile.TemporaryDirectory() as scratch:
    data = os.path.join(scratch, "clinic")
    seed(data)
    app_total, app_signin, app_enter, app_rss, bare_ms, bare_rss, floor_ms, empty_ms = [], [], [], [], [], [], [], []
    bare_round(), bare_round("floor"), bare_round("floor-empty"), app_round(data)  # warm the disk cache, unmeasured
    for _ in range(ROUNDS):
        ms, rss = bare_round()
        bare_ms.append(ms); bare_rss.append(rss)
        floor_ms.append(bare_round("floor")[0])
        empty_ms.append(bare_round("floor-empty")[0])
        total, signin, enter, rss = app_round(data)
        app_total.append(total); app_signin.append(signin); app_enter.append(enter); app_rss.append(rss)

med = statistics.median
ref = med(bare_ms)
print(f"BENCH startup_to_day_view_p50 {med(app_total):.0f} ms ref={ref:.0f} ratio={med(app_total) / ref:.2f}")
print(f"BENCH startup_to_first_screen_p50 {med(app_signin):.0f} ms ref={ref:.0f} ratio={med(app_signin) / ref:.2f}")
print(f"BENCH signin_enter_to_day_view_p50 {med(app_enter):.0f} ms")
print(f"BENCH calendar_alone_p50 {med(floor_ms):.0f} ms ref={ref:.0f} ratio={med(floor_ms) / ref:.2f}")
print(f"BENCH calendar_alone_no_appointments_p50 {med(empty_ms):.0f} ms ref={ref:.0f} ratio={med(empty_ms) / ref:.2f}")
own, total = med(r[0] for r in app_rss) / 1024, med(r[1] for r in app_rss) / 1024
bown, btotal = med(r[0] for r in bare_rss) / 1024, med(r[1] for r in bare_rss) / 1024
print(f"BENCH app_rss_after_start {own:.0f} MB ref={bown:.0f} ratio={own / bown:.2f}")
print(f"BENCH app_rss_with_webkit_processes {total:.0f} MB ref={btotal:.0f} ratio={total / btotal:.2f}")
print(f"BENCH_TARGETS startup<=1.3x_bare app_rss<=120MB  ({ROUNDS} rounds, {DOCTORS} doctors, {APPOINTMENTS} appointments)")
