"""The animators' pages for money and members in headless Chromium against the whole
platform: cash and cheques recorded on a live campaign (a double submission is one
contribution), a bank transfer matched by its reference (a wrong one said in French),
the board's decision on a share subscription, and an organisation's membership applied
for, approved and resigned, its subscription to a mutualised service and its invoice.
Every page passes axe and fits a phone; each record is read back through the API."""
import uuid
from datetime import date

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared.database import create_engine
from tests.support.accounts import bearer, sign_up
from tests.support.funding import (
    ALL_ACKNOWLEDGED,
    SHARES_SHEET,
    contribute,
    given,
    live_campaign,
    right_answers,
)
from tests.support.pages import (
    account,
    assert_accessible,
    assert_readable_on_a_phone,
    created,
    follow,
    sign_in,
    submit,
)
from tests.support.waiting import wait_until

PLATFORM_ENV = {"FUNDING_CLOCK_SECONDS": "0.5"}  # the reflection period's end seen soon
TODAY = date.today()
# The same form sent twice more by a double click, before the browser sends it itself:
# each answer's status (0: a redirect, not followed).
SEND_TWICE = """
const done = arguments[arguments.length - 1];
const form = document.querySelector(arguments[0]);
const send = () => fetch(form.action, {method: 'POST', redirect: 'manual',
                                       body: new URLSearchParams(new FormData(form))});
Promise.all([send(), send()]).then(answers => done(answers.map(a => a.status)));
"""


@pytest.fixture(scope="module")
def animator(platform):
    return account(platform, ["animator"])


def text(browser, css):
    return browser.find_element(By.CSS_SELECTOR, css).text


def every(platform, path):
    return platform.get(f"{path}?limit=100", as_="staff").json()["items"]


def investor(platform):
    """A citizen who passed the knowledge test and simulated their loss capacity."""
    headers = bearer(sign_up(platform, f"investisseur-{uuid.uuid4().hex[:8]}@example.org",
                             name="Dominique", verify=True))
    assert platform.request("POST", "/investor/knowledge-test", {"answers": right_answers()},
                            headers=headers).json()["passed"]
    created(platform.request("POST", "/investor/loss-simulation",
                             {"net_worth_cents": 10_000_000}, headers=headers))
    return headers


def end_reflection(platform, contribution_id):
    """The investor's four days of reflection, over (test setup: the clock is real)."""
    engine = create_engine(platform.database_urls["funding"])
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(
                "UPDATE contributions SET reflection_ends_at = now() - interval '1 minute' "
                "WHERE id = :id"), {"id": contribution_id})
    finally:
        engine.dispose()


def test_an_animator_records_a_cheque_once_and_matches_a_transfer(browser, platform, animator):
    campaign = live_campaign(platform, title=f"Un four à pain {uuid.uuid4().hex[:6]}")
    pledged = contribute(platform, campaign["id"], 4_000, payment_method="transfer")
    assert pledged.status_code == 201, pledged.text
    reference = pledged.json()["transfer_reference"]
    sign_in(browser, platform, animator, "/animation/campagnes")
    follow(browser, browser.find_element(By.LINK_TEXT, campaign["title"]))
    assert text(browser, "h1") == campaign["title"]
    assert_accessible(browser)

    # A refused form says what is wrong next to the field and keeps what was typed.
    Select(browser.find_element(By.ID, "especes-channel")).select_by_visible_text("Chèque")
    browser.find_element(By.ID, "especes-amount").send_keys("trente")
    browser.find_element(By.ID, "especes-reference").send_keys("CHQ 0042")
    submit(browser, "#especes form")
    assert text(browser, "#especes-amount-erreur").startswith("Un montant en euros")
    assert text(browser, "#especes-contributor_name-erreur").startswith(
        "Indiquez le nom du donateur")
    assert browser.find_element(By.ID, "especes-reference").get_attribute("value") == \
        "CHQ 0042"
    assert_accessible(browser)

    amount = browser.find_element(By.ID, "especes-amount")
    amount.clear()
    amount.send_keys("30,50")
    browser.find_element(By.ID, "especes-contributor_name").send_keys("Mme Perrin")
    assert browser.execute_async_script(SEND_TWICE, "#especes form") == [0, 0]
    submit(browser, "#especes form")  # the third time, by the button: still one
    assert text(browser, ".notice.success") == \
        "La contribution de Mme Perrin (30,50 €) est enregistrée."
    cheques = [c for c in every(platform, f"/campaigns/{campaign['id']}/contributions")
               if c["channel"] == "cheque"]
    assert [(c["amount_cents"], c["status"], c["transfer_reference"]) for c in cheques] == [
        (3_050, "captured", "CHQ 0042")]

    browser.find_element(By.ID, "virement-reference").send_keys("DOMB-INCONNUE")
    browser.find_element(By.ID, "virement-amount").send_keys("40")
    submit(browser, "#virement form")
    assert text(browser, "#virement-reference-erreur").startswith(
        "Aucune contribution par virement de cette campagne ne porte cette référence")
    assert browser.find_element(By.ID, "virement-amount").get_attribute("value") == "40"
    assert_accessible(browser)
    field = browser.find_element(By.ID, "virement-reference")
    field.clear()
    field.send_keys(reference)
    submit(browser, "#virement form")
    assert text(browser, ".notice.success") == (  # a gift pledged by an account: no name
        f"Le virement de référence {reference} (40 €) est rapproché : il compte dans la "
        "collecte.")
    assert "Reçu" in text(browser, "#hors-ligne")
    assert platform.get(f"/contributions/{pledged.json()['id']}", as_="staff").json()[
        "status"] == "captured"

    # The project's file leads to its campaign's money too.
    browser.get(f"{platform.base_url}/animation/projets/{campaign['project_id']}")
    assert "En ligne" in text(browser, "#campagnes")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#campagnes a"))
    assert text(browser, "h1") == campaign["title"]


def test_the_board_approves_a_share_subscription(browser, platform, animator):
    campaign = live_campaign(platform, title=f"Parts de l'épicerie {uuid.uuid4().hex[:6]}",
                             kind="shares", key_information=SHARES_SHEET, goal_cents=50_000)
    subscription = given(platform, campaign["id"], 5_000, headers=investor(platform),
                         acknowledgements=ALL_ACKNOWLEDGED, contributor_name="Dominique")
    end_reflection(platform, subscription["id"])
    wait_until(lambda: platform.get(f"/contributions/{subscription['id']}", as_="staff")
               .json()["counted"], timeout=30, message="the subscription to count")
    sign_in(browser, platform, animator, "/animation/campagnes")
    # The list says where the board has to decide, and leads there.
    live = browser.find_element(By.ID, f"en-ligne-{campaign['id']}")
    assert live.text == f"{campaign['title']} Parts sociales · 1 souscription en attente " \
                        f"du conseil"
    follow(browser, live.find_element(By.TAG_NAME, "a"))
    assert not browser.find_elements(By.ID, "especes")  # an investment is online only
    row = browser.find_element(By.ID, f"souscription-{subscription['id']}")
    assert "Dominique : 50 €" in row.text
    assert_accessible(browser)
    submit(browser, f"#souscription-{subscription['id']} form:first-of-type")
    assert text(browser, ".notice.success") == "La souscription de Dominique est approuvée."
    assert "Aucune souscription n'attend la décision du conseil." in text(browser, "#conseil")
    assert platform.get(f"/contributions/{subscription['id']}", as_="staff").json()[
        "board_decision"] == "approved"


def test_an_animator_moves_a_membership_and_subscribes_an_organisation(browser, platform,
                                                                      animator):
    name = f"Ressourcerie {uuid.uuid4().hex[:6]}"
    service = {"name": f"Comptabilité partagée {uuid.uuid4().hex[:6]}"}
    sign_in(browser, platform, animator, "/animation/adherents")
    # A structure that wants to join is registered on the page, its territory chosen.
    browser.find_element(By.ID, "structure-name").send_keys(name)
    Select(browser.find_element(By.ID, "structure-legal_form")).select_by_visible_text(
        "Association")
    browser.find_element(By.ID, "structure-postal_code").send_keys("01400")
    browser.find_element(By.ID, "structure-commune").send_keys("Châtillon-sur-Chalaronne")
    submit(browser, "#structure form")  # no territory chosen
    assert text(browser, "#structure-territory-erreur") == "Choisissez le territoire."
    assert browser.find_element(By.ID, "structure-name").get_attribute("value") == name
    assert_accessible(browser)
    Select(browser.find_element(By.ID, "structure-territory")).select_by_visible_text("Dombes")
    submit(browser, "#structure form")
    assert text(browser, "h1") == name
    assert text(browser, ".notice.success") == ("La structure est enregistrée. Enregistrez "
                                                "maintenant sa candidature à l'adhésion.")
    organisation = {"id": browser.current_url.split("?")[0].rsplit("/", 1)[1]}
    assert platform.get(f"/organisations/{organisation['id']}", as_="staff").json()[
        "territory"] == "dombes"
    follow(browser, browser.find_element(By.CSS_SELECTOR, ".breadcrumb a"))
    follow(browser, browser.find_element(By.LINK_TEXT, name))  # listed with the members
    assert text(browser, "h1") == name

    # A new mutualised service in the cluster's catalogue, its price typed the French way.
    browser.find_element(By.ID, "service-name").send_keys(service["name"])
    browser.find_element(By.ID, "service-price").send_keys("35")
    browser.find_element(By.ID, "service-fte_carried").send_keys("1,5")
    submit(browser, "#catalogue form")  # not said whether by the hour or the month
    assert text(browser, "#service-pricing-erreur") == \
        "Choisissez s'il est facturé à l'heure ou au mois."
    assert browser.find_element(By.ID, "service-price").get_attribute("value") == "35"
    assert_accessible(browser)
    Select(browser.find_element(By.ID, "service-pricing")).select_by_visible_text("à l'heure")
    submit(browser, "#catalogue form")
    assert text(browser, ".notice.success") == "Le service est ajouté au catalogue."
    row = browser.find_element(By.XPATH, f"//section[@id='catalogue']//tr[th[contains(., "
                                         f"'{service['name']}')]]")
    assert "35 € à l'heure" in row.text and "1,5 ETP" in row.text
    service = next(s for s in platform.get("/mutualised-services").json()["items"]
                   if s["name"] == service["name"])
    assert (service["price_cents"], service["fte_carried"]) == (3_500, 1.5)

    submit(browser, "#adhesion form")  # no circle chosen
    assert text(browser, "#adhesion-circle-erreur") == "Choisissez le cercle de l'adhésion."
    Select(browser.find_element(By.ID, "adhesion-circle")).select_by_visible_text(
        "Adhérents (cœur)")
    submit(browser, "#adhesion form")
    assert text(browser, ".notice.success").startswith("La candidature est enregistrée")
    submit(browser, "#adhesions form[action*='/approuver']")
    assert text(browser, ".notice.success") == "L'adhésion est approuvée : elle est active."
    assert "Active" in text(browser, "#adhesions")
    # A resignation is definitive: asked again on a page of its own.
    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Enregistrer la démission"))
    assert text(browser, "h1") == f"Enregistrer la démission de {name} ?"
    assert_accessible(browser)
    submit(browser, "main form")
    assert text(browser, ".notice.success") == "La démission est enregistrée."
    assert not browser.find_elements(By.CSS_SELECTOR, "#adhesions form")  # nothing more
    assert not browser.find_elements(By.CSS_SELECTOR, "#adhesions td a")
    memberships = platform.get(f"/organisations/{organisation['id']}/memberships",
                               as_="staff").json()["items"]
    assert [(m["year"], m["circle"], m["status"]) for m in memberships] == [
        (TODAY.year, "core", "resigned")]

    Select(browser.find_element(By.ID, "abonnement-service_id")).select_by_visible_text(
        service["name"])
    submit(browser, "#abonnement form")  # an hourly service without its hours
    assert text(browser, "#abonnement-hours_per_month-erreur").startswith(
        "Un service à l'heure compte ses heures par mois")
    browser.find_element(By.ID, "abonnement-hours_per_month").send_keys("7,5")
    start = browser.find_element(By.ID, "abonnement-starts_on")
    browser.execute_script("arguments[0].value = arguments[1]", start,
                           TODAY.replace(day=1).isoformat())
    submit(browser, "#abonnement form")
    assert text(browser, ".notice.success") == "L'abonnement est enregistré."
    assert "7,5 h par mois" in text(browser, "#abonnement")
    subscriptions = platform.get(f"/organisations/{organisation['id']}/subscriptions",
                                 as_="staff").json()["items"]
    assert [(s["service_id"], s["hours_per_month"]) for s in subscriptions] == [
        (service["id"], 7.5)]

    submit(browser, "#facturation form")  # this month, as the form proposes
    caption = text(browser, "#facturation caption")
    assert caption.startswith("Facture de ") and caption.endswith(f"{TODAY.year} : 262,50 €")
    assert_accessible(browser)

    # The structure leaves the service: its last day is today, as the form proposes.
    submit(browser, "#abonnement li form")
    assert text(browser, ".notice.success") == "L'abonnement prend fin à la date indiquée."
    assert "jusqu'au" in text(browser, "#abonnement")
    assert not browser.find_elements(By.CSS_SELECTOR, "#abonnement li form")
    assert_accessible(browser)
    assert platform.get(f"/organisations/{organisation['id']}/subscriptions",
                        as_="staff").json()["items"][0]["ends_on"] is not None


def test_the_money_and_member_pages_read_on_a_phone(browser, platform, animator):
    campaign = live_campaign(platform, title=f"Un atelier {uuid.uuid4().hex[:6]}")
    organisation = created(platform.post("/organisations", {
        "name": f"Jardins {uuid.uuid4().hex[:6]}", "legal_form": "association",
        "postal_code": "01400", "commune": "Châtillon-sur-Chalaronne"}))
    sign_in(browser, platform, animator, "/animation/adherents")
    assert_readable_on_a_phone(browser, platform, {
        "animation-campaign-money": f"/animation/campagnes/{campaign['id']}",
        "animation-organisation": f"/animation/adherents/{organisation['id']}"})
    for path, title in ((f"/animation/campagnes/{campaign['id']}", campaign["title"]),
                        (f"/animation/adherents/{organisation['id']}", organisation["name"])):
        browser.get(platform.base_url + path)  # the pages themselves, not an error page
        assert text(browser, "h1") == title
