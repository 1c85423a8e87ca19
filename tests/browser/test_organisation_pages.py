"""A member organisation's own page in headless Chromium against the whole platform: its
admin signs in and reads its membership, its dues paid and left to pay, its invoices of
mutualisation fees, and the mutualised services of the cluster; the page passes axe and
fits a phone; the animators' pages stay closed to it, and show them its invoices."""
import uuid
from datetime import date

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared.french import long_date
from tests.support.pages import (
    account,
    assert_accessible,
    assert_readable_on_a_phone,
    created,
    member,
    sign_in,
    submit,
)

YEAR = date.today().year


@pytest.fixture(scope="module")
def organisation(platform):
    """An organisation with an active membership whose dues are paid for 20 €, a
    subscription to a mutualised service of the catalogue, a project it carries, and an
    admin account of the organisation."""
    service = created(platform.post("/mutualised-services", {
        "name": "Comptabilité partagée", "fte_carried": 2.5, "pricing": "monthly",
        "price_cents": 20_000}))
    organisation, membership = member(platform, "Recyclerie de la Dombes",
                                      dues_paid_cents=2_000)
    created(platform.post(f"/organisations/{organisation['id']}/subscriptions", {
        "service_id": service["id"], "starts_on": f"{YEAR}-01-01"}))
    created(platform.post("/projects", {
        "title": "Atelier de réemploi", "summary": "Réparer les meubles.",
        "field": "circular_economy", "commune": "Châtillon-sur-Chalaronne",
        "carrier_organisation_id": organisation["id"]}))
    return {"admin": account(platform, ["member_admin"], organisation["id"]),
            "membership": membership, "id": organisation["id"], "service": service}


def euros(cents):
    """Whole euros as WebDriver reads them (the no-break space before "€" as a space)."""
    return f"{cents // 100} €"


def test_an_organisation_reads_its_membership_and_dues(browser, platform, organisation):
    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Recyclerie de la Dombes"
    assert browser.find_element(By.CSS_SELECTOR, "nav .nav a[aria-current='page']").text == \
        "Mon organisation"
    assert "Animation" not in browser.find_element(By.CSS_SELECTOR, "nav .nav").text

    dues = organisation["membership"]["dues_cents"]
    figures = {item.find_element(By.TAG_NAME, "dt").text: item.find_element(By.TAG_NAME,
                                                                           "dd").text
               for item in browser.find_elements(By.CSS_SELECTOR, ".figures .figure")}
    assert figures[f"Adhésion {YEAR}"] == "Active\nAdhérents (cœur)"
    assert figures[f"Cotisation {YEAR}"] == f"{euros(dues)}\ndont {euros(2_000)} payés"
    assert figures["Reste à payer"].startswith(euros(dues - 2_000))
    history = browser.find_element(By.CSS_SELECTOR, "table tbody tr").text
    assert history == (f"{YEAR} Adhérents (cœur) Active {euros(dues)} {euros(2_000)} "
                       f"{euros(dues - 2_000)}")
    services = browser.find_element(By.CSS_SELECTOR,
                                    "section[aria-labelledby='services-titre']").text
    assert "Comptabilité partagée\n200 € au mois · 2,5 ETP" in services
    payments = browser.find_element(By.CSS_SELECTOR,
                                    "section[aria-labelledby='paiements-titre'] tbody").text
    assert f"{YEAR} {euros(2_000)} Virement" in payments
    mine = browser.find_element(By.CSS_SELECTOR,
                                "section[aria-labelledby='abonnements-titre']").text
    assert f"Comptabilité partagée — 200 € au mois · depuis le 1er janvier {YEAR}" in mine
    carried = browser.find_element(By.CSS_SELECTOR,
                                   "section[aria-labelledby='projets-titre']").text
    assert "Atelier de réemploi — Châtillon-sur-Chalaronne · étape : Idée" in carried
    assert_accessible(browser)
    assert_readable_on_a_phone(browser, platform, {"my-organisation": "/mon-organisation"})


def test_the_animators_pages_stay_closed_to_an_organisation(browser, platform, organisation):
    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    browser.get(platform.base_url + "/animation/adherents")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Accès réservé"
    assert_accessible(browser)


def invoice_rows(browser, css):
    return [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
            for row in browser.find_elements(By.CSS_SELECTOR, f"{css} tbody tr")]


def test_an_organisation_and_its_animators_read_its_invoices(browser, platform, organisation):
    other, _ = member(platform, f"Voisins {uuid.uuid4().hex[:6]}")
    created(platform.post(f"/organisations/{other['id']}/subscriptions", {
        "service_id": organisation["service"]["id"], "starts_on": f"{YEAR}-01-01"}))
    for month in (1, 2):  # every subscriber's invoice of the month, the other's too
        created(platform.post("/mutualisation/invoices", {"year": YEAR, "month": month},
                              **{"Idempotency-Key": uuid.uuid4().hex}))
    today = platform.get(f"/mutualisation/invoices?organisation_id={organisation['id']}",
                         as_="staff").json()["items"][0]["issued_at"]
    issued = long_date(today)
    expected = [[f"février {YEAR}", f"Comptabilité partagée : {euros(20_000)}",
                 euros(20_000), euros(0), euros(20_000), "À payer", issued],
                [f"janvier {YEAR}", f"Comptabilité partagée : {euros(20_000)}",
                 euros(20_000), euros(0), euros(20_000), "À payer", issued]]

    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    assert invoice_rows(browser, "#factures") == expected  # its own only, newest first
    assert_accessible(browser)

    sign_in(browser, platform, account(platform, ["animator"]),
            f"/animation/adherents/{organisation['id']}")
    assert browser.find_element(By.ID, "factures").text == "Factures émises"
    assert invoice_rows(browser, "#facturation .invoices") == expected
    assert_accessible(browser)

    # An animator records a payment of January's invoice on its own form.
    january = next(i for i in platform.get(
        f"/mutualisation/invoices?organisation_id={organisation['id']}&year={YEAR}&month=1",
        as_="staff").json()["items"])
    form = f"facture-{january['id']}"
    assert browser.find_element(By.ID, form).text == (
        f"Paiement de la facture de janvier {YEAR} : reste à payer {euros(20_000)}")
    assert browser.find_element(By.ID, f"{form}-amount").get_attribute("value") == "200"
    amount = browser.find_element(By.ID, f"{form}-amount")
    amount.clear()
    browser.find_element(By.ID, f"{form}-reference").send_keys("Chèque 0042")
    submit(browser, f"form[action*='{january['id']}']")  # no amount, no method
    assert browser.find_element(By.CSS_SELECTOR, ".error-summary h2").text == \
        "2 points à corriger"
    assert browser.find_element(By.ID, f"{form}-method-erreur").text == \
        "Choisissez le moyen de paiement."
    assert browser.find_element(By.ID, f"{form}-amount-erreur").text.startswith(
        "Un montant en euros")
    assert browser.find_element(By.ID, f"{form}-reference").get_attribute("value") == \
        "Chèque 0042"
    assert_accessible(browser)
    browser.find_element(By.ID, f"{form}-amount").send_keys("250")
    Select(browser.find_element(By.ID, f"{form}-method")).select_by_visible_text("Chèque")
    submit(browser, f"form[action*='{january['id']}']")  # more than is left
    assert browser.find_element(By.ID, f"{form}-form-erreur").text.startswith(
        "Ce montant dépasse le reste à payer de la facture")
    assert browser.find_element(By.ID, f"{form}-amount").get_attribute("value") == "250"
    assert Select(browser.find_element(By.ID, f"{form}-method")).first_selected_option.text \
        == "Chèque"
    amount = browser.find_element(By.ID, f"{form}-amount")
    amount.clear()
    amount.send_keys("50")
    submit(browser, f"form[action*='{january['id']}']")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "Le paiement de la facture est enregistré."
    paid = [*expected[0][:3], euros(0), euros(20_000), "À payer", issued], \
        [*expected[1][:3], euros(5_000), euros(15_000), "Payée en partie", issued]
    assert invoice_rows(browser, "#facturation .invoices") == list(paid)
    assert browser.find_element(By.ID, form).text.endswith(euros(15_000))
    assert_accessible(browser)
    listed = platform.get(f"/mutualisation/invoices?organisation_id={organisation['id']}"
                          f"&year={YEAR}&month=1", as_="staff").json()["items"][0]
    assert (listed["paid_cents"], listed["left_cents"]) == (5_000, 15_000)

    # The organisation's admin reads what is paid and what is left.
    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    assert invoice_rows(browser, "#factures") == list(paid)
    assert not browser.find_elements(By.CSS_SELECTOR, "#factures form")
