"""What the end-to-end scripts share: numbered checks that stop the run at the first failure, and
the axe-core accessibility audit of the screen shown."""
import os

AXE = open(os.path.join(os.path.dirname(__file__), "..", "..", "ui", "node_modules", "axe-core", "axe.min.js")).read()


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
