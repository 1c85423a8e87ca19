"""The public pages in headless Chromium: the home page explains the cluster with its
figures, the live campaigns show their progress, days left and matchfunding; both are
accessible (axe), usable with the keyboard and readable on a phone."""
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.support.browser import (
    as_desktop,
    as_phone,
    axe_violations,
    click_and_wait_for_the_next_page,
    describe,
    screenshot,
)
from tests.support.funding import given, in_a_month, live_campaign
from tests.support.pages import account
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

# babel's French thousands separator, a narrow no-break space; the no-break space before
# "€" and "%" reads as a plain space in WebDriver's text.
NNBSP = "\u202f"


@pytest.fixture(scope="module")
def campaigns(platform):
    """A donation campaign with matchfunding and one gift of 1 234,50 €, and a reward
    campaign with nothing yet; reporting has counted the gift."""
    matched = live_campaign(platform, title="Un camion pour la ressourcerie",
                            matchfunding={"funder": "Fondation du Val", "total_cap_cents": 500_000,
                                          "per_contribution_cap_cents": 50_000,
                                          "per_contributor_cap_cents": 50_000})
    rewarded = live_campaign(platform, title="Des paniers de légumes", kind="reward",
                             model="all_or_nothing", goal_cents=800_000, rewards=[
                                 {"title": "Un panier", "min_amount_cents": 2_500, "stock": 40,
                                  "estimated_delivery": "2027-03-15", "handover": "pick_up"}])
    given(platform, matched["id"], 123_450)
    wait_until(lambda: platform.get("/reports/summary").json()["contributions"] >= 1,
               timeout=20, message="reporting to count the gift")
    return {"matched": matched, "rewarded": rewarded}


def text(browser, css):
    return browser.find_element(By.CSS_SELECTOR, css).text


def read_on_a_phone(browser, url, name):
    """The page at `url` on a phone: nothing scrolls sideways; a screenshot."""
    as_phone(browser)
    try:
        browser.get(url)
        overflow = browser.execute_script("return document.documentElement.scrollWidth - "
                                          "document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways on a phone by {overflow}px"
        screenshot(browser, name)
    finally:
        as_desktop(browser)


def test_the_home_page_explains_the_cluster_with_its_figures(browser, platform, campaigns):
    browser.get(platform.base_url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "coopérer pour créer des emplois" in text(browser, "h1")
    assert "pôle territorial de coopération économique" in text(browser, ".hero")
    figures = text(browser, ".figures")
    assert "Contributions des habitants\n1" in figures
    assert f"1{NNBSP}234,50 €" in figures  # the amount raised, written the French way
    assert "Un camion pour la ressourcerie" in text(browser, "#contenu")
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_live_campaigns_show_progress_days_left_and_matchfunding(browser, platform, campaigns):
    browser.get(platform.base_url + "/campagnes")
    card = browser.find_element(By.ID, f"campagne-{campaigns['matched']['id']}") \
        .find_element(By.XPATH, "..")
    # 1 234,50 € given + 500 € matched, out of 15 000 €: 12 %.
    assert f"1{NNBSP}734,50 € collectés sur 15{NNBSP}000 €" in card.text
    assert "12 % de l'objectif" in card.text
    assert "Abondement de Fondation du Val : 500 € ajoutés aux" in card.text
    assert re.search(r"Plus que \d+ jours · jusqu'au \d+(er)? \w+ \d{4}", card.text)
    bar = card.find_element(By.CSS_SELECTOR, "svg.progress")
    assert bar.get_attribute("aria-label") == "12\u00a0% de l'objectif atteint"
    raised = card.find_element(By.CSS_SELECTOR, ".progress-raised").get_attribute("width")
    assert float(raised) == pytest.approx(8.23)  # 1 234,50 / 15 000
    assert axe_violations(browser) == [], describe(axe_violations(browser))

    Select(browser.find_element(By.ID, "type")).select_by_visible_text("Don avec contrepartie")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, ".filters button"))
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".campaign .card-title")]
    assert titles == ["Des paniers de légumes"]
    assert "Tout ou rien" in text(browser, ".campaign")
    assert text(browser, ".campaign .pitch") == "Donner une seconde vie aux objets."


def test_the_pages_work_with_the_keyboard(browser, platform, campaigns):
    browser.get(platform.base_url + "/")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.text == "Aller au contenu"
    skip.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#contenu")
    # Then the navigation is reached in order, and a link followed with Enter.
    browser.get(platform.base_url + "/")
    for _ in range(3):
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Accueil"
    browser.switch_to.active_element.send_keys(Keys.TAB, Keys.ENTER)
    wait_until(lambda: browser.current_url.endswith("/campagnes"), timeout=5,
               message="the campaigns page")


def test_the_pages_read_on_a_phone(browser, platform, campaigns):
    as_phone(browser)
    try:
        for path, name in (("/", "home-phone"), ("/campagnes", "campaigns-phone")):
            browser.get(platform.base_url + path)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - "
                "document.documentElement.clientWidth")
            assert overflow <= 0, f"{path} scrolls sideways on a phone by {overflow}px"
            screenshot(browser, name)
    finally:
        as_desktop(browser)


def test_a_project_page_tells_its_story_stage_and_campaigns(browser, platform, campaigns):
    project_id = campaigns["rewarded"]["project_id"]
    browser.get(f"{platform.base_url}/campagnes")
    link = browser.find_element(By.ID, f"campagne-{campaigns['rewarded']['id']}") \
        .find_element(By.XPATH, "..").find_element(By.CSS_SELECTOR, ".project-line a")
    click_and_wait_for_the_next_page(browser, link)
    assert browser.current_url.endswith(f"/projets/{project_id}")
    page = text(browser, "#contenu")
    assert "Ressourcerie de Villars" in text(browser, "h1")
    assert "Donner une seconde vie aux objets." in page and "Étape : Idée" in page
    assert "Des paniers de légumes" in text(browser, ".campaign")
    # The page tells the project: its campaigns' cards do not link back to it.
    assert not browser.find_elements(By.CSS_SELECTOR, ".campaign .project-line, .campaign .pitch")
    assert axe_violations(browser) == [], describe(axe_violations(browser))


def test_campaigns_are_filtered_by_commune(browser, platform, campaigns):
    elsewhere = platform.post("/projects", {
        "title": "Garage solidaire", "summary": "Réparer plutôt que jeter.",
        "field": "proximity_economy", "commune": "Trévoux", "founders": "Alix"}).json()
    live_campaign(platform, project_id=elsewhere["id"], title="Un pont élévateur")
    browser.get(platform.base_url + "/campagnes")
    Select(browser.find_element(By.ID, "commune")).select_by_visible_text("Trévoux")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, ".filters button"))
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, ".campaign .card-title")]
    assert titles == ["Un pont élévateur"]
    assert "commune=Tr%C3%A9voux" in browser.current_url
    Select(browser.find_element(By.ID, "domaine")).select_by_visible_text(
        "Économie circulaire")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, ".filters button"))
    assert browser.find_elements(By.CSS_SELECTOR, ".campaign") == []
    assert "Aucune campagne ne correspond" in text(browser, "#contenu")


def test_an_unknown_address_is_a_french_page_and_the_api_stays_json(browser, platform):
    browser.get(platform.base_url + "/cette-page-n-existe-pas")
    assert "Page introuvable" in text(browser, "h1")
    assert browser.find_element(By.LINK_TEXT, "Campagnes")
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    answer = platform.get("/cette-route-non-plus")
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_draft_is_a_french_404_for_visitors_and_marked_unpublished_for_staff(
        browser, platform, campaigns):
    draft = platform.post("/campaigns", {
        "project_id": campaigns["rewarded"]["project_id"], "title": "Un brouillon de campagne",
        "goal_cents": 100_000, "deadline": in_a_month()}).json()
    path = f"/campagnes/{draft['id']}"
    browser.delete_all_cookies()
    browser.get(platform.base_url + path)
    assert "Page introuvable" in text(browser, "h1")
    assert "brouillon" not in text(browser, "#contenu")
    browser.get(f"{platform.base_url}/connexion?suivant={path}")
    browser.find_element(By.ID, "email").send_keys(account(platform, ["animator"]))
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, "form.stacked button"))
    try:
        assert browser.current_url == platform.base_url + path
        assert "Un brouillon de campagne" in text(browser, "h1")
        assert "Non publiée" in text(browser, ".campaign .tags")
        assert axe_violations(browser) == [], describe(axe_violations(browser))
        screenshot(browser, "campagne-non-publiee")
    finally:
        browser.delete_all_cookies()  # the next tests read as visitors


def test_a_campaign_page_reads_on_a_phone(browser, platform, campaigns):
    as_phone(browser)
    try:
        browser.get(f"{platform.base_url}/campagnes/{campaigns['rewarded']['id']}")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - "
            "document.documentElement.clientWidth")
        assert overflow <= 0, f"the campaign page scrolls sideways by {overflow}px"
        rewards = text(browser, ".rewards")
        assert "Un panier" in rewards and "40 restantes sur 40" in rewards
        assert "Prévue en mars 2027 · À retirer sur place" in rewards
        screenshot(browser, "campaign-phone")
        # The form comes after the story on a phone: a button under the summary leads there.
        jump = browser.find_element(By.CSS_SELECTOR, ".jump-to-action a")
        assert jump.is_displayed() and jump.text == "Contribuer"
        jump.click()  # within the page
        assert browser.current_url.endswith("#contribuer")
        assert "Créer un compte pour contribuer" in text(browser, "#contribuer")
    finally:
        as_desktop(browser)
    browser.get(f"{platform.base_url}/campagnes/{campaigns['rewarded']['id']}")
    assert not browser.find_element(By.CSS_SELECTOR, ".jump-to-action a").is_displayed()


def test_a_campaign_page_shows_its_cover_carrier_optimum_and_news(browser, platform):
    carrier = platform.post("/organisations", {
        "name": "Épicerie des Étangs", "legal_form": "association", "postal_code": "01330",
        "commune": "Villars-les-Dombes", "territory": "dombes"}).json()
    project = platform.post("/projects", {
        "title": "Une épicerie solidaire", "summary": "Des produits locaux à prix justes.",
        "field": "proximity_economy", "commune": "Villars-les-Dombes",
        "carrier_organisation_id": carrier["id"]}).json()
    assert platform.post(f"/projects/{project['id']}/news", {
        "title": "Le local est trouvé", "body": "Nous signons le bail en mars."}).status_code == 201
    campaign = live_campaign(platform, project_id=project["id"], title="Ouvrir l'épicerie",
                             goal_cents=1_000_000, optimum_cents=1_500_000)
    given(platform, campaign["id"], 1_200_000)
    browser.get(f"{platform.base_url}/campagnes/{campaign['id']}")
    assert browser.find_element(By.CSS_SELECTOR, "svg.cover-page.cover-proximity_economy") \
        .get_attribute("aria-hidden") == "true"
    assert "Épicerie des Étangs, association à Villars-les-Dombes" in text(browser, ".carrier")
    # 12 000 € given: the goal of 10 000 € passed, the optimum of 15 000 € at 80 %.
    assert f"Objectif optimal : 15{NNBSP}000 € · atteint à 80 %" in text(browser, ".optimum")
    page = text(browser, "#contenu")
    assert "Le local est trouvé" in page and "Nous signons le bail en mars." in page
    # The h1 says the title: the summary under the cover neither repeats it nor links to
    # the page itself.
    assert text(browser, "h1") == "Ouvrir l'épicerie"
    summary = browser.find_element(By.CSS_SELECTOR, ".campaign-summary")
    assert "Ouvrir l'épicerie" not in summary.text
    assert f"12{NNBSP}000 € collectés" in summary.text
    assert not summary.find_elements(By.CSS_SELECTOR, f"a[href$='/campagnes/{campaign['id']}']")
    # Passed on by its address, or by an email ready to send.
    share = browser.find_element(By.CSS_SELECTOR, ".share")
    assert share.find_element(By.PARTIAL_LINK_TEXT, f"/campagnes/{campaign['id']}")
    mail = share.find_element(By.LINK_TEXT, "L'envoyer par courriel").get_attribute("href")
    assert mail.startswith("mailto:?subject=") and campaign["id"] in mail
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    screenshot(browser, "campaign-page-desktop")
    browser.get(platform.base_url + "/campagnes")
    card = browser.find_element(By.ID, f"campagne-{campaign['id']}").find_element(By.XPATH, "..")
    assert card.find_elements(By.CSS_SELECTOR, "svg.cover-card.cover-proximity_economy")
    read_on_a_phone(browser, f"{platform.base_url}/campagnes/{campaign['id']}",
                    "campaign-page-phone")
    # Who gave: the latest first, as the API gives them with sort=recent.
    given(platform, campaign["id"], 5_000, public=True, contributor_name="Noé")
    browser.get(f"{platform.base_url}/campagnes/{campaign['id']}")
    assert text(browser, ".contributors").splitlines() == [
        "Noé — 50 €", f"Anonyme — 12{NNBSP}000 €"]
    newest = platform.get(f"/campaigns/{campaign['id']}/contributors?sort=recent").json()
    assert [row["contributor_name"] for row in newest["items"]] == ["Noé", None]


def signed_in_on(browser, platform, email, path):
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/connexion?suivant={path}")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, "form.stacked button"))
    assert browser.current_url == platform.base_url + path


def test_a_citizen_asks_a_question_and_the_carrier_answers_it_on_the_page(browser, platform):
    carrier = platform.post("/organisations", {
        "name": "Les Ateliers du Bief", "legal_form": "association", "postal_code": "01400",
        "commune": "Châtillon-sur-Chalaronne", "territory": "dombes"}).json()
    project = platform.post("/projects", {
        "title": "Un atelier vélo", "summary": "Réparer ensemble.", "field": "citizen_economy",
        "commune": "Châtillon-sur-Chalaronne", "carrier_organisation_id": carrier["id"]}).json()
    campaign = live_campaign(platform, project_id=project["id"], title="Des outils partagés")
    path = f"/campagnes/{campaign['id']}"
    citizen = f"lou-{uuid.uuid4().hex[:8]}@example.org"
    assert platform.post("/auth/signup", {"email": citizen, "password": PASSWORD,
                                          "display_name": "Lou"}).status_code == 202
    browser.delete_all_cookies()
    browser.get(platform.base_url + path)
    assert "Pas encore de question." in text(browser, "#contenu")
    assert browser.find_element(By.LINK_TEXT, "Se connecter pour poser une question")
    try:
        signed_in_on(browser, platform, citizen, path)
        click_and_wait_for_the_next_page(browser, browser.find_element(
            By.CSS_SELECTOR, "form.ask-question button"))  # nothing written
        assert "Écrivez votre question" in text(browser, "#question-body-erreur")
        assert axe_violations(browser) == [], describe(axe_violations(browser))
        browser.find_element(By.ID, "question-body").send_keys(
            "Les outils seront-ils prêtés aux habitants ?")
        browser.find_element(By.ID, "question-asker_name").send_keys("Lou")
        click_and_wait_for_the_next_page(browser, browser.find_element(
            By.CSS_SELECTOR, "form.ask-question button"))
        assert browser.current_url.endswith("?question=envoyee#questions")
        question = text(browser, ".question")
        assert "Lou" in question and "Les outils seront-ils prêtés aux habitants ?" in question
        assert "En attente de réponse." in question
        assert not browser.find_elements(By.CSS_SELECTOR, ".question form")  # not hers to answer

        signed_in_on(browser, platform, account(platform, ["member_admin"], carrier["id"]),
                     path)
        answer_form = browser.find_element(By.CSS_SELECTOR, ".question form")
        answer_form.find_element(By.TAG_NAME, "textarea").send_keys(
            "Oui, chaque samedi matin, avec un bénévole.")
        assert axe_violations(browser) == [], describe(axe_violations(browser))
        click_and_wait_for_the_next_page(browser, answer_form.find_element(By.TAG_NAME,
                                                                           "button"))
        answer = text(browser, ".question .answer")
        assert "Réponse du porteur du projet" in answer
        assert "Oui, chaque samedi matin, avec un bénévole." in answer
        assert "Votre réponse est publiée." in text(browser, "#contenu")
        assert axe_violations(browser) == [], describe(axe_violations(browser))
        screenshot(browser, "campaign-questions-desktop")
        read_on_a_phone(browser, platform.base_url + path + "#questions",
                        "campaign-questions-phone")
    finally:
        browser.delete_all_cookies()  # the next tests read as visitors


def test_ended_campaigns_are_listed_apart_and_the_list_is_sorted_as_asked(browser, platform):
    met = live_campaign(platform, title=f"Un four à pain {uuid.uuid4().hex[:4]}",
                        goal_cents=1_000, deadline=(datetime.now(timezone.utc)
                                                    + timedelta(seconds=12)).isoformat())
    given(platform, met["id"], 1_000)
    wait_until(lambda: platform.get(f"/campaigns/{met['id']}").json()["status"]
               in ("succeeded", "closed"), timeout=40, message="the campaign to succeed")
    browser.get(platform.base_url + "/campagnes")
    assert text(browser, "h1") == "Campagnes en cours"
    assert not browser.find_elements(By.ID, f"campagne-{met['id']}")
    Select(browser.find_element(By.ID, "etat")).select_by_visible_text("Réussies")
    Select(browser.find_element(By.ID, "tri")).select_by_visible_text("Les plus soutenues")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, ".filters button"))
    assert "etat=reussies" in browser.current_url and "tri=plus-soutenues" in browser.current_url
    assert text(browser, "h1") == "Campagnes réussies"
    card = browser.find_element(By.ID, f"campagne-{met['id']}").find_element(By.XPATH, "..")
    assert "Terminée" in card.text and "100 % de l'objectif" in card.text
    assert "Réussie" in text(browser, f"#campagne-{met['id']} ~ .tags")
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    browser.get(platform.base_url + "/campagnes?etat=terminees&tri=presque-finies")
    assert text(browser, "h1") == "Campagnes terminées"
    assert browser.find_elements(By.ID, f"campagne-{met['id']}")
    browser.get(platform.base_url + "/campagnes?etat=lune&tri=hasard")
    assert "Choisissez un état" in text(browser, "#etat-erreur")
    assert "Choisissez un ordre" in text(browser, "#tri-erreur")
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    read_on_a_phone(browser, platform.base_url + "/campagnes?etat=reussies",
                    "campaigns-succeeded-phone")


def test_the_projects_list_filters_by_field_and_stage_and_leads_to_each_project(
        browser, platform):
    garage = platform.post("/projects", {
        "title": f"Garage {uuid.uuid4().hex[:6]}", "summary": "Réparer plutôt que jeter.",
        "field": "proximity_economy", "commune": "Trévoux", "founders": "Alix"}).json()
    assert platform.post(f"/projects/{garage['id']}/stage",
                         {"stage": "emergence"}).status_code == 200
    browser.get(platform.base_url + "/")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, "nav[aria-label='Navigation principale']").find_element(
        By.LINK_TEXT, "Projets"))
    assert text(browser, "h1") == "Projets accompagnés"
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    Select(browser.find_element(By.ID, "domaine")).select_by_visible_text(
        "Économie de proximité")
    Select(browser.find_element(By.ID, "etape")).select_by_visible_text("Émergence")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.CSS_SELECTOR, ".filters button"))
    cards = browser.find_elements(By.CSS_SELECTOR, ".project")
    assert [card.find_element(By.CSS_SELECTOR, ".card-title").text for card in cards] == [
        garage["title"]]
    assert "Trévoux · Économie de proximité" in cards[0].text and "Émergence" in cards[0].text
    click_and_wait_for_the_next_page(browser, cards[0].find_element(By.TAG_NAME, "a"))
    assert browser.current_url.endswith(f"/projets/{garage['id']}")
    browser.get(platform.base_url + "/projets?etape=lune")
    assert "Choisissez une étape" in text(browser, "#etape-erreur")
    read_on_a_phone(browser, platform.base_url + "/projets", "projects-phone")
