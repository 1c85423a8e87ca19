"""Page tests in a real headless Chromium against the whole platform (the e2e tests'
`platform` fixture: real services, gateway and payment simulator)."""
import pytest

from tests.e2e.conftest import platform  # noqa: F401  (the same running platform)
from tests.support.browser import screenshot, start_browser


@pytest.fixture(scope="module")
def browser():
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture(autouse=True)
def screenshot_at_the_end(request):
    """Each test that uses the browser leaves the page it ended on in
    artifacts/browser/<test>.png, passed or failed: the first thing to look at when a
    page test fails."""
    yield
    if "browser" in request.fixturenames:
        screenshot(request.getfixturevalue("browser"), request.node.name)
