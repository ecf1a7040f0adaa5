"""End-to-end: the real Frontdesk window, driven over WebDriver (tauri-driver + WebKitWebDriver).

A receptionist signs in, books through the dialog with the keyboard only, sees the appointment in
the doctor's column, moves it by drag, and cancels it with a reason. The database is checked with
the command-line twin after each step. A screenshot of the day view is written on every run.

The bookings are Zoom visits: their meetings wait while Dr Lee's Zoom account is not connected,
and go by themselves once the admin connects it (Prism answers as Zoom's API, see run.sh); then
Join opens the patient's link and Start the host's, in the (stand-in) system browser only.

Patient e-mail: the booking dialog notes that Jane Doe, who has no address, gets no invitation,
and the panel says so. Sam Roe has one: the app's mail worker sends his invitation through the
clinic's SMTP server (aiosmtpd, see run.sh), the panel says when, and Resend sends it again.

Hours: the admin enters Dr Ada Lee's week on the Hours screen (a refusal shown beside its day
first) and a day off; the calendar then shades her column outside those hours and marks the day.

Usage: desk.py APP_BINARY CLI_BINARY OUTPUT_DIR   (FRONTDESK_DATA_DIR must be set up already)
"""
import datetime
import json
import mailbox
import os
import subprocess
import sys
import time
import zoneinfo

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from checks import Checks, open_window

APP, CLI, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
# The appointment's own block (class token "visit").
EVENT = "//*[contains(concat(' ', normalize-space(@class), ' '), ' visit ')][contains(., 'Jane Doe')]"
# The one of them that is still booked (a cancelled one stays on the calendar).
LIVE_EVENT = EVENT + "[contains(concat(' ', normalize-space(@class), ' '), ' status-booked ')]"
BROWSER_LOG = os.path.join(OUT, "browser.log")
checks = Checks()
check = checks.check


def audit(screen):
    checks.audit(driver, screen)


def cli(*args):
    out = subprocess.run([CLI, "--json", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


RECORD_IPC = "window.__frontdeskIpcLog = []; return true;"

# Scrolls the calendar's own scroller so that the event is in view.
SCROLL_TO_EVENT = """
    const ev = arguments[0];
    let el = ev.parentElement;
    while (el && !(el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== 'visible')) el = el.parentElement;
    if (el) el.scrollTop += ev.getBoundingClientRect().top - el.getBoundingClientRect().top - 120;
"""


def admin_screen(screen):
    """Opens one of the admins' screens from the top bar's Clinic menu."""
    wait.until(EC.element_to_be_clickable((By.ID, "admin-menu-button"))).click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, f"#admin-menu button[data-screen={screen}]"))).click()


def cli_tomorrow():
    """Tomorrow in the clinic's zone, as the command line shows days."""
    return (datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto")).date() + datetime.timedelta(days=1)).isoformat()


def heading(el):
    """A column's heading. Its text, not WebDriver's visible text: the heading stays on top of the
    scrolled hours (sticky), which WebDriver's visibility rules take for scrolled out of view."""
    return el.get_attribute("textContent").strip()


def browser_log():
    with open(BROWSER_LOG) as f:
        return f.read()


def mails():
    """The messages the clinic's SMTP server accepted (its Maildir), in no particular order."""
    folder = os.environ["E2E_MAILDIR"]
    if not os.path.isdir(folder):
        return []
    return list(mailbox.Maildir(folder, create=False))


def wait_for_a_whole_clinic_day():
    """The desk books "now" on the clinic's today and reads that day back: in the clinic's last
    25 minutes of a day the next free quarter hour is tomorrow, and the run would cross midnight.
    Started then, it waits for the clinic's next day."""
    now = datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto"))
    left = (24 * 60 - (now.hour * 60 + now.minute)) * 60 - now.second
    if left < 25 * 60:
        print(f"waiting {left + 30} s for the clinic's next day to begin")
        time.sleep(left + 30)


wait_for_a_whole_clinic_day()
driver, wait = open_window("http://127.0.0.1:4444", APP)
try:
    # Sign in: pick your name, enter your PIN.
    wait.until(EC.presence_of_element_located((By.ID, "signin-pin")))
    # Record every IPC response from here on, to scan for token values after the run.
    recording = driver.execute_script(RECORD_IPC)
    check("IPC responses are recorded for the secret scan", recording is True, str(recording))
    audit("the sign-in screen")
    driver.find_element(By.XPATH, "//label[contains(@class,'person')][.//span[text()='Dana Desk']]").click()
    driver.find_element(By.ID, "signin-pin").send_keys("246802", Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.ID, "date-label")))
    check("signed in as the receptionist", "Dana Desk" in driver.find_element(By.CSS_SELECTOR, ".statusline").text)
    time.sleep(0.5)
    audit("the day view")
    # The computer is set to Tokyo (run.sh), the clinic is in Toronto: the now line is at
    # Toronto's time (24 px per quarter hour from midnight).
    check("the computer's zone is not the clinic's",
          driver.execute_script("return Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Tokyo")
    top = driver.execute_script("const l = document.querySelector('.now-line'); return l && parseFloat(l.style.top);")
    clinic_now = datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto"))
    minutes = clinic_now.hour * 60 + clinic_now.minute
    check("the now line is at the clinic's time, not the computer's",
          top is not None and abs(top / 24 * 15 - minutes) <= 2, f"{top} px vs {minutes} min")

    # Book with the keyboard only: n, two letters, Enter (pick), Ctrl+Enter (book).
    today = cli("day")
    check("the day starts empty", today == [], str(today))
    body = driver.find_element(By.TAG_NAME, "body")
    keystrokes = 0
    body.send_keys("n"); keystrokes += 1
    patient = wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    check("the dialog focuses the patient search", driver.switch_to.active_element == patient)
    driver.switch_to.active_element.send_keys("Ja"); keystrokes += 2
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]")))
    audit("the booking dialog")
    driver.switch_to.active_element.send_keys(Keys.ENTER); keystrokes += 1
    note = wait.until(lambda d: d.find_element(By.ID, "book-patient-note").text)
    check("the dialog notes that Jane Doe, without an e-mail address, gets no invitation",
          note == "No e-mail address: the patient will not get an invitation.", note)
    audit("the booking dialog with the no e-mail note")
    check("picking the patient moves on to the type", driver.switch_to.active_element.get_attribute("id") == "book-type")
    driver.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER); keystrokes += 1
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    check("booked in at most 6 keystrokes", keystrokes <= 6, str(keystrokes))
    booked = cli("day")
    check("one appointment in the database", len(booked) == 1, str(booked))
    appointment = booked[0]

    # It shows in Dr Ada Lee's column (the first doctor, which the slot was prefilled with).
    def find_event():
        return wait.until(EC.visibility_of_element_located((By.XPATH, EVENT)))

    time.sleep(1.0)  # the calendar re-renders after the booking
    # Scroll the calendar's own scroller so the appointment is in view.
    driver.execute_script(SCROLL_TO_EVENT, find_event())
    time.sleep(0.5)
    event = find_event()
    headers = driver.find_elements(By.CSS_SELECTOR, ".cal-head .col-head")
    column = [h for h in headers if heading(h) == "Dr Ada Lee"]
    check("Dr Ada Lee has a column", len(column) == 1, str([heading(h) for h in headers]))
    box = lambda el: driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.x, r.y, r.width, r.height]", el)
    left, _, width, _ = box(column[0])
    ex, _, ew, _ = box(event)
    centre = ex + ew / 2
    check("the appointment is in Dr Ada Lee's column", left <= centre <= left + width, f"{left}..{left + width} vs {centre}")
    # A Consult is a Zoom visit: the event says where its meeting stands, in words. Dr Lee has
    # not connected Zoom yet, so the meeting waits for that.
    badge = "//*[contains(@class,'meeting-badge')]"
    wait.until(lambda d: d.find_element(By.XPATH, EVENT + badge).get_attribute("data-waiting") == "not_connected")
    shown = driver.find_element(By.XPATH, EVENT + badge)
    # (textContent: a short event may clip the words; the shape on its time line always shows.)
    words = shown.get_attribute("textContent")
    check("the event says the meeting waits for the Zoom connection",
          shown.get_attribute("data-meeting") == "pending" and "not connected" in words, words)
    driver.save_screenshot(os.path.join(OUT, "day-view.png"))

    # Move it by dragging it down by two quarter-hour slots.
    x, y, w, hgt = box(find_event())
    slot_height = hgt / 2  # a 30-minute visit spans two quarter-hour slots
    # Late in the evening there is no room below: drag up instead.
    direction = -1 if int(appointment["local_start"][11:13]) >= 22 else 1
    cx, cy = int(x + w / 2), int(y + min(hgt / 2, 12))
    drag = ActionBuilder(driver)
    pointer = drag.pointer_action.move_to_location(cx, cy).pointer_down().pause(0.3)
    for step in range(1, 9):
        pointer = pointer.move_to_location(cx, int(cy + direction * step * 2 * slot_height / 8)).pause(0.05)
    pointer.pause(0.3).pointer_up()
    drag.perform()
    time.sleep(1.5)
    moved = cli("show", str(appointment["id"]))
    later = moved["start"] > appointment["start"]
    check("dragging moved the appointment", later == (direction == 1) and moved["start"] != appointment["start"], f"{appointment['start']} -> {moved['start']}")
    check("the move is in the history", [h["action"] for h in moved["history"]] == ["booked", "moved"], str(moved["history"]))

    # Cancel with a reason, from the side panel.
    find_event().click()
    wait.until(lambda d: d.find_element(By.ID, "panel-meeting").get_attribute("data-waiting") == "not_connected")
    meeting = driver.find_element(By.ID, "panel-meeting").text
    check("the panel says why the meeting waits", "Dr Ada Lee’s Zoom account isn’t connected" in meeting, meeting)
    check("nothing to join or start yet", not driver.find_elements(By.CSS_SELECTOR, "#meeting-join, #meeting-start"))
    wait.until(lambda d: d.find_element(By.ID, "panel-mail").get_attribute("data-state") == "skipped")
    mail_text = driver.find_element(By.ID, "panel-mail").text
    check("the panel says Jane Doe gets no e-mail, and why",
          "The patient has no e-mail address: no invitation is sent." in mail_text, mail_text)
    check("nothing to resend without an address", not driver.find_elements(By.ID, "mail-resend"))
    cancel = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#panel button[data-status=cancelled]")))
    cancel.click()
    reason = wait.until(EC.visibility_of_element_located((By.ID, "cancel-reason")))
    audit("the appointment panel")
    reason.send_keys("Patient called to cancel")
    driver.find_element(By.CSS_SELECTOR, ".cancel-form button[type=submit]").click()
    wait.until(lambda d: cli("show", str(appointment["id"]))["status"] == "cancelled")
    shown = cli("show", str(appointment["id"]))
    check("cancelled with the reason", shown["cancel_reason"] == "Patient called to cancel", str(shown))
    wait.until(lambda d: "Cancelled" in d.find_element(By.ID, "panel").text)
    history = driver.find_element(By.CSS_SELECTOR, "#panel .history").text
    check("the panel's history says who did each change", history.count("Dana Desk") == 3, history)
    wait.until(lambda d: d.find_element(By.ID, "panel-meeting").get_attribute("data-state") == "cancelled")
    check("the cancelled visit's meeting is cancelled, having never reached Zoom",
          cli("show", str(appointment["id"]))["meeting"]["state"] == "cancelled" and "Meeting cancelled" in driver.find_element(By.ID, "panel-meeting").text)
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(OUT, "after-cancel.png"))

    # The week view, from the keyboard.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE, "w")
    wait.until(lambda d: "–" in d.find_element(By.ID, "date-label").text)
    check("W shows the week", len(driver.find_elements(By.CSS_SELECTOR, ".cal-head .col-head")) >= 7)
    days = [heading(h) for h in driver.find_elements(By.CSS_SELECTOR, ".cal-head .col-head") if "," in heading(h)]
    check("the columns and the label both start the week on Monday",
          days[:1] and days[0].startswith("Mon, ") and driver.find_element(By.ID, "date-label").text.startswith(days[0][5:]), str(days[:2]))
    audit("the week view")
    driver.save_screenshot(os.path.join(OUT, "week-view.png"))
    check("the receptionist is not offered the admin screens",
          not driver.find_elements(By.CSS_SELECTOR, "nav button[data-screen=staff]"))

    # Another Consult for Jane Doe, booked while Dr Lee's Zoom is still not connected: its
    # meeting waits, and goes by itself once the account is connected (below).
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    driver.switch_to.active_element.send_keys("Ja")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]")))
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    driver.switch_to.active_element.send_keys(Keys.CONTROL, Keys.ENTER)
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    live = [a for a in cli("day") if a["status"] == "booked"]
    check("a second Consult is booked", len(live) == 1, str(live))
    second = live[0]
    wait.until(lambda d: cli("show", str(second["id"]))["meeting"]["waiting"] == "not_connected")
    check("its meeting waits for the connection", True)

    # Sam Roe has an e-mail address: an in-person visit with Dr Ben Roy. The app's mail worker
    # sends the invitation at once through the clinic's SMTP server, and the panel says when.
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    driver.switch_to.active_element.send_keys("Sa")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]")))
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: d.find_element(By.ID, "book-patient").get_attribute("value") == "Sam Roe")
    check("no note for a patient with an e-mail address", driver.find_element(By.ID, "book-patient-note").text == "")
    Select(driver.find_element(By.ID, "book-type")).select_by_visible_text("Visit in person · 30 min · In person")
    Select(driver.find_element(By.ID, "book-doctor")).select_by_visible_text("Dr Ben Roy")
    driver.find_element(By.ID, "book-submit").click()
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    sam = [a for a in cli("day") if a["patient_id"] == 2]
    check("Sam Roe's visit is booked", len(sam) == 1, str(sam))
    sam = sam[0]
    WebDriverWait(driver, 20).until(lambda d: cli("show", str(sam["id"]))["mail"]["state"] == "sent")
    sent = mails()
    check("the clinic's SMTP server got one invitation, for Sam Roe",
          len(sent) == 1 and sent[0]["To"] == "sam.roe@example.org" and "METHOD:REQUEST" in sent[0].as_string(),
          str([(m["To"], m["Subject"]) for m in sent]))
    # A caller on the phone: "Tom Nguyen, telehealth, Dr Lee, tomorrow at 2". Every key counted,
    # as a receptionist types it: the name, Enter; "t" for Telehealth, Tab; "l" for Dr Lee, Tab;
    # ↑ for tomorrow, Tab; "14", Enter.
    keys = [("n",), ("t",), ("o",), ("m",)]
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    driver.switch_to.active_element.send_keys("tom")
    wait.until(lambda d: "Tom Nguyen" in d.find_element(By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]").text)
    for k in (Keys.ENTER, "t", Keys.TAB, "l", Keys.TAB, Keys.ARROW_UP, Keys.TAB, "1", "4", Keys.ENTER):
        driver.switch_to.active_element.send_keys(k)
        keys.append((k,))
        if k == Keys.ENTER and len(keys) == 5:
            wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "book-type")
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    check("Tom Nguyen's telehealth visit booked in at most 15 keystrokes", len(keys) <= 15, str(len(keys)))
    tom = [a for a in cli("day", "--date", cli_tomorrow()) if a["patient_id"] == 3]
    check("it is with Dr Ada Lee, tomorrow at 14:00, as a Telehealth visit",
          len(tom) == 1 and tom[0]["local_start"][11:16] == "14:00" and tom[0]["doctor_id"] == 3 and tom[0]["type_id"] == 3, str(tom))

    # The first free slot, from the keyboard: Jane Doe, in person, with Dr Ben Roy, at the first
    # time he is free from tomorrow on; Alt+1 takes it and Enter books it.
    free = cli("free", "--type", "2", "--doctor", "4", "--from", cli_tomorrow(), "--count", "1")
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    driver.switch_to.active_element.send_keys("Ja")
    wait.until(lambda d: "Jane Doe" in d.find_element(By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]").text)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "book-type")
    for k in ("v", Keys.TAB, "b", Keys.TAB, "tomorrow"):
        driver.switch_to.active_element.send_keys(k)
    check("a complete day moves on to the time", driver.switch_to.active_element.get_attribute("id") == "book-time")
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#book-slots button[data-slot='0']").text.startswith("Alt+1 " + d.find_element(By.ID, "book-date").get_attribute("value")))
    audit("the booking dialog with its first free slots")
    driver.save_screenshot(os.path.join(OUT, "booking-dialog.png"))
    ActionChains(driver).key_down(Keys.ALT).send_keys("1").key_up(Keys.ALT).perform()
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "book-submit")
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    first = free[0]
    day = first["local_start"][:10]
    taken = [a for a in cli("day", "--date", day) if a["patient_id"] == 1 and a["start"] == first["start"]]
    check("Alt+1 booked Jane Doe at Dr Ben Roy's first free time", len(taken) == 1 and taken[0]["doctor_id"] == 4,
          f"{first} vs {cli('day', '--date', day)}")
    cli("cancel", str(taken[0]["id"]), "--reason", "Booked for the test")
    driver.find_element(By.TAG_NAME, "body").send_keys("t")  # back to today

    # His panel, opened by a frontdesk:// link (a second launch hands it to the running window).
    subprocess.run([APP, f"frontdesk://appointment/{sam['id']}"], timeout=30, capture_output=True)
    wait.until(lambda d: d.find_element(By.ID, "panel-mail").get_attribute("data-state") == "sent")
    mail_text = driver.find_element(By.ID, "panel-mail").text
    check("the panel says when the invitation was sent", "Invitation sent" in mail_text, mail_text)
    audit("the appointment panel with a sent e-mail")
    driver.save_screenshot(os.path.join(OUT, "mail-sent.png"))
    # Resend: the same invitation (same Message-ID) goes again; the panel follows the worker.
    driver.find_element(By.ID, "mail-resend").click()
    WebDriverWait(driver, 20).until(lambda d: len(mails()) == 2)
    again = mails()
    check("Resend sent the same invitation again", again[1]["Message-ID"] == again[0]["Message-ID"] and again[1]["To"] == "sam.roe@example.org",
          str([m["Message-ID"] for m in again]))
    wait.until(lambda d: d.find_element(By.ID, "panel-mail").get_attribute("data-state") == "sent"
               and "Invitation sent" in d.find_element(By.ID, "panel-mail").text)
    check("the panel shows it sent again", True)
    sends = [e["actor"] for e in cli("audit", "--action", "mail_sent") if e["appointment_id"] == sam["id"]]
    check("each send is audited", sends == ["system:mail", "system:mail"], str(sends))
    answers = [a for a in driver.execute_script("return window.__frontdeskIpcLog || []") if a.startswith(("mailStatus ", "resendMail "))]
    check("the window was told the mail's state, never the address",
          answers and not any("sam.roe" in a or "Sam Roe" in a for a in answers), str(answers[-2:]))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    # Lock at once with Ctrl+L; the admin signs in and adds a doctor on the Staff screen.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.CONTROL, "l")
    wait.until(EC.presence_of_element_located((By.ID, "signin-pin")))
    check("Ctrl+L locks the desk", not driver.find_elements(By.ID, "date-label"))
    driver.find_element(By.XPATH, "//label[contains(@class,'person')][.//span[text()='Eli Admin']]").click()
    driver.find_element(By.ID, "signin-pin").send_keys("135790", Keys.ENTER)
    admin_screen("staff")
    wait.until(EC.element_to_be_clickable((By.XPATH, "//section[contains(@class,'directory')]//button[text()='Add']"))).click()
    wait.until(EC.visibility_of_element_located((By.ID, "s-name"))).send_keys("Dr Cy Novak")
    driver.find_element(By.CSS_SELECTOR, "#s-role option[value=doctor]").click()
    driver.find_element(By.ID, "s-pin").send_keys("999999")
    audit("the staff screen")
    driver.find_element(By.CSS_SELECTOR, "form.editor button[type=submit]").click()
    wait.until(lambda d: any(s["name"] == "Dr Cy Novak" for s in cli("staff", "list")))
    added = [s for s in cli("staff", "list") if s["name"] == "Dr Cy Novak"][0]
    check("the admin added a doctor with a PIN", added["role"] == "doctor" and added["has_pin"], str(added))
    admin_screen("settings")
    wait.until(EC.visibility_of_element_located((By.ID, "c-lock")))
    # The patient e-mail texts are there, with a preview filled in by the backend.
    wait.until(lambda d: d.find_element(By.ID, "mt-preview-body").get_attribute("value"))
    texts = driver.find_elements(By.CSS_SELECTOR, ".mail-texts .mt-list textarea")
    check("the admin sees the patient e-mail texts and a preview", len(texts) == 13, str(len(texts)))
    audit("the settings screen")

    # Video visits: the admin connects Dr Ada Lee's Zoom account through the wizard. The sign-in
    # page opens in the (stand-in) system browser, which approves it; the app's loopback gets
    # the answer and the wizard says who is connected.
    driver.find_element(By.CSS_SELECTOR, "nav button[data-screen=accounts]").click()
    cell = "td[data-doctor='3'][data-provider='zoom']"
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, cell)))
    check("Dr Ada Lee's Zoom starts not connected",
          driver.find_element(By.CSS_SELECTOR, cell).get_attribute("data-state") == "none")
    audit("the video visits screen")
    driver.find_element(By.CSS_SELECTOR, f"{cell} button[data-action=connect]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#connect-wizard[data-step=explain]")))
    audit("the connect wizard")
    driver.find_element(By.ID, "connect-start").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#connect-wizard[data-step=done]")))
    result = driver.find_element(By.ID, "connect-result").text
    check("the wizard says who is connected", "Connected as dr.lee@clinic.example" in result, result)
    driver.save_screenshot(os.path.join(OUT, "connected.png"))
    driver.find_element(By.ID, "connect-done").click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, cell).get_attribute("data-state") == "connected")
    check("the table shows the connection", "dr.lee@clinic.example" in driver.find_element(By.CSS_SELECTOR, cell).text)
    accounts = cli("accounts")
    check("the command line sees the same connection",
          [(a["doctor_id"], a["provider"], a["state"]) for a in accounts] == [(3, "zoom", "connected")], str(accounts))

    # The connection woke the Consult that waited for it: its meeting is made at Zoom within
    # seconds, and the calendar and the panel show it ready, with Join and (for an admin) Start.
    connected_at = time.monotonic()
    driver.find_element(By.CSS_SELECTOR, "nav button[data-screen=calendar]").click()
    def meeting_if_ready(_):
        meeting = cli("show", str(second["id"]))["meeting"]
        return meeting if meeting["state"] == "ready" else None

    ready = WebDriverWait(driver, 20).until(meeting_if_ready)
    check("the waiting meeting was made once Dr Lee connected Zoom", ready["join_url"].startswith("https://zoom.us/j/"), str(ready))
    live_badge = LIVE_EVENT + "//*[contains(@class,'meeting-badge')]"

    def ready_badge_text(d):
        # The calendar redraws the event when the meeting changes: read the badge in one go.
        try:
            badge = d.find_element(By.XPATH, live_badge)
            return badge.get_attribute("textContent") if badge.get_attribute("data-meeting") == "ready" else None
        except (NoSuchElementException, StaleElementReferenceException):
            return None

    badge_text = WebDriverWait(driver, 20).until(ready_badge_text)
    check("the calendar shows the meeting ready within 20 s",
          time.monotonic() - connected_at < 20 and "Meeting ready" in badge_text, badge_text)
    driver.execute_script(SCROLL_TO_EVENT, driver.find_element(By.XPATH, LIVE_EVENT))
    time.sleep(0.5)
    wait.until(EC.element_to_be_clickable((By.XPATH, LIVE_EVENT))).click()
    wait.until(lambda d: d.find_element(By.ID, "panel-meeting").get_attribute("data-state") == "ready")
    check("the panel offers Join and, to an admin, Start",
          driver.find_elements(By.ID, "meeting-join") and driver.find_elements(By.ID, "meeting-start"))
    audit("the appointment panel with a ready meeting")
    driver.save_screenshot(os.path.join(OUT, "meeting-ready.png"))
    driver.find_element(By.ID, "meeting-join").click()
    wait.until(lambda d: f"browser: opened {ready['join_url']}" in browser_log())
    check("Join opened the patient's link in the system browser", True)
    driver.find_element(By.ID, "meeting-start").click()
    wait.until(lambda d: "browser: opened a host start link" in browser_log())
    check("Start opened the host's link in the system browser", True)
    uses = [(e["actor"], e["detail"]) for e in cli("audit", "--action", "host_link_opened")]
    check("the host link's use is audited, without the link",
          uses == [("staff:1", {"appointment_id": second["id"], "provider": "zoom"})], str(uses))
    answers = "\n".join(driver.execute_script("return window.__frontdeskIpcLog || []"))
    check("no answer to the window holds a host link", "zak=" not in answers and "/s/" not in answers and "start_url" not in answers)
    driver.find_element(By.CSS_SELECTOR, "nav button[data-screen=accounts]").click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, cell)))
    driver.find_element(By.CSS_SELECTOR, f"{cell} button[data-action=disconnect]").click()
    wait.until(EC.element_to_be_clickable((By.ID, "disconnect-confirm-button"))).click()
    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, cell).get_attribute("data-state") == "none")
    notice = driver.find_element(By.ID, "accounts-notice").text
    check("disconnect revoked the grant at Zoom", "revoked" in notice.lower(), notice)

    # Hours: the admin enters Dr Ada Lee's week on the Hours screen, with the keyboard, from
    # today on (the form's date). A first try overlaps two blocks on Tuesday: the refusal shows
    # beside Tuesday and nothing typed is lost. Then a day off for her next Wednesday.
    admin_screen("hours")
    wait.until(EC.visibility_of_element_located((By.ID, "dh-mon")))
    Select(driver.find_element(By.ID, "dh-doctor")).select_by_visible_text("Dr Ada Lee")
    week = {"mon": "09:00-12:00, 13:00-17:00", "tue": "09:00-12:00, 11:00-13:00", "wed": "09:00-12:00, 13:00-17:00",
            "thu": "09:00-12:00, 13:00-17:00", "fri": "09:00-12:00, 13:00-17:00", "sat": "09:00-12:00"}
    for day, text in week.items():
        driver.find_element(By.ID, f"dh-{day}").send_keys(text)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    error = wait.until(EC.visibility_of_element_located((By.ID, "dh-tue-error")))
    check("the overlapping Tuesday is refused beside Tuesday, in words",
          "on Tuesday, 09:00-12:00 and 11:00-13:00 overlap" in error.text, error.text)
    check("the refusal takes the focus to Tuesday and keeps what was typed",
          driver.switch_to.active_element.get_attribute("id") == "dh-tue"
          and driver.find_element(By.ID, "dh-sat").get_attribute("value") == "09:00-12:00")
    audit("the hours screen with a refusal")
    tuesday = driver.switch_to.active_element
    tuesday.clear()
    tuesday.send_keys("09:00-12:00, 13:00-17:00", Keys.ENTER)
    wait.until(lambda d: cli("hours", "show", "--doctor", "3")["doctors"])
    entered = cli("hours", "show", "--doctor", "3")["doctors"]
    blocks = {d["day"]: [(b["start_minute"], b["end_minute"]) for b in d["blocks"]] for d in entered[0]["week"]["days"]}
    check("Dr Lee's week is saved as entered",
          len(entered) == 1 and blocks["tue"] == [(540, 720), (780, 1020)] and blocks["sat"] == [(540, 720)] and "sun" not in blocks,
          str(entered))
    wait.until(lambda d: "Dr Ada Lee, from" in d.find_element(By.ID, "doctor-weeks").text)
    check("the screen lists the week", not driver.find_element(By.ID, "dh-tue-error").is_displayed())
    toronto = datetime.datetime.now(zoneinfo.ZoneInfo("America/Toronto")).date()
    next_tuesday = toronto + datetime.timedelta(days=(1 - toronto.weekday()) % 7 or 7)
    next_wednesday = next_tuesday + datetime.timedelta(days=1)
    Select(driver.find_element(By.ID, "ex-whose")).select_by_visible_text("Dr Ada Lee")
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, "ex-date"), next_wednesday.isoformat())
    driver.find_element(By.ID, "ex-label").send_keys("Conference", Keys.ENTER)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#hours-exceptions tr[data-exception]"))
    off = cli("hours", "show", "--doctor", "3")["exceptions"]
    check("her day off is saved", [(x["kind"], x["first_day"], x["label"]) for x in off] == [("off", next_wednesday.isoformat(), "Conference")], str(off))
    audit("the hours screen")
    driver.save_screenshot(os.path.join(OUT, "hours.png"))
    changes = [e["actor"] for e in cli("audit") if e["action"] in ("doctor_hours_changed", "hours_exception_added")]
    check("each change to the hours is audited as the admin's", changes == ["staff:1", "staff:1"], str(changes))

    # The calendar shades Dr Lee's column outside those hours (Dr Ben Roy has none: no shade),
    # and says "Day off" on her day off. The day view steps to next Tuesday from the keyboard.
    driver.find_element(By.CSS_SELECTOR, "nav button[data-screen=calendar]").click()
    wait.until(EC.presence_of_element_located((By.ID, "date-label")))
    for _ in range(7):
        if driver.find_element(By.ID, "date-label").text.startswith("Tuesday"):
            break
        label = driver.find_element(By.ID, "date-label").text
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        wait.until(lambda d: d.find_element(By.ID, "date-label").text != label)
    time.sleep(1.0)

    def shades_in(doctor, selector=".shade.off-hours"):
        """The shaded boxes in a doctor's column, top to bottom, as [top, height, text]."""
        heads = [h for h in driver.find_elements(By.CSS_SELECTOR, ".cal-head .col-head") if heading(h) == doctor]
        if len(heads) != 1:
            return None
        left, _, width, _ = box(heads[0])
        found = []
        for shade in driver.find_elements(By.CSS_SELECTOR, selector):
            x, y, w, hgt = box(shade)
            if left <= x + w / 2 <= left + width:
                found.append([y, hgt, shade.get_attribute("textContent").strip()])
        return sorted(found)

    wait.until(lambda d: shades_in("Dr Ada Lee") and len(shades_in("Dr Ada Lee")) == 3)
    shades = shades_in("Dr Ada Lee")
    night, lunch, evening = (s[1] for s in shades)
    check("Dr Lee's Tuesday is shaded before 09:00, over lunch and after 17:00 (9 h, 1 h, 7 h)",
          abs(night / lunch - 9) < 0.3 and abs(evening / lunch - 7) < 0.3, str(shades))
    check("Dr Ben Roy, with no hours entered, has no shade", shades_in("Dr Ben Roy") == [], str(shades_in("Dr Ben Roy")))
    audit("the day view with working hours")
    driver.save_screenshot(os.path.join(OUT, "working-hours.png"))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    wait.until(lambda d: d.find_element(By.ID, "date-label").text.startswith("Wednesday"))
    wait.until(lambda d: shades_in("Dr Ada Lee", ".shade.day-off"))
    marked = shades_in("Dr Ada Lee", ".shade.day-off")
    check("her day off says so in her column", [m[2] for m in marked] == ["Day off: Conference"], str(marked))
    words = driver.find_element(By.CSS_SELECTOR, ".shade.day-off .off-label")
    _, top, _, _ = box(words)
    _, grid_top, _, grid_height = box(driver.find_element(By.CSS_SELECTOR, ".cal-scroller"))
    check("the words are in view where the day opens, not at midnight above it",
          grid_top <= top <= grid_top + grid_height, f"{top} not in {grid_top}..{grid_top + grid_height}")
    driver.save_screenshot(os.path.join(OUT, "day-off.png"))

    # A second launch with a frontdesk:// link hands it to the running window and exits.
    second = subprocess.run([APP, "frontdesk://day/2026-01-05"], timeout=30, capture_output=True)
    check("a second launch exits and leaves the running window", second.returncode == 0, str(second.stderr[-300:]))
    wait.until(lambda d: d.find_elements(By.ID, "date-label") and "January 5, 2026" in d.find_element(By.ID, "date-label").text)
    check("the link opened that day in the running window", True)
    subprocess.run([APP, "frontdesk://settings/delete-everything"], timeout=30, capture_output=True)
    time.sleep(1.0)
    check("an unknown link changes nothing", "January 5, 2026" in driver.find_element(By.ID, "date-label").text)
    with open(os.path.join(OUT, "ipc-responses.log"), "w") as f:
        f.write("\n".join(driver.execute_script("return window.__frontdeskIpcLog || []")))
    print(f"{checks.passed} passed, 0 failed")
except Exception:
    driver.save_screenshot(os.path.join(OUT, "failure.png"))
    print(f"{checks.passed} passed, 1 failed")
    raise
finally:
    driver.quit()
