"""A real browser for the page tests: Debian's headless Chromium driven by selenium, a
full-page screenshot of each test under artifacts/browser/, and axe-core's accessibility
check run inside the page.

`make test` installs chromium and chromium-driver (Debian packages) and fetches a pinned
axe-core from the npm registry into .cache/; without them these fail and say so.
"""
import base64
import json
import re
import shutil
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from shared.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE_SCRIPT = REPO_ROOT / ".cache" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "artifacts" / "browser"
BLOCKING_IMPACTS = ("serious", "critical")
# No sandbox (CI runs as root), no GPU, nothing fetched behind the test's back (updates,
# components, first-run pages), /tmp rather than a small /dev/shm, French first.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-dev-shm-usage", "--lang=fr-FR")
DESKTOP, PHONE = (1280, 900), (390, 844)
LAPTOP = (1366, 768)  # the most common laptop screen


def start_browser() -> webdriver.Chrome:
    for path in (CHROMIUM, CHROMEDRIVER):
        assert Path(path).exists() or shutil.which(Path(path).name), (
            f"{path} is missing: run `make test` (it installs Debian's chromium and "
            "chromium-driver), or `sudo apt-get install -y chromium chromium-driver`")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    # The driver's path is given, so selenium never tries to download one.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


def screenshot(driver, name: str) -> Path:
    """The whole page (beyond the window's height) as a PNG under artifacts/browser/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                  {"format": "png", "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def as_phone(driver):
    """The window of a common phone; `as_desktop` puts it back."""
    driver.set_window_size(*PHONE)


def as_desktop(driver):
    driver.set_window_size(*DESKTOP)


def axe_violations(driver) -> list:
    """axe-core's violations of the page shown, serious and critical ones only."""
    assert AXE_SCRIPT.exists(), "run `make test` (it fetches axe-core into .cache/ first)"
    driver.execute_script(AXE_SCRIPT.read_text())
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        "  .then(result => done(result.violations), error => done({error: String(error)}));")
    assert not isinstance(violations, dict), violations
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations) -> str:
    """Violations as a reader wants them in a failed assertion: rule, help, where."""
    return json.dumps([{"rule": v["id"], "impact": v["impact"], "help": v["help"],
                        "where": [node["target"] for node in v["nodes"]][:5]}
                       for v in violations], ensure_ascii=False, indent=1)


def click_and_wait_for_the_next_page(driver, element, timeout=15):
    """Click a link or a form's button and wait until the next page has loaded: `click`
    returns before the answer has. The page left may be reported stale, or, while
    chromedriver looks at it, as "Node ... does not belong to the document" (an unknown
    error): both mean it is gone."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()

    def gone(_):
        try:
            page.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" not in str(exc):
                raise
            return True
        return False
    WebDriverWait(driver, timeout).until(gone)
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.readyState") == "complete")
