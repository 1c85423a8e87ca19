"""An animator's project work in headless Chromium against the whole platform: creates
a project from the board (carried by a member organisation), sets a milestone and marks
it reached, publishes news for contributors; an absurd entry (500 hours in a day, a
milestone reached tomorrow) is said next to its field and keeps what was typed. Every
page passes axe and fits a phone."""
import uuid
from datetime import datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from shared.french import PARIS
from tests.support.pages import (
    account,
    assert_accessible,
    assert_readable_on_a_phone,
    follow,
    member,
    set_day,
    sign_in,
    submit,
)


@pytest.fixture(scope="module")
def animator(platform):
    return account(platform, ["animator"])


def type_in(browser, field_id, text):
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def test_an_animator_creates_a_project_sets_milestones_and_publishes_news(browser, platform,
                                                                          animator):
    today = datetime.now(PARIS).date()
    carrier = f"Ressourcerie {uuid.uuid4().hex[:6]}"
    organisation, _ = member(platform, carrier)
    title = f"Atelier vélo {uuid.uuid4().hex[:6]}"
    sign_in(browser, platform, animator, "/animation/projets")
    follow(browser, browser.find_element(By.LINK_TEXT, "Nouveau projet"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Nouveau projet"
    assert_accessible(browser)

    type_in(browser, "projet-title", title)
    type_in(browser, "projet-summary", "Réparer des vélos avec les habitants.")
    type_in(browser, "projet-commune", "Trévoux")
    submit(browser, "main form")  # no field chosen, nor a territory, nor a carrier
    assert browser.find_element(By.ID, "projet-field-erreur").text == \
        "Choisissez la filière du projet."
    # The territory is not edited later: the page has it chosen, none taken for granted.
    assert browser.find_element(By.ID, "projet-territory-erreur").text == \
        "Choisissez le territoire du projet."
    assert browser.find_element(By.ID, "projet-title").get_attribute("value") == title
    assert_accessible(browser)
    Select(browser.find_element(By.ID, "projet-field")).select_by_value("circular_economy")
    Select(browser.find_element(By.ID, "projet-territory")).select_by_visible_text("Dombes")
    submit(browser, "main form")
    assert browser.find_element(By.ID, "projet-carrier_organisation_id-erreur").text \
        .startswith("Choisissez la structure porteuse, ou nommez les fondateurs")
    Select(browser.find_element(By.ID, "projet-carrier_organisation_id")) \
        .select_by_visible_text(carrier)
    submit(browser, "main form")
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "Le projet est créé : il entre dans le parcours comme idée."
    assert carrier in browser.find_element(By.CSS_SELECTOR, ".facts").text
    assert "Trévoux · Dombes" in browser.find_element(By.CSS_SELECTOR, ".facts").text
    project_path = browser.current_url.removeprefix(platform.base_url).split("?")[0]

    # "Sur cette page": a link to each of its sections, in their order, each to an id the
    # page has; followed from the keyboard, it leads there.
    links = browser.find_elements(By.CSS_SELECTOR, "nav.toc a")
    targets = [link.get_attribute("href").split("#", 1)[1] for link in links]
    sections = [section.get_attribute("id")
                for section in browser.find_elements(By.CSS_SELECTOR, "main section[id]")]
    assert targets == sections and "jalon" in targets and "actualite" in targets
    assert [link.text for link in links][:3] == ["Campagnes", "Étape", "Accompagnement"]
    for target in targets:
        assert len(browser.find_elements(By.ID, target)) == 1, target
    jalons = links[targets.index("jalon")]
    jalons.send_keys(Keys.ENTER)
    assert browser.current_url.endswith("#jalon")
    assert_accessible(browser)

    # 500 hours in one day: said next to the hours, what was typed kept.
    Select(browser.find_element(By.ID, "accompagnement-kind")).select_by_visible_text(
        "Diagnostic")
    type_in(browser, "accompagnement-hours", "500")
    type_in(browser, "accompagnement-given_by", "Camille")
    submit(browser, "#accompagnement form")
    assert browser.find_element(By.ID, "accompagnement-hours-erreur").text.startswith(
        "Indiquez les heures d'une journée : plus de 0 et 24 au plus")
    assert browser.find_element(By.ID, "accompagnement-hours").get_attribute("value") == "500"

    type_in(browser, "jalon-title", "Statuts déposés")
    set_day(browser, "jalon-due_on", today + timedelta(days=30))
    submit(browser, "#jalon > form")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "Le jalon est ajouté."
    assert "À venir" in browser.find_element(By.ID, "jalon").text
    reached = browser.find_element(By.CSS_SELECTOR, "#jalon li input[type=date]") \
        .get_attribute("id")
    set_day(browser, reached, today + timedelta(days=1))
    submit(browser, "#jalon li form")
    error = browser.find_element(By.CSS_SELECTOR, "#jalon li .error")
    assert error.text == ("Indiquez le jour où le jalon a été atteint : aujourd'hui au plus "
                          "tard.")
    assert_accessible(browser)
    assert browser.find_element(By.ID, reached).get_attribute("value") == \
        (today + timedelta(days=1)).isoformat()  # what was typed is kept
    set_day(browser, reached, today)
    submit(browser, "#jalon li form")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == \
        "Le jalon est atteint."
    assert "Atteint le" in browser.find_element(By.ID, "jalon").text

    type_in(browser, "actualite-title", "Un local trouvé")
    type_in(browser, "actualite-body", "Merci à vous : nous avons trouvé un local.")
    Select(browser.find_element(By.ID, "actualite-visibility")).select_by_value("contributors")
    submit(browser, "#actualite form")
    assert browser.find_element(By.CSS_SELECTOR, ".notice.success").text == (
        "L'actualité est publiée : chaque contributeur des campagnes du projet la reçoit une "
        "fois par courriel.")
    news = browser.find_element(By.ID, "actualite").text
    assert "Un local trouvé" in news and "Contributeurs seulement" in news
    assert_accessible(browser)

    record = platform.get(f"/projects/{project_path.rsplit('/', 1)[1]}/file",
                          as_="staff").json()
    assert (record["carrier_organisation_id"], record["territory"]) == (organisation["id"],
                                                                        "dombes")
    assert record["support"] == []
    assert [(m["title"], m["completed_on"]) for m in record["milestones"]] == [
        ("Statuts déposés", today.isoformat())]
    assert [(n["title"], n["visibility"]) for n in record["news"]] == [
        ("Un local trouvé", "contributors")]
    assert platform.get(f"/projects/{record['id']}").json()["news"] == []

    assert_readable_on_a_phone(browser, platform, {
        "animation-new-project": "/animation/projets/nouveau",
        "animation-project-milestones-news": project_path})
