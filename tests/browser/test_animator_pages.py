"""The animators' pages in headless Chromium against the whole platform: an animator
signs in, moves a project along the pipeline board, approves a campaign (which goes
live on the public list) and sends another back, records a payment of dues, imports a
spreadsheet, records a grant and volunteering. Every page passes axe and fits a phone;
a refused form says what is wrong next to the field and keeps what was typed."""
import uuid
from datetime import date, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared.french import PARIS
from tests.support.funding import PROJECT, in_a_month
from tests.support.pages import (
    account,
    assert_accessible,
    assert_readable_on_a_phone,
    created,
    follow,
    member,
    set_day,
    sign_in,
    submit,
)

YEAR = date.today().year
TODAY = datetime.now(PARIS).date()  # the cluster's day, as the services date facts
TOMORROW = TODAY + timedelta(days=1)
NNBSP = "\u202f"  # babel's thousands separator; its no-break space before "€" reads as " "


@pytest.fixture(scope="module")
def animator(platform):
    return account(platform, ["animator"])


def new_project(platform, title):
    return created(platform.post("/projects", {**PROJECT, "title": title}))


def submitted_campaign(platform, title):
    """A campaign drafted and submitted for review, not yet approved."""
    project = new_project(platform, f"Projet de {title}")
    campaign = created(platform.post("/campaigns", {
        "project_id": project["id"], "title": title, "goal_cents": 800_000,
        "deadline": in_a_month()}))
    return created(platform.post(f"/campaigns/{campaign['id']}/submit"))


def column_titles(browser, stage):
    column = browser.find_element(By.CSS_SELECTOR, f"section[aria-labelledby='etape-{stage}']")
    return [link.text for link in column.find_elements(By.CSS_SELECTOR, ".board-card a")]


def move_to(browser, stage_label, reason=""):
    Select(browser.find_element(By.ID, "etape-stage")).select_by_visible_text(stage_label)
    if reason:
        browser.find_element(By.ID, "etape-reason").send_keys(reason)
    submit(browser, "#etape form")


def test_an_animator_moves_a_project_along_the_board(browser, platform, animator):
    title = f"Garage solidaire {uuid.uuid4().hex[:6]}"
    project = new_project(platform, title)
    sign_in(browser, platform, animator, "/animation/projets")
    assert title in column_titles(browser, "idea")
    assert browser.find_element(By.CSS_SELECTOR, "nav .nav a[aria-current='page']").text \
        == "Animation"
    assert_accessible(browser)

    follow(browser, browser.find_element(By.LINK_TEXT, title))
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    move_to(browser, "Émergence")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "Le projet a changé d'étape."
    assert "Émergence" in browser.find_element(By.CSS_SELECTOR, ".facts").text
    move_to(browser, "Incubation")

    follow(browser, browser.find_element(By.CSS_SELECTOR, ".subnav a[href='/animation/projets']"))
    assert title in column_titles(browser, "incubation")
    assert title not in column_titles(browser, "idea") + column_titles(browser, "emergence")

    # A step back needs a reason: said next to the reason, the stage chosen kept.
    browser.get(f"{platform.base_url}/animation/projets/{project['id']}")
    move_to(browser, "Émergence (avec une raison)")
    error = browser.find_element(By.ID, "etape-reason-erreur")
    assert error.text.startswith("Dites pourquoi le projet revient en arrière")
    assert browser.find_element(By.ID, "etape-reason").get_attribute("aria-invalid") == "true"
    assert Select(browser.find_element(By.ID, "etape-stage")).first_selected_option.text == \
        "Émergence (avec une raison)"
    assert_accessible(browser)
    history = platform.get(f"/projects/{project['id']}/file", as_="staff").json()["history"]
    assert [move["to_stage"] for move in history] == ["idea", "emergence", "incubation"]


def test_an_animator_records_support_partners_and_jobs_on_a_project(browser, platform,
                                                                    animator):
    project = new_project(platform, f"Cantine {uuid.uuid4().hex[:6]}")
    sign_in(browser, platform, animator, f"/animation/projets/{project['id']}")
    Select(browser.find_element(By.ID, "accompagnement-kind")).select_by_visible_text(
        "Parrainage")
    browser.find_element(By.ID, "accompagnement-hours").send_keys("1,5")
    browser.find_element(By.ID, "accompagnement-given_by").send_keys("Camille")
    submit(browser, "#accompagnement form")
    assert "1,5 h" in browser.find_element(By.ID, "accompagnement").text

    browser.find_element(By.ID, "partenaire-name").send_keys("Mairie de Trévoux")
    submit(browser, "#partenaire form")  # no circle chosen
    assert browser.find_element(By.ID, "partenaire-circle-erreur").text == \
        "Choisissez le cercle du partenaire."
    assert browser.find_element(By.ID, "partenaire-name").get_attribute("value") == \
        "Mairie de Trévoux"
    Select(browser.find_element(By.ID, "partenaire-circle")).select_by_visible_text(
        "Alliés ponctuels")
    submit(browser, "#partenaire form")
    assert "Mairie de Trévoux" in browser.find_element(By.ID, "partenaire").text

    browser.find_element(By.ID, "emplois-created_fte").send_keys("2")
    browser.find_element(By.ID, "emplois-consolidated_fte").send_keys("0,5")
    submit(browser, "#emplois form")
    assert "0,5 ETP" in browser.find_element(By.ID, "emplois").text
    assert_accessible(browser)
    record = platform.get(f"/projects/{project['id']}/file", as_="staff").json()
    assert (record["support_hours"], record["partners"][0]["circle"],
            record["job_reports"][0]["consolidated_fte"]) == (1.5, "ally", 0.5)


def test_an_animator_approves_a_campaign_which_goes_live(browser, platform, animator):
    approved = submitted_campaign(platform, f"Un four à pain {uuid.uuid4().hex[:6]}")
    sent_back = submitted_campaign(platform, f"Des vélos cargo {uuid.uuid4().hex[:6]}")
    sign_in(browser, platform, animator, "/animation/campagnes")
    # The section holds the review and the live campaigns' money: named for both.
    assert browser.find_element(By.CSS_SELECTOR, ".subnav a[aria-current='page']").text == \
        "Campagnes"
    assert_accessible(browser)
    card = browser.find_element(By.ID, f"campagne-{approved['id']}")
    assert f"8{NNBSP}000 €" in card.text
    submit(browser, f"#campagne-{approved['id']} form[action*='/approuver']")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text.startswith(
        f"« {approved['title']} » est en ligne")
    assert not browser.find_elements(By.ID, f"campagne-{approved['id']}")

    form = f"#campagne-{sent_back['id']} form[action*='/renvoyer']"
    submit(browser, form)  # without a note
    assert browser.find_element(By.ID, f"renvoi-{sent_back['id']}-note-erreur").text \
        .startswith("Dites aux porteurs ce qu'il faut revoir")
    assert_accessible(browser)
    browser.find_element(By.ID, f"renvoi-{sent_back['id']}-note").send_keys(
        "Précisez à quoi servira l'argent.")
    submit(browser, form)
    assert "renvoyée à ses porteurs" in browser.find_element(By.CSS_SELECTOR,
                                                             ".notice.success").text
    assert "Aucune campagne n'attend de validation." in browser.find_element(
        By.TAG_NAME, "main").text
    back = platform.get(f"/campaigns/{sent_back['id']}", as_="staff").json()  # back with its carriers
    assert (back["status"], back["review_note"]) == ("sent_back",
                                                     "Précisez à quoi servira l'argent.")

    follow(browser, browser.find_element(By.LINK_TEXT, "Voir les campagnes en cours"))
    assert browser.find_element(By.ID, f"campagne-{approved['id']}").text == approved["title"]
    assert not browser.find_elements(By.ID, f"campagne-{sent_back['id']}")


def test_an_animator_records_dues_and_imports_a_spreadsheet(browser, platform, animator,
                                                           tmp_path):
    name = f"Recyclerie {uuid.uuid4().hex[:6]}"
    _, membership = member(platform, name)
    sign_in(browser, platform, animator, "/animation/adherents")
    row = browser.find_element(By.XPATH, f"//tr[th[contains(., '{name}')]]")
    assert "Active" in row.text
    assert_accessible(browser)
    follow(browser, row.find_element(By.PARTIAL_LINK_TEXT, "Enregistrer un paiement"))
    amount = browser.find_element(By.ID, "paiement-amount")
    assert amount.get_attribute("value") == str(membership["dues_cents"] // 100)
    assert_accessible(browser)
    amount.clear()
    amount.send_keys("20")
    Select(browser.find_element(By.ID, "paiement-method")).select_by_visible_text("Chèque")
    assert browser.find_element(By.ID, "paiement-paid_on").get_attribute("max") == \
        TODAY.isoformat()
    set_day(browser, "paiement-paid_on", TOMORROW)  # dues paid tomorrow: not a fact yet
    submit(browser, "main form")
    assert browser.find_element(By.ID, "paiement-paid_on-erreur").text == \
        "Indiquez la date du paiement : aujourd'hui au plus tard."
    assert browser.find_element(By.ID, "paiement-amount").get_attribute("value") == "20"
    set_day(browser, "paiement-paid_on", TODAY)
    submit(browser, "main form")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        f"Le paiement de {name} est enregistré."
    row = browser.find_element(By.XPATH, f"//tr[th[contains(., '{name}')]]")
    assert "20 €" in row.text
    left = (membership["dues_cents"] - 2_000) // 100
    assert f"{left} €" in row.text
    assert platform.get(f"/memberships/{membership['id']}", as_="staff").json()[
        "paid_cents"] == 2_000

    sheet = tmp_path / "structures.csv"
    good = f"Épicerie {uuid.uuid4().hex[:6]}"
    sheet.write_bytes((f"Nom;Forme juridique;SIRET;Code postal;Commune;Remarques\r\n"
                       f"{good};Association;;01330;Villars-les-Dombes;à rappeler\r\n"
                       f"Mauvais SIRET;SCOP;81234560100016;01330;Villars-les-Dombes;\r\n")
                      .encode("cp1252"))
    browser.find_element(By.ID, "fichier").send_keys(str(sheet))
    submit(browser, "form[enctype='multipart/form-data']")
    report = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby='rapport-titre']")
    assert "1 structure importée, 1 ligne refusée." in report.text
    assert "3 SIRET Le numéro est faux : son dernier chiffre, 6, devrait être" in report.text
    assert "La colonne « Remarques » n'est pas connue de l'import : elle est ignorée." \
        in report.text
    assert browser.find_element(By.XPATH, f"//tr[th[contains(., '{good}')]]")
    assert_accessible(browser)


def test_an_animator_records_a_grant_and_volunteering(browser, platform, animator):
    sign_in(browser, platform, animator, "/animation/ressources")
    Select(browser.find_element(By.ID, "ressource-kind")).select_by_visible_text("Subvention")
    browser.find_element(By.ID, "ressource-amount").send_keys("15 000")
    submit(browser, "#ressource form")  # a grant without its funder
    assert browser.find_element(By.ID, "ressource-funder-erreur").text.startswith(
        "Une subvention nomme son financeur")
    assert browser.find_element(By.ID, "ressource-amount").get_attribute("value") == "15 000"
    assert_accessible(browser)
    browser.find_element(By.ID, "ressource-funder").send_keys("Région Auvergne-Rhône-Alpes")
    Select(browser.find_element(By.ID, "ressource-funder_type")).select_by_visible_text(
        "Argent public")
    submit(browser, "#ressource form")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "La ressource est enregistrée."
    assert f"15{NNBSP}000 €" in browser.find_element(By.ID, "ressource").text

    browser.find_element(By.ID, "benevolat-hours").send_keys("3,5")
    browser.find_element(By.ID, "benevolat-activity").send_keys("Chantier participatif")
    set_day(browser, "benevolat-done_on", TOMORROW)  # not done yet
    submit(browser, "#benevolat form")
    assert browser.find_element(By.ID, "benevolat-done_on-erreur").text == \
        "Indiquez le jour du bénévolat : aujourd'hui au plus tard."
    assert browser.find_element(By.ID, "benevolat-activity").get_attribute("value") == \
        "Chantier participatif"
    set_day(browser, "benevolat-done_on", TODAY)
    submit(browser, "#benevolat form")
    assert "Chantier participatif" in browser.find_element(By.ID, "benevolat").text
    assert "3,5 h" in browser.find_element(By.ID, "benevolat").text
    assert_accessible(browser)
    grants = platform.get(f"/resources?kind=grant&year={YEAR}", as_="staff").json()["items"]
    assert [(g["amount_cents"], g["funder_type"]) for g in grants] == [(1_500_000, "public")]


def test_the_animators_pages_read_on_a_phone(browser, platform, animator):
    project = new_project(platform, f"Tiers-lieu {uuid.uuid4().hex[:6]}")
    submitted_campaign(platform, f"Une salle {uuid.uuid4().hex[:6]}")
    member(platform, f"Jardins {uuid.uuid4().hex[:6]}")
    sign_in(browser, platform, animator, "/animation/projets")
    assert_readable_on_a_phone(browser, platform, {
        "animation-board": "/animation/projets",
        "animation-project": f"/animation/projets/{project['id']}",
        "animation-campaigns": "/animation/campagnes",
        "animation-members": "/animation/adherents",
        "animation-resources": "/animation/ressources"})
