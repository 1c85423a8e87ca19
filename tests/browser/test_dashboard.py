"""The funders' dashboard in headless Chromium: after some of the cluster's life has been
recorded through the API, a funder signs in and reads the key figures, then each chart
with its table; a citizen may not read it; the filters say what is wrong next to the
field; the page is accessible (axe), its tables readable on a laptop's 1366 px and on a
phone (every column shown, a hint where a table scrolls), its charts legible on a phone;
its tables agree (dues and mutualisation invoiced to members are in the resource mix)."""
import uuid
from datetime import date

import pytest
import requests
from selenium.webdriver.common.by import By

from tests.support.browser import (
    LAPTOP,
    as_desktop,
    as_phone,
    axe_violations,
    click_and_wait_for_the_next_page,
    describe,
    screenshot,
)
from tests.support.funding import PROJECT, given, live_campaign
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

YEAR = date.today().year
NNBSP = "\u202f"  # babel's thousands separator; its no-break space reads as " " here
CHARTS = ("adherents", "entreprises", "emplois", "collecte", "ressources", "cercles")
DUES, INVOICED = 5_000, 20_000  # an association's dues; a month of the shared service


def created(answer):
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def member(platform, name, circle, subscribe_to=None, pays_dues=False):
    organisation = created(platform.post("/organisations", {
        "name": name, "legal_form": "association", "postal_code": "01400",
        "commune": "Châtillon-sur-Chalaronne", "territory": "dombes"}))
    membership = created(platform.post(f"/organisations/{organisation['id']}/memberships",
                                       {"year": YEAR, "circle": circle}))
    created(platform.post(f"/memberships/{membership['id']}/status", {"status": "active"}))
    if pays_dues:
        assert membership["dues_cents"] == DUES
        created(platform.post(f"/memberships/{membership['id']}/payments", {
            "amount_cents": DUES, "method": "transfer",
            "paid_on": not_after_today(date(YEAR, 1, 15))},
            **{"Idempotency-Key": f"dues-{membership['id']}"}))
    if subscribe_to:  # since last December, invoiced for it
        created(platform.post(f"/organisations/{organisation['id']}/subscriptions", {
            "service_id": subscribe_to, "starts_on": f"{YEAR - 1}-12-01"}))


def not_after_today(day: date) -> str:
    """A fact done is never dated in the future (projects refuse it): this year's facts
    are dated today at the latest."""
    return min(day, date.today()).isoformat()


def enterprise(platform, title, year, siren, created_fte, consolidated_fte):
    project = created(platform.post("/projects", {**PROJECT, "title": title,
                                                  "territory": "dombes"}))
    for stage in ("emergence", "incubation"):
        created(platform.post(f"/projects/{project['id']}/stage", {"stage": stage}))
    created(platform.post(f"/projects/{project['id']}/enterprise", {
        "name": title, "legal_form": "scic", "siren": siren,
        "created_on": not_after_today(date(year, 6, 1))}))
    created(platform.post(f"/projects/{project['id']}/job-reports", {
        "reported_on": not_after_today(date(year, 12, 31)), "created_fte": created_fte,
        "consolidated_fte": consolidated_fte}))
    return project


@pytest.fixture(scope="module")
def cluster(platform):
    """Three members (one using a mutualised service of 2.5 FTE), two enterprises with
    their jobs, a gift of 1 234,50 € matched by 500 €, a grant, a sale and volunteering;
    and a funder's account. Returns once reporting shows all of it."""
    service = created(platform.post("/mutualised-services", {
        "name": "Comptabilité partagée", "fte_carried": 2.5, "pricing": "monthly",
        "price_cents": 20_000}))
    member(platform, "Recyclerie de la Dombes", "core", subscribe_to=service["id"],
           pays_dues=True)
    member(platform, "Épicerie solidaire de Trévoux", "core")
    member(platform, "Jardins de Cocagne de l'Ain", "project")
    first = enterprise(platform, "Atelier vélo", YEAR - 1, "732829320", 2, 3.5)
    second = enterprise(platform, "Cantine partagée", YEAR, "552100554", 1.5, 4)
    invoices = created(platform.post("/mutualisation/invoices", {"year": YEAR - 1, "month": 12},
                                     **{"Idempotency-Key": f"invoices-{uuid.uuid4()}"}))
    assert [invoice["total_cents"] for invoice in invoices["items"]] == [INVOICED]
    campaign = live_campaign(platform, project_id=first["id"], matchfunding={
        "funder": "Fondation du Val", "total_cap_cents": 500_000,
        "per_contribution_cap_cents": 50_000, "per_contributor_cap_cents": 50_000})
    given(platform, campaign["id"], 123_450)
    for resource in ({"kind": "grant", "amount_cents": 1_500_000, "year": YEAR - 1,
                      "project_id": first["id"], "funder": "Région Auvergne-Rhône-Alpes",
                      "funder_type": "public"},
                     {"kind": "grant", "amount_cents": 300_000, "year": YEAR,
                      "project_id": second["id"], "funder": "Fondation de l'Ain",
                      "funder_type": "foundation"},
                     {"kind": "sale", "amount_cents": 250_000, "year": YEAR}):
        created(platform.post("/resources", resource))
    created(platform.post("/volunteering", {"hours": 40,
                                            "done_on": not_after_today(date(YEAR, 5, 1)),
                                            "activity": "Chantier participatif"}))
    funder = {"email": f"financeur-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD}
    created(platform.post("/accounts", {**funder, "display_name": "Région",
                                        "roles": ["funder"]}))

    def caught_up():
        reports = {name: platform.get(f"/reports/{name}", as_="staff").json()["totals"]
                   for name in ("incubation", "funding", "resources")}
        return (reports["incubation"]["enterprises_total"] == 2
                and reports["funding"]["net_raised_cents"] == 123_450
                and reports["resources"]["volunteering_hours"] == 40
                and reports["resources"]["monetary_total_cents"] == 2_248_450)
    wait_until(caught_up, timeout=30, interval=0.3, message="reporting to catch up")
    return {"funder": funder}


def sign_in(browser, platform, email, password=PASSWORD, path="/tableau-de-bord"):
    browser.delete_all_cookies()
    browser.get(platform.base_url + path)
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, "form.stacked button"))


def figures(browser):
    return {item.find_element(By.TAG_NAME, "dt").text: item.find_element(By.TAG_NAME, "dd").text
            for item in browser.find_elements(By.CSS_SELECTOR, ".figures .figure")}


def table(browser, chart):
    """A block's table: {year: {column: cell}}, a no-break space read as a space."""
    section = browser.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='{chart}-titre']")
    headers = [th.get_attribute("textContent").strip()
               for th in section.find_elements(By.CSS_SELECTOR, "thead th")]
    return {row.find_element(By.TAG_NAME, "th").get_attribute("textContent").strip():
            dict(zip(headers[1:], (cell.get_attribute("textContent").strip().replace("\xa0", " ")
                                   for cell in row.find_elements(By.TAG_NAME, "td"))))
            for row in section.find_elements(By.CSS_SELECTOR, "tbody tr, tfoot tr")}


def readable_tables(browser):
    """What keeps a table from being read at this width: a column not shown, or a table
    wider than its box with no hint that it scrolls."""
    return browser.execute_script("""
        const problems = [];
        for (const box of document.querySelectorAll('.table-scroll')) {
          const name = box.getAttribute('aria-labelledby');
          for (const cell of box.querySelectorAll('th, td')) {
            const shown = cell.getBoundingClientRect();
            if (shown.width < 1 || shown.height < 1
                || getComputedStyle(cell).visibility === 'hidden') {
              problems.push(name + ': a hidden cell ' + cell.textContent); break;
            }
          }
          const hint = box.nextElementSibling;
          if (box.scrollWidth > box.clientWidth + 1
              && !(hint && hint.classList.contains('scroll-hint') && hint.offsetHeight > 0))
            problems.push(name + ': scrolls by ' + (box.scrollWidth - box.clientWidth)
                          + 'px with no hint');
          if (box.scrollWidth > box.clientWidth + 1 && box.tabIndex !== 0)
            problems.push(name + ': scrolls but the keyboard cannot reach it');
        }
        return problems;""")


def smallest_chart_text(browser):
    """The smallest text of the charts as drawn on screen, in CSS pixels."""
    return browser.execute_script("""
        let smallest = 1000;
        for (const text of document.querySelectorAll('svg.chart-svg text')) {
          const svg = text.ownerSVGElement;
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          smallest = Math.min(smallest, parseFloat(getComputedStyle(text).fontSize) * scale);
        }
        return smallest;""")


def test_an_anonymous_reader_is_asked_to_sign_in(browser, platform):
    browser.delete_all_cookies()
    browser.get(platform.base_url + "/tableau-de-bord")
    assert browser.current_url.startswith(platform.base_url + "/connexion?suivant=")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Se connecter"
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_a_funder_reads_the_key_figures_and_each_chart_with_its_table(browser, platform,
                                                                    cluster):
    sign_in(browser, platform, cluster["funder"]["email"])
    wait_until(lambda: browser.current_url.endswith("/tableau-de-bord"), timeout=10,
               message="the dashboard after signing in")
    session = browser.get_cookie("dombinnov_session")
    assert (session["httpOnly"], session["sameSite"]) == (True, "Lax")

    shown = figures(browser)
    assert shown[f"Structures adhérentes en {YEAR}"] == "3\ndont 1 utilisent des services " \
                                                       "mutualisés"
    assert shown["Emplois portés par les services mutualisés"].startswith("2,5 ETP")
    assert shown["Entreprises sociales créées"] == f"2\ndepuis {YEAR - 1}"
    assert shown["Emplois consolidés"] == "7,5 ETP\net 3,5 ETP créés"
    assert shown["Collecté auprès des citoyens"] == f"1{NNBSP}234,50 €\net 500 € d'abondement"
    # 15 000 € granted by the Region, 3 000 € by a foundation + 2 500 € of sales + 50 €
    # of dues + 200 € of mutualisation + 1 234,50 € given + 500 € matched; the 40 hours
    # of volunteering at 12,02 € stay apart.
    assert shown["Ressources monétaires"] == \
        f"22{NNBSP}484,50 €\nplus 480,80 € de bénévolat valorisé"

    for chart in CHARTS:
        section = browser.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='{chart}-titre']")
        svg = section.find_element(By.CSS_SELECTOR, "svg.chart-svg")
        assert svg.get_attribute("role") == "img"
        assert section.find_elements(By.CSS_SELECTOR, "svg rect, svg circle"), chart
        assert section.find_elements(By.CSS_SELECTOR, "table tbody tr"), chart
    money = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='collecte-titre'] "
                                                  "table tbody tr:last-child")
    assert money.text.split()[0] == str(YEAR)
    assert f"1{NNBSP}234,50 €" in money.text and "500 €" in money.text
    circles = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='cercles-titre'] "
                                                    "table")
    assert "Adhérents (cœur)" in circles.text and "Partenaires de projet" in circles.text
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_the_tables_agree_and_the_resources_come_in_the_kinds_of_the_description(
        browser, platform, cluster):
    sign_in(browser, platform, cluster["funder"]["email"])
    members, resources = table(browser, "adherents"), table(browser, "ressources")
    last_year, this_year = str(YEAR - 1), str(YEAR)
    assert members[last_year]["Mutualisation facturée"] == "200 €" \
        == resources[last_year]["Mutualisation"]
    assert members[this_year]["Cotisations payées"] == "50 €" \
        == resources[this_year]["Cotisations des adhérents"]
    assert members[this_year]["Structures adhérentes"] == "3"
    assert resources[last_year]["Subventions publiques de projets"] == f"15{NNBSP}000 €"
    assert resources[this_year]["Fondations"] == f"3{NNBSP}000 €"
    assert resources["Total"]["Total monétaire"] == f"22{NNBSP}484,50 €"
    assert {"Région : animation du pôle", "Investisseurs privés",
            "Autres financements privés"} <= set(resources[this_year])
    funding = table(browser, "collecte")
    assert funding[this_year]["Collecté"] == resources[this_year]["Financement participatif"]


@pytest.mark.parametrize("width", ["laptop", "phone"])
def test_every_table_is_readable_and_the_charts_legible_at_1366_px_and_on_a_phone(
        browser, platform, cluster, width):
    sign_in(browser, platform, cluster["funder"]["email"])
    if width == "laptop":
        browser.set_window_size(*LAPTOP)
    else:
        as_phone(browser)
    try:
        browser.get(platform.base_url + "/tableau-de-bord")
        overflow = browser.execute_script("return document.documentElement.scrollWidth - "
                                          "document.documentElement.clientWidth")
        assert overflow <= 0, f"the dashboard scrolls sideways ({width}) by {overflow}px"
        assert readable_tables(browser) == []
        # 12 px at the least, as the page's smallest text (the legends, the notes).
        assert smallest_chart_text(browser) >= 12
        hints = [hint.is_displayed() for hint in browser.find_elements(
            By.CSS_SELECTOR, ".scroll-hint")]
        assert any(hints) and (width == "laptop") != all(hints), hints
        assert axe_violations(browser) == [], describe(axe_violations(browser))
        screenshot(browser, f"dashboard-{width}")
    finally:
        as_desktop(browser)


def test_the_filters_say_what_is_wrong_next_to_the_field(browser, platform, cluster):
    sign_in(browser, platform, cluster["funder"]["email"])
    browser.get(platform.base_url + "/tableau-de-bord?from_year=2025&to_year=2020")
    assert browser.find_element(By.ID, "to_year-erreur").text == \
        "La période se termine avant de commencer."
    assert browser.find_element(By.ID, "to_year").get_attribute("value") == "2020"
    browser.get(platform.base_url + "/tableau-de-bord?funder=Personne")
    assert "Aucune subvention" in browser.find_element(By.ID, "funder-erreur").text
    assert not browser.find_elements(By.CSS_SELECTOR, ".figures")
    # A funder's view: the projects its grants name.
    browser.get(platform.base_url + "/tableau-de-bord?funder=r%C3%A9gion+auvergne-rh%C3%B4ne"
                                    "-alpes")
    shown = figures(browser)
    assert shown["Entreprises sociales créées"] == f"1\ndepuis {YEAR - 1}"
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_each_table_downloads_for_a_spreadsheet_with_the_filters_shown(browser, platform,
                                                                       cluster):
    sign_in(browser, platform, cluster["funder"]["email"])
    browser.get(platform.base_url + f"/tableau-de-bord?from_year={YEAR - 1}&territory=dombes")
    links = {section.get_attribute("aria-labelledby"): section.find_element(
        By.CSS_SELECTOR, "a.download").get_attribute("href")
        for section in browser.find_elements(By.CSS_SELECTOR, "section.chart-block")}
    assert set(links) == {f"{chart}-titre" for chart in CHARTS}
    money = links["collecte-titre"]
    assert f"/tableau-de-bord/funding.csv?from_year={YEAR - 1}&territory=dombes" in money
    reader = requests.Session()  # the page's session, as the browser holds it
    reader.cookies.set("dombinnov_session", browser.get_cookie("dombinnov_session")["value"])
    answer = reader.get(money, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Disposition"] == 'attachment; filename="financement.csv"'
    rows = answer.content.decode("utf-8-sig").split("\r\n")
    assert rows[0].startswith("Année;")
    this_year = next(row for row in rows if row.startswith(f"{YEAR};"))
    assert "1234,50" in this_year.split(";")  # euros with a decimal comma, as a number
    # Without the page's session, no file.
    anonymous = requests.get(money, timeout=10, allow_redirects=False)
    assert anonymous.status_code in (302, 303) and "/connexion" in anonymous.headers["Location"]
    assert reader.get(platform.base_url + "/tableau-de-bord/inconnu.csv",
                      timeout=10).status_code == 404


def test_a_funder_account_that_names_its_funder_sees_its_own_view_only(browser, platform,
                                                                       cluster):
    region = {"email": f"region-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD}
    created(platform.post("/accounts", {**region, "display_name": "Région", "roles": ["funder"],
                                        "funder": "Région Auvergne-Rhône-Alpes"}))
    sign_in(browser, platform, region["email"])
    field = browser.find_element(By.ID, "funder")
    assert (field.get_attribute("value"), field.get_attribute("readonly")) == (
        "Région Auvergne-Rhône-Alpes", "true")
    assert figures(browser)["Entreprises sociales créées"] == f"1\ndepuis {YEAR - 1}"
    link = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='ressources-titre'] "
                                                 "a.download").get_attribute("href")
    assert "funder=R%C3%A9gion+Auvergne-Rh%C3%B4ne-Alpes" in link
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    browser.get(platform.base_url + "/tableau-de-bord?funder=Fondation+de+l%27Ain")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accès réservé"
    assert "Région Auvergne-Rhône-Alpes" in browser.find_element(By.TAG_NAME, "main").text


def test_a_citizen_may_not_read_the_dashboard(browser, platform, cluster):
    citizen = {"email": f"habitant-{uuid.uuid4().hex[:8]}@example.org", "password": PASSWORD,
               "display_name": "Habitant"}
    assert platform.request("POST", "/auth/signup", citizen).status_code == 202
    sign_in(browser, platform, citizen["email"])
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accès réservé"
    assert "Tableau de bord" not in browser.find_element(By.TAG_NAME, "nav").text


def test_a_wrong_password_is_said_and_what_was_typed_is_kept(browser, platform, cluster):
    sign_in(browser, platform, cluster["funder"]["email"], password="pas le bon")
    assert browser.find_element(By.ID, "form-erreur").text == "Adresse ou mot de passe incorrect."
    assert browser.find_element(By.ID, "email").get_attribute("value") == \
        cluster["funder"]["email"]
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_a_sign_in_posted_from_elsewhere_is_refused(platform, cluster):
    """No CSRF token from our page: refused before the password is even checked."""
    answer = requests.post(platform.base_url + "/connexion", timeout=10, data={
        "email": cluster["funder"]["email"], "password": PASSWORD}, allow_redirects=False)
    assert answer.status_code == 400
    assert "dombinnov_session" not in answer.cookies
    assert "Ce formulaire a expiré" in answer.text
