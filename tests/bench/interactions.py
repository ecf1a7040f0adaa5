"""The desk's interactions, each from its input event to the frame painted after its change, and
the memory of a scripted hour at the desk (scripts/bench, issue 17 point 9).

Usage (in Xvfb and a D-Bus session, with a bench build of the app: `--features bench`, UI built
with VITE_FRONTDESK_BENCH=1):
    interactions.py APP BARE DATA_DIR OUT_DIR REPS

The app is driven over WebDriver (tauri-driver and WebKitWebDriver) on the clinic of
tests/bench/clinic.py. Before each input, the window's probe (ui/src/bench.ts) is armed with what
the change looks like; it times the change on the window's own `performance` clock, from the input
event's time stamp to two animation frames after the change (the frame with it painted), and sends
the figure over IPC to the backend, which logs it (`frontdesk: bench {...}`); the figures are read
from that log. Each interaction is repeated REPS times (at least 20) and reported as p50 and p95.

It also saves the day view and the week view as static HTML (their final DOM, the app's
stylesheet inlined, no script but a paint report) for the paint floors (startup.py shows them in
the bare window), and measures memory: the app process's resident set, and the proportional set
size (PSS) of its whole tree with WebKit's processes, after sign-in and again after the hour of
use (200 day turns, 50 bookings, 50 moves, 20 searches, with the panels, status changes and
undos measured here), against a bare window's tree.
"""
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "e2e"))
from checks import open_window  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.actions.action_builder import ActionBuilder  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from clinic import PIN, TYPING_MS  # noqa: E402
from memory import tree_memory  # noqa: E402

APP, BARE, DATA, OUT, REPS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
# The scripted hour: 200 day turns (4 a round), 50 bookings, 50 moves, 20 searches (BENCH_SMOKE=1:
# a few of each, to try the script).
SMOKE = os.environ.get("BENCH_SMOKE") == "1"
TURN_ROUNDS, BOOKINGS, MOVES, SEARCHES = (2, 3, 3, 2) if SMOKE else (max(REPS, 50), 50, 50, 20)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Log:
    """The WebDriver server's output, where the app's standard error goes: the probe's marks."""

    def __init__(self, path):
        self.file = open(path, "r", errors="replace")
        self.pending = []

    def marks(self):
        for line in self.file.read().splitlines():
            m = re.search(r"frontdesk: bench (\{.*\})", line)
            if m:
                self.pending.append(json.loads(m.group(1)))

    def wait(self, name, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.marks()
            for i, mark in enumerate(self.pending):
                if mark["name"] == name:
                    del self.pending[i]
                    if mark.get("error"):
                        raise RuntimeError(f"{name}: {mark['error']}")
                    phases.setdefault(name, []).append(mark.get("phases") or {})
                    return mark["ms"]
            time.sleep(0.01)
        raise RuntimeError(f"no mark {name} within {timeout} s")


def app_pid():
    """The app's process: the one running APP (WebKitWebDriver started it)."""
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink(f"/proc/{p}/exe") == os.path.realpath(APP):
                    return int(p)
            except OSError:
                continue
    raise RuntimeError("the app's process is not running")


def bare_memory():
    """A bare window's memory after its first paint (the reference), as startup.py measures it."""
    proc = subprocess.Popen([BARE], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    for line in proc.stderr:
        if "painted bare" in line:
            break
    time.sleep(2.0)
    mem = tree_memory(proc.pid)
    proc.terminate()
    proc.wait(5)
    return mem


driver_log = os.path.join(OUT, "bench-webdriver.log")
port = free_port()
native = free_port()
while native == port:
    native = free_port()
env = dict(os.environ, FRONTDESK_DATA_DIR=DATA)
server = subprocess.Popen(["tauri-driver", "--port", str(port), "--native-port", str(native),
                           "--native-driver", "/usr/bin/WebKitWebDriver"],
                          env=env, stdout=open(driver_log, "w"), stderr=subprocess.STDOUT)
# tauri-driver answers before the WebKitWebDriver it starts listens, and a session asked for in
# between is refused ("tcp connect error"): both ports, up to 10 s each.
for listening in (port, native):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", listening), 0.2).close()
            break
        except OSError:
            time.sleep(0.1)
log = Log(driver_log)
try:
    driver, wait = open_window(f"http://127.0.0.1:{port}", APP)
except Exception:
    # Say why the window did not open (the app's own output is in the driver's log).
    print(open(driver_log, errors="replace").read()[-4000:], file=sys.stderr)
    server.terminate()
    raise
figures = {}
# Where each interaction's time went (each command's answer and the change seen, from the input).
phases = {}
misses = {}


def measure(name, spec, act, reps=None, after=None):
    """Arms the probe with `spec`, runs `act(i)` (the input), reads the mark; `reps` times."""
    for i in range(reps or REPS):
        driver.execute_script("window.__bench.arm(arguments[0])", dict(spec, name=name))
        act(i)
        try:
            figures.setdefault(name, []).append(log.wait(name))
        except RuntimeError as e:
            # Counted and said, not fatal: a lost mark must not lose the run's other figures.
            misses[name] = misses.get(name, 0) + 1
            state = driver.execute_script("return [document.activeElement && document.activeElement.id, location.hash]")
            print(f"interactions: {e} (focus {state})", file=sys.stderr)
        if after:
            after(i)


def keys(*k):
    ActionChains(driver).send_keys(*k).perform()


def calm():
    """Focus on the page itself (no field), so that the desk's single-key shortcuts apply."""
    driver.execute_script("document.activeElement && document.activeElement.blur()")


CALENDAR = {"ipc": "schedule", "within": "#calendar"}
SAVE_PAGE = r"""
const css = [...document.styleSheets].map((s) => [...s.cssRules].map((r) => r.cssText).join('\n')).join('\n');
const scrolled = [...document.querySelectorAll('*')].filter((e) => e.scrollTop > 0);
scrolled.forEach((e) => e.setAttribute('data-bench-scroll', String(e.scrollTop)));
const doc = document.documentElement.cloneNode(true);
scrolled.forEach((e) => e.removeAttribute('data-bench-scroll'));
doc.querySelectorAll('script, link[rel=stylesheet], link[rel=modulepreload], style, meta[http-equiv]').forEach((n) => n.remove());
const style = document.createElement('style');
style.textContent = css;
doc.querySelector('head').append(style);
// The paint report (and the scroll position the screen had): the only script of the page.
const report = "document.querySelectorAll('[data-bench-scroll]').forEach((e) => { e.scrollTop = Number(e.dataset.benchScroll); });"
  + "requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke('ui_painted', "
  + "{ screen: 'saved', pageMs: performance.now() })));";
return '<!doctype html>\n' + doc.outerHTML.replace('</body>', '<script>' + report + '</script></body>');
"""


def save(name):
    path = os.path.join(OUT, f"saved-{name}.html")
    with open(path, "w") as f:
        f.write(driver.execute_script(SAVE_PAGE))
    return path


try:
    wait.until(lambda d: d.find_elements(By.ID, "signin-pin"))
    wait.until(lambda d: d.execute_script("return !!window.__bench"))
    # Typed as a person types a PIN (see startup.py).
    for digit in PIN:
        driver.find_element(By.ID, "signin-pin").send_keys(digit)
        time.sleep(TYPING_MS / 1000)
    driver.find_element(By.ID, "signin-pin").send_keys(Keys.ENTER)
    signin = log.wait("signin_enter_to_day_view")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#calendar .visit"))
    time.sleep(2.0)
    pid = app_pid()
    start_mem = tree_memory(pid)
    started = time.time()
    # The tree's memory after each part of the hour: where it grows.
    along = []

    def part_done(label):
        along.append({"after": label, "s": round(time.time() - started), **tree_memory(pid)})

    save("day")

    # Days: today has its 600 visits, and so have yesterday and tomorrow: turns go round them.
    calm()
    for rnd in range(TURN_ROUNDS):
        measure("next_day", CALENDAR, lambda i: keys(Keys.ARROW_RIGHT), reps=1)
        measure("previous_day", CALENDAR, lambda i: keys(Keys.ARROW_LEFT), reps=1)
        measure("previous_day", CALENDAR, lambda i: keys(Keys.ARROW_LEFT), reps=1)
        measure("next_day", CALENDAR, lambda i: keys(Keys.ARROW_RIGHT), reps=1)

    part_done("day turns")

    # Day and week (one doctor's week).
    for rnd in range(REPS):
        measure("day_to_week", CALENDAR, lambda i: keys("w"), reps=1)
        if rnd == 0:
            time.sleep(0.5)
            save("week")
        measure("week_to_day", CALENDAR, lambda i: keys("d"), reps=1)

    # The next page of doctors (40 doctors, 10 a page: round from the last to the first).
    measure("next_doctor_page", {"ipc": None, "within": "#calendar"}, lambda i: keys("]"))

    part_done("weeks and pages")

    # The booking dialog, opened and closed.
    measure("open_booking_dialog", {"ipc": None, "within": "body", "present": "#book-patient"},
            lambda i: keys("n"), after=lambda i: (keys(Keys.ESCAPE), wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".overlay"))))

    # Find: the list after each typed letter of a name (20 searches).
    for s in range(SEARCHES):
        calm()
        keys("/")
        wait.until(lambda d: d.find_elements(By.ID, "find-input"))
        for letter in "nguyen":
            measure("find_letter", {"ipc": "find", "within": "#find-results, #find-status"},
                    lambda i: driver.find_element(By.ID, "find-input").send_keys(letter), reps=1)
            time.sleep(0.05)
        keys(Keys.ESCAPE)
        wait.until(lambda d: not d.find_elements(By.ID, "find-input"))

    part_done("dialogs and searches")

    # Bookings (50) on tomorrow, after the day's visits (16:00 onwards), each doctor of the page
    # in turn: Enter on Book until the new visit is painted.
    calm()
    keys(Keys.ARROW_RIGHT)
    time.sleep(1.0)
    for b in range(BOOKINGS):
        calm()
        keys("n")
        patient = wait.until(lambda d: d.find_element(By.ID, "book-patient"))
        patient.send_keys(f"Patient {1 + b % 60:03}")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]"))
        patient.send_keys(Keys.ENTER)
        driver.execute_script(
            "const s = document.getElementById('book-doctor'); s.selectedIndex = arguments[0] % s.options.length;"
            "s.dispatchEvent(new Event('change', { bubbles: true }));", b)
        minutes = 16 * 60 + 30 * (b // 10)
        field = driver.find_element(By.ID, "book-time")
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(f"{minutes // 60:02}:{minutes % 60:02}")
        measure("book_enter_to_visit", dict(CALENDAR, absent=".overlay", key="Enter"), lambda i: field.send_keys(Keys.CONTROL, Keys.ENTER), reps=1)
        time.sleep(0.1)

    part_done("bookings")

    # Moves (50): a doctor's last visit of the day dragged half an hour later, into free time, and
    # back to its slot the next time (each column in turn): the rules never refuse it.
    EVENTS = """
    const evs = [...document.querySelectorAll('#calendar .visit.movable')].filter((e) => !e.classList.contains('drag-preview'));
    const cols = new Map();
    for (const e of evs) { const x = Math.round(e.getBoundingClientRect().left / 20); const c = cols.get(x) || []; c.push(e); cols.set(x, c); }
    const keys = [...cols.keys()].sort((a, b) => a - b);
    const col = cols.get(keys[arguments[0] % keys.length]);
    col.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
    const e = col[col.length - 1 - (arguments[1] || 0)];
    e.scrollIntoView({ block: 'center' });
    const r = e.getBoundingClientRect();
    return [e, r.x, r.y, r.width, r.height];
    """

    def drag(i, direction):
        _, x, y, w, h = driver.execute_script(EVENTS, i)
        cx, cy = int(x + w / 2), int(y + h / 2)
        action = ActionBuilder(driver)
        pointer = action.pointer_action.move_to_location(cx, cy).pointer_down().pause(0.2)
        for step in range(1, 7):
            pointer = pointer.move_to_location(cx, int(cy + direction * step * h / 6)).pause(0.03)
        pointer.pause(0.2).pointer_up()
        action.perform()

    for m in range(MOVES):
        direction = 1 if (m // 10) % 2 == 0 else -1
        measure("drag_move_to_repaint", dict(CALENDAR, input="pointerup"), lambda i: drag(m, direction), reps=1)
        # A refusal asks in place (a taken slot): kept where it was, so that the next drag is free.
        for keep in driver.find_elements(By.ID, "move-keep"):
            keep.click()
        time.sleep(0.3)

    part_done("moves")

    # The panel, a status change (check in, I) and its undo (Ctrl+Z), on visits of the page.
    def click_event(i):
        el = driver.execute_script(EVENTS, i, 3)[0]
        el.click()

    # The panel opens on what the calendar has (open_panel); its history and actions follow the
    # audited read (panel_whole, the same visit opened again).
    def settle(name, condition):
        """Waits for the state the next step starts from; a miss is counted and said, not fatal."""
        try:
            wait.until(condition)
            return True
        except TimeoutException:
            misses[name] = misses.get(name, 0) + 1
            print(f"interactions: {name} did not settle", file=sys.stderr)
            return False

    # Each repetition on a visit of its own column: a change that was not undone (a lost mark on
    # a loaded machine) does not hold up the next.
    for p in range(REPS):
        calm()
        measure("open_panel", {"input": "pointerup", "ipc": None, "within": "#panel"}, lambda i: click_event(p), reps=1)
        settle("open_panel", lambda d: d.find_elements(By.CSS_SELECTOR, "#panel button[data-status]"))
        keys(Keys.ESCAPE)
        calm()
        measure("panel_whole", {"input": "pointerup", "ipc": "appointment", "within": "#panel", "present": "#panel button[data-status]"},
                lambda i: click_event(p), reps=1)
        settle("panel_whole", lambda d: d.find_elements(By.CSS_SELECTOR, "#panel button[data-status]"))
        time.sleep(0.2)
        calm()
        measure("status_change", CALENDAR, lambda i: keys("i"), reps=1)
        if settle("status_change", lambda d: d.find_elements(By.ID, "undo")):
            time.sleep(0.2)
            calm()
            measure("undo", dict(CALENDAR, key="z"), lambda i: ActionChains(driver).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform(), reps=1)
        time.sleep(0.2)
        keys(Keys.ESCAPE)
    hour = time.time() - started
    part_done("panels, status changes and undos")

    keys(Keys.ESCAPE)
    calm()
    keys("t")
    time.sleep(3.0)
    end_mem = tree_memory(pid)
    # And after a quiet half minute: what the processes give back by themselves.
    time.sleep(30.0)
    part_done("a quiet half minute")
finally:
    try:
        driver.quit()
    finally:
        server.terminate()

bare = bare_memory()
with open(os.path.join(OUT, "interactions.json"), "w") as f:
    json.dump({"signin": signin, "figures": figures, "phases": phases, "misses": misses, "start": start_mem, "end": end_mem, "bare": bare, "hour_s": hour, "along": along}, f)
