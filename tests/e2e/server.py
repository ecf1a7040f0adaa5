"""End-to-end on the clinic's server: the real Frontdesk window, its schedule on PostgreSQL.

A receptionist signs in at a desk joined to the server; a booking made meanwhile by another
program on the same server (the command-line twin) appears on her calendar within a second,
without a reload.

Usage: server.py APP_BINARY CLI_BINARY OUTPUT_DIR WEBDRIVER_URL
(FRONTDESK_DATABASE_URL names the server's database, already set up; the app is started by the
WebDriver server with that address.)
"""
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from checks import Checks, open_window

APP, CLI, OUT, DRIVER = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
EVENT = "//*[contains(concat(' ', normalize-space(@class), ' '), ' ec-event ')][contains(., 'Tom Nguyen')]"
checks = Checks()
check = checks.check


def cli(*args):
    out = subprocess.run([CLI, "--json", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


driver, wait = open_window(DRIVER, APP)
try:
    wait.until(EC.presence_of_element_located((By.ID, "signin-pin")))
    driver.find_element(By.XPATH, "//label[contains(@class,'person')][.//span[text()='Dana Desk']]").click()
    driver.find_element(By.ID, "signin-pin").send_keys("246802", Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.ID, "date-label")))
    check("a desk on the clinic's server signs in", "Dana Desk" in driver.find_element(By.CSS_SELECTOR, ".statusline").text)
    time.sleep(1)  # the desk's line to the server's announcements comes up
    driver.execute_script("window.__sameDocument = true")

    # Another desk books today on the same server.
    today = cli("day")
    check("the server's day starts empty", today == [], str(today))
    booked = cli("book", "--patient", "1", "--doctor", "3", "--type", "1", "--at", datetime.now(ZoneInfo("America/Toronto")).strftime("%Y-%m-%dT") + "12:00")
    committed = time.monotonic()
    seen = None
    while time.monotonic() - committed < 5:
        if driver.find_elements(By.XPATH, EVENT):
            seen = time.monotonic() - committed
            break
        time.sleep(0.02)
    check("the other desk's booking is on the calendar within a second, without a reload",
          seen is not None and seen < 1.0, f"after {seen} s")
    print(f"desk to desk in the real window: {seen * 1000:.0f} ms (booking committed to the event drawn)")
    check("the window was not reloaded", driver.execute_script("return window.__sameDocument === true") is True)
    check("the booking is the one on the server", booked["patient_id"] == 1)
    # The booking in view, for the screenshot (the calendar's own scroller).
    driver.execute_script("""
        const ev = arguments[0];
        let el = ev.parentElement;
        while (el && !(el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== 'visible')) el = el.parentElement;
        if (el) el.scrollTop += ev.getBoundingClientRect().top - el.getBoundingClientRect().top - 120;
    """, driver.find_element(By.XPATH, EVENT))
    time.sleep(0.3)
    driver.save_screenshot(os.path.join(OUT, "server-day.png"))
finally:
    driver.quit()
print(f"{checks.passed} passed, 0 failed")
