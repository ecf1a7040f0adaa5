"""What the end-to-end scripts share: the app's window opened over WebDriver, numbered checks that
stop the run at the first failure, and the axe-core accessibility audit of the screen shown."""
import os

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.options import ArgOptions
from selenium.webdriver.support.ui import WebDriverWait

AXE = open(os.path.join(os.path.dirname(__file__), "..", "..", "ui", "node_modules", "axe-core", "axe.min.js")).read()


def open_window(webdriver_url, app):
    """The app `app` started by the WebDriver server at `webdriver_url`, and a 20 s wait on it
    that reads again an element caught mid-redraw (the calendar and the panel redraw as meetings
    and mails change)."""
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {"application": app})
    driver = webdriver.Remote(command_executor=webdriver_url, options=opts)
    return driver, WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


class Checks:
    def __init__(self):
        self.passed = 0

    def check(self, name, condition, detail=""):
        """One check: `ok - name`, or an AssertionError naming it and `detail`."""
        if not condition:
            raise AssertionError(f"{name}: {detail}")
        self.passed += 1
        print(f"ok - {name}")

    def audit(self, driver, screen):
        """axe-core on the current screen: no serious or critical accessibility violation."""
        driver.execute_script(AXE)
        found = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, { resultTypes: ['violations'] })"
            ".then(r => done(r.violations.map(v => [v.id, v.impact, v.nodes.length, v.nodes[0] && v.nodes[0].target.join(' ')])))"
            ".catch(e => done([['axe-error', 'critical', 0, String(e)]]));")
        bad = [v for v in found if v[1] in ("serious", "critical")]
        self.check(f"accessibility of {screen}: no serious or critical violation", not bad, str(bad))
