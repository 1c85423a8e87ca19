"""What the page tests of signed-in people share: data made through the JSON API, signing
in through /connexion, and the checks every page passes (axe, a phone's width)."""
import uuid
from datetime import date

from selenium.webdriver.common.by import By

from tests.support.browser import (
    as_desktop,
    as_phone,
    axe_violations,
    describe,
    screenshot,
)
from tests.support.browser import click_and_wait_for_the_next_page as follow  # noqa: F401
from tests.support.running_platform import PASSWORD

# The elements that stick out on the right, innermost first: where to look when a page
# scrolls sideways.
WIDER_THAN_THE_PAGE = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1
               && ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.className ? '.' + e.className : ''));
"""


def created(answer):
    assert answer.status_code in (200, 201, 202), answer.text
    return answer.json()


def account(platform, roles, organisation_id=None, name="Camille"):
    """An account of these roles made by staff through the API; its email."""
    email = f"{'-'.join(roles)}-{uuid.uuid4().hex[:8]}@example.org"
    created(platform.post("/accounts", {"email": email, "password": PASSWORD,
                                        "display_name": name, "roles": roles,
                                        "organisation_id": organisation_id}))
    return email


def member(platform, name, dues_paid_cents=0):
    """An organisation with an active membership of this year (dues partly paid)."""
    organisation = created(platform.post("/organisations", {
        "name": name, "legal_form": "association", "postal_code": "01400",
        "commune": "Châtillon-sur-Chalaronne", "territory": "dombes"}))
    membership = created(platform.post(f"/organisations/{organisation['id']}/memberships",
                                       {"year": date.today().year, "circle": "core"}))
    created(platform.post(f"/memberships/{membership['id']}/status", {"status": "active"}))
    if dues_paid_cents:
        created(platform.post(f"/memberships/{membership['id']}/payments", {
            "amount_cents": dues_paid_cents, "paid_on": date.today().isoformat(),
            "method": "transfer"}, **{"Idempotency-Key": str(uuid.uuid4())}))
    return organisation, platform.get(f"/memberships/{membership['id']}", as_="staff").json()


def sign_in(browser, platform, email, path):
    """Open `path` signed out, sign in on the page it leads to, land back on `path`."""
    browser.delete_all_cookies()
    browser.get(platform.base_url + path)
    assert "/connexion" in browser.current_url
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.stacked button"))
    assert browser.current_url == platform.base_url + path


def set_day(browser, field_id, day):
    """A date field's value, as the browser would send it (its own picker is locale's)."""
    browser.execute_script("arguments[0].value = arguments[1]",
                           browser.find_element(By.ID, field_id), day.isoformat())


def submit(browser, form_css):
    """Send the form found by `form_css` with its own button; wait for the answer."""
    follow(browser, browser.find_element(By.CSS_SELECTOR, f"{form_css} button[type=submit]"))


def assert_accessible(browser):
    violations = axe_violations(browser)
    assert violations == [], describe(violations)


def _fits(browser, name):
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, (f"{name} scrolls sideways on a phone by {overflow}px: "
                           f"{browser.execute_script(WIDER_THAN_THE_PAGE)}")
    screenshot(browser, f"{name}-phone")


def assert_fits_a_phone(browser, name):
    """The page shown, as it is (a form sent back, say), fits a phone's width (no
    sideways scrolling); a screenshot of it, <name>-phone.png."""
    as_phone(browser)
    try:
        _fits(browser, name)
    finally:
        as_desktop(browser)


def assert_readable_on_a_phone(browser, platform, pages, unfold=False):
    """Each page, {name: path}, fits a phone's width (no sideways scrolling); a
    screenshot of each, <name>-phone.png. `unfold`: its folded parts (<details>: the
    forms of each record, say) opened first, so that they are measured too."""
    as_phone(browser)
    try:
        for name, path in pages.items():
            browser.get(platform.base_url + path)
            if unfold:
                browser.execute_script(
                    "document.querySelectorAll('details').forEach(d => d.open = true)")
            _fits(browser, name)
    finally:
        as_desktop(browser)
