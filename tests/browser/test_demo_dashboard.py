"""The demo data set loaded through the API, then read on the funder dashboard in a real
browser: its key figures are the cluster's description."""
import uuid
from datetime import date

import pytest

from tests.browser.test_dashboard import NNBSP, figures, readable_tables, sign_in, table
from tests.e2e.test_demo import load_demo
from tests.support.browser import (
    LAPTOP,
    as_desktop,
    as_phone,
    axe_violations,
    describe,
    screenshot,
)
from tests.support.waiting import wait_until

YEAR = date.today().year


@pytest.fixture(scope="module")
def demo_staff(platform):
    """A staff account, and the demo data loaded with it."""
    email = f"demo-{uuid.uuid4().hex[:8]}@example.org"
    platform.create_by_command(email, ["operator", "animator"])
    load_demo(platform, email)
    return email


def test_after_the_demo_data_the_dashboard_shows_the_description(browser, platform,
                                                                  demo_staff):
    sign_in(browser, platform, demo_staff)
    wait_until(lambda: browser.current_url.endswith("/tableau-de-bord"), timeout=10,
               message="the dashboard after signing in")
    shown = figures(browser)
    members = shown[f"Structures adhérentes en {YEAR}"].split("\n")
    assert members == ["20", "dont 10 utilisent des services mutualisés"]
    assert shown["Emplois portés par les services mutualisés"].split(" ETP")[0] in (
        "9", "9,0", "9,00")
    assert shown["Entreprises sociales créées"] == f"{YEAR - 2004}\ndepuis 2005"
    assert shown["Emplois consolidés"].split("\n")[0] in ("300 ETP", "300,0 ETP", "300,00 ETP")
    assert axe_violations(browser) == [], describe(axe_violations(browser))

    # The resources in the kinds of the description, and the members' money in them.
    members, resources = table(browser, "adherents"), table(browser, "ressources")
    assert resources["2017"]["Région : animation du pôle"] == f"20{NNBSP}000 €"
    assert resources["2018"]["Région : animation du pôle"] == "0 €"
    assert resources["2022"]["Subventions publiques de projets"] == f"45{NNBSP}000 €"
    assert resources["2019"]["Fondations"] == f"20{NNBSP}000 €"
    assert resources["2023"]["Investisseurs privés"] == f"30{NNBSP}000 €"
    this_year = str(YEAR)
    assert members[this_year]["Mutualisation facturée"] == resources[this_year]["Mutualisation"]
    assert members[this_year]["Cotisations payées"] \
        == resources[this_year]["Cotisations des adhérents"] != "0 €"

    for name, size in (("laptop", LAPTOP), ("phone", None)):
        browser.set_window_size(*size) if size else as_phone(browser)
        try:
            assert readable_tables(browser) == []
            screenshot(browser, f"dashboard-demo-{name}")
        finally:
            as_desktop(browser)
