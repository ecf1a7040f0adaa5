"""End-to-end on the clinic's server: the real Frontdesk window, its schedule on PostgreSQL.

A receptionist signs in at a desk joined to the server; a booking made meanwhile by another
program on the same server (the command-line twin) appears on her calendar within a second,
without a reload. Then the desk's cable to the server is cut: within 5 seconds the desk says so
and shows its read copy; a booking is refused and keeps what was typed; when the cable is mended
the desk says so, shows what another desk booked meanwhile, and books. Last, the app starts with
the server away: sign-in from the copy, and the day read-only.

Usage: server.py APP_BINARY CLI_BINARY OUTPUT_DIR WEBDRIVER_URL
(FRONTDESK_DATABASE_URL is the address the app is started with by the WebDriver server: through
a cable this script holds on 127.0.0.1; FRONTDESK_DIRECT_URL the server's own, for the other desk.)
"""
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from cable import Cable
from checks import Checks, open_window

APP, CLI, OUT, DRIVER = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
EVENT = "//*[contains(concat(' ', normalize-space(@class), ' '), ' visit ')][contains(., 'Tom Nguyen')]"
checks = Checks()
check = checks.check


# Another desk: the command-line twin on the server directly, with a data folder of its own.
OTHER = dict(os.environ, FRONTDESK_DATABASE_URL=os.environ["FRONTDESK_DIRECT_URL"],
             FRONTDESK_DATA_DIR=os.path.join(OUT, "other-desk"))


def cli(*args):
    out = subprocess.run([CLI, "--json", *args], check=True, capture_output=True, text=True, env=OTHER)
    return json.loads(out.stdout)


def port_of(url):
    return int(url.rsplit("@", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


direct = os.environ["FRONTDESK_DIRECT_URL"]
cable = Cable(port_of(os.environ["FRONTDESK_DATABASE_URL"]), "127.0.0.1", port_of(direct))
TORONTO = ZoneInfo("America/Toronto")
tomorrow = (datetime.now(TORONTO) + timedelta(days=1)).strftime("%Y-%m-%d")


def banner(d):
    found = d.find_elements(By.ID, "server-banner")
    return found[0].text if found and found[0].is_displayed() else ""


def dialog(d):
    return d.execute_script("return document.querySelector('.overlay')?.textContent || ''")


def shown_on_failure(d):
    """What the window showed when a check failed: a screenshot and its text."""
    d.save_screenshot(os.path.join(OUT, "server-failure.png"))
    print("the window showed:\n" + d.execute_script("return document.body.innerText"), file=sys.stderr)


def toms(date=None):
    return [a for a in cli("day", *(["--date", date] if date else [])) if a["patient_id"] == 1]


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

    # The server goes away (the desk's cable is cut): the desk says so within 5 seconds.
    time.sleep(2)  # the desk's copy has been taken since the booking
    cable.cut()
    cut = time.monotonic()
    WebDriverWait(driver, 10, poll_frequency=0.05).until(lambda d: "Clinic server unreachable since" in banner(d))
    noticed = time.monotonic() - cut
    check("the desk says the server is away within 5 seconds", noticed < 5, f"after {noticed:.1f} s")
    print(f"server away noticed in the real window after {noticed * 1000:.0f} ms")
    check("it says how old the schedule shown is", "showing the schedule as of" in banner(driver), banner(driver))
    status = driver.find_element(By.ID, "network-status").text
    check("the status line says so too", status.startswith("Clinic server: unreachable since"), status)
    check("the day is still shown, from the copy", len(driver.find_elements(By.XPATH, EVENT)) == 1)
    driver.find_element(By.XPATH, EVENT).click()
    wait.until(lambda d: "Tom Nguyen" in d.find_element(By.ID, "panel").text)
    check("the side panel opens from the copy", True)
    driver.save_screenshot(os.path.join(OUT, "server-away.png"))

    # A booking while the server is away is refused with the message, and keeps what was typed.
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    driver.find_element(By.TAG_NAME, "body").send_keys("n")
    wait.until(EC.presence_of_element_located((By.ID, "book-patient")))
    driver.switch_to.active_element.send_keys("Tom")
    wait.until(lambda d: "Tom Nguyen" in d.find_element(By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]").text)
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "book-type")
    for k in (Keys.TAB, Keys.TAB, "tomorrow"):
        driver.switch_to.active_element.send_keys(k)
    wait.until(lambda d: d.switch_to.active_element.get_attribute("id") == "book-time")
    driver.switch_to.active_element.send_keys("15", Keys.ENTER)
    wait.until(lambda d: "does not answer" in dialog(d))
    check("the booking is refused with the server's state", "cannot change it" in dialog(driver))
    check("what was typed is kept",
          driver.find_element(By.ID, "book-patient").get_attribute("value") == "Tom Nguyen"
          and driver.find_element(By.ID, "book-time").get_attribute("value") != "")
    check("nothing was booked", toms(tomorrow) == [])

    # Another desk books meanwhile; the cable is mended: the desk says so once, shows that
    # booking, and the kept booking goes through.
    cli("book", "--patient", "1", "--doctor", "3", "--type", "1", "--at", datetime.now(TORONTO).strftime("%Y-%m-%dT") + "16:00")
    cable.mend()
    mended = time.monotonic()
    WebDriverWait(driver, 10, poll_frequency=0.05).until(lambda d: "again" in banner(d))
    back = time.monotonic() - mended
    check("the desk says the server is back within 5 seconds", back < 5, f"after {back:.1f} s")
    status = driver.find_element(By.ID, "network-status").text
    check("the status line says it is connected again", status == "Clinic server: connected", status)
    print(f"server back noticed in the real window after {back * 1000:.0f} ms")
    WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.XPATH, EVENT)) == 2)
    check("the booking made meanwhile at another desk is shown", True)
    driver.find_element(By.ID, "book-submit").click()
    wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
    booked = toms(tomorrow)
    check("the kept booking is made once the server answers",
          len(booked) == 1 and booked[0]["local_start"][11:16] == "15:00", str(booked))
    time.sleep(3)  # the copy follows the desk's own booking
except Exception:
    shown_on_failure(driver)
    raise
finally:
    driver.quit()

# The app starts while the server is away: the sign-in screen says so, staff sign in with the
# PINs the copy knows, and the day is shown read-only.
cable.cut()
driver, wait = open_window(DRIVER, APP)
try:
    wait.until(EC.presence_of_element_located((By.ID, "signin-pin")))
    wait.until(lambda d: "Clinic server unreachable since" in banner(d))
    check("a desk that starts with the server away says so at sign-in", True)
    driver.find_element(By.XPATH, "//label[contains(@class,'person')][.//span[text()='Dana Desk']]").click()
    driver.find_element(By.ID, "signin-pin").send_keys("246802", Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.ID, "date-label")))
    check("she signs in from the copy", "Dana Desk" in driver.find_element(By.CSS_SELECTOR, ".statusline").text)
    wait.until(lambda d: len(d.find_elements(By.XPATH, EVENT)) == 2)
    check("the day is read from the copy, with the server away", "unreachable" in banner(driver))
    driver.save_screenshot(os.path.join(OUT, "server-away-start.png"))
except Exception:
    shown_on_failure(driver)
    raise
finally:
    driver.quit()
    cable.mend()
print(f"{checks.passed} passed, 0 failed")
