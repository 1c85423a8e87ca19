"""Editing cards in headless Chromium against the whole platform: an animator saves an
organisation's card; its own admin, whose card someone else saved meanwhile, is told so
in French, sees the values now, keeps what was typed, and saves again knowingly. The
same for a project's card edited by its carrier's admin from "Mon organisation", and for
a partner's formalisation, dates and public visibility on the project's page, where
animators also move a milestone and correct support hours and a job report, with a
reason the history then shows. The pages pass axe and fit a phone, their folded forms
open."""
from datetime import date, datetime, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from shared.french import PARIS
from tests.support.browser import screenshot
from tests.support.pages import (
    account,
    assert_accessible,
    assert_fits_a_phone,
    assert_readable_on_a_phone,
    created,
    follow,
    member,
    sign_in,
    submit,
)


@pytest.fixture(scope="module")
def organisation(platform):
    organisation, _ = member(platform, "Ressourcerie de Châtillon")
    return {**organisation, "admin": account(platform, ["member_admin"], organisation["id"]),
            "animator": account(platform, ["animator"])}


def type_into(browser, field_id, text):
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(text)


def card_version(browser, card="fiche"):
    return browser.find_element(By.CSS_SELECTOR, f"#{card} input[name=version]") \
        .get_attribute("value")


def sent_and_done(browser, form_css, said):
    """Send the form; the page it leads to says it is done (in words starting so)."""
    submit(browser, form_css)
    assert browser.find_element(By.CSS_SELECTOR, "p.notice.success").text.startswith(said)


def saved_meanwhile(platform, path, body):
    """Someone else saves the record between the page's drawing and its sending."""
    answer = platform.request("PATCH", path, body, as_="staff")
    assert answer.status_code == 200, answer.text


def told_of_a_conflict(browser, card="fiche"):
    """Send the card, drawn before someone else saved it: the page says so in French, and
    shows the values as they are now, {label: value}."""
    submit(browser, f"#{card} form")
    assert "modifiée entre-temps par quelqu'un d'autre" in \
        browser.find_element(By.ID, f"{card}-form-erreur").text
    return {item.find_element(By.TAG_NAME, "dt").text: item.find_element(By.TAG_NAME, "dd").text
            for item in browser.find_elements(By.CSS_SELECTOR, f"#{card}-actuel .facts > div")}


def set_day(browser, field_id, day):
    """A date field's value, as the browser would send it (its own picker is locale's)."""
    browser.execute_script("arguments[0].value = arguments[1]",
                           browser.find_element(By.ID, field_id), day.isoformat())


def unfold(browser, kind, record):
    """Open a record's folded form on the project's page, as one clicks its title; the
    prefix of its ids."""
    card = f"{kind}-{record['id']}"
    browser.find_element(By.CSS_SELECTOR, f"#{card} > summary").click()
    return card


def test_an_animator_edits_an_organisation_card(browser, platform, organisation):
    path = f"/animation/adherents/{organisation['id']}"
    sign_in(browser, platform, organisation["animator"], path)
    version = int(card_version(browser))
    type_into(browser, "fiche-sector", "Réemploi et réparation")
    type_into(browser, "fiche-headcount_fte", "6,5")
    sent_and_done(browser, "#fiche form", "La fiche de la structure est enregistrée.")
    assert browser.find_element(By.ID, "fiche-sector").get_attribute("value") == \
        "Réemploi et réparation"
    assert int(card_version(browser)) == version + 1
    saved = platform.get(f"/organisations/{organisation['id']}", as_="staff").json()
    assert (saved["sector"], saved["headcount_fte"]) == ("Réemploi et réparation", 6.5)
    assert_accessible(browser)
    assert_readable_on_a_phone(browser, platform, {"organisation-card": path})


def test_its_admin_is_told_of_an_edit_made_meanwhile_and_keeps_what_was_typed(
        browser, platform, organisation):
    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    drawn = int(card_version(browser))
    saved_meanwhile(platform, f"/organisations/{organisation['id']}",
                    {"version": drawn, "name": "Ressourcerie du Val"})
    type_into(browser, "fiche-commune", "Trévoux")
    assert told_of_a_conflict(browser) == {"Nom": "Ressourcerie du Val",
                                           "Commune": "Châtillon-sur-Chalaronne"}
    assert browser.find_element(By.ID, "fiche-commune").get_attribute("value") == "Trévoux"
    assert browser.find_element(By.ID, "fiche-name").get_attribute("value") == \
        "Ressourcerie de Châtillon"  # as it was typed: the reader decides
    assert int(card_version(browser)) == drawn + 1
    assert_accessible(browser)
    screenshot(browser, "my-organisation-card-conflict")

    type_into(browser, "fiche-name", "Ressourcerie du Val")
    sent_and_done(browser, "#fiche form", "La fiche de votre structure est enregistrée.")
    saved = platform.get(f"/organisations/{organisation['id']}", as_="staff").json()
    assert (saved["name"], saved["commune"], saved["version"]) == (
        "Ressourcerie du Val", "Trévoux", drawn + 2)
    assert_readable_on_a_phone(browser, platform, {"my-organisation-card": "/mon-organisation"})


@pytest.fixture(scope="module")
def project(platform, organisation):
    """A project the organisation carries, with a partner, a milestone, support hours
    and a job report, made by staff through the API."""
    today = datetime.now(PARIS).date()
    project = created(platform.post("/projects", {
        "title": "Atelier vélo des Dombes", "summary": "Réparer et revendre des vélos.",
        "field": "circular_economy", "commune": "Trévoux", "territory": "val_de_saone",
        "carrier_organisation_id": organisation["id"]}))
    route = f"/projects/{project['id']}"
    return {**project, "route": route, "path": f"/animation/projets/{project['id']}",
            "partner": created(platform.post(f"{route}/partners", {
                "name": "Mairie de Trévoux", "circle": "ally"})),
            "milestone": created(platform.post(f"{route}/milestones", {
                "title": "Local trouvé", "due_on": (today + timedelta(days=30)).isoformat()})),
            "support": created(platform.post(f"{route}/support", {
                "kind": "mentoring", "hours": 3,
                "given_on": (today - timedelta(days=5)).isoformat(), "given_by": "Camille"})),
            "report": created(platform.post(f"{route}/job-reports", {
                "reported_on": (today - timedelta(days=1)).isoformat(), "created_fte": 3,
                "consolidated_fte": 1}))}


def test_a_carrier_admin_edits_its_project_card_after_an_edit_made_meanwhile(
        browser, platform, organisation, project):
    sign_in(browser, platform, organisation["admin"], "/mon-organisation")
    path = f"/mon-organisation/projets/{project['id']}"
    follow(browser, browser.find_element(By.CSS_SELECTOR, f'a[href="{path}"]'))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Atelier vélo des Dombes"
    drawn = int(card_version(browser))
    saved_meanwhile(platform, project["route"],
                    {"version": drawn, "title": "Atelier vélo solidaire"})
    type_into(browser, "fiche-commune", "Jassans-Riottier")
    assert told_of_a_conflict(browser) == {"Titre": "Atelier vélo solidaire",
                                           "Commune": "Trévoux"}
    assert browser.find_element(By.ID, "fiche-commune").get_attribute("value") == \
        "Jassans-Riottier"
    assert browser.find_element(By.ID, "fiche-title").get_attribute("value") == \
        "Atelier vélo des Dombes"  # as it was typed: the reader decides
    assert int(card_version(browser)) == drawn + 1
    assert_accessible(browser)
    screenshot(browser, "my-project-card-conflict")
    assert_fits_a_phone(browser, "my-project-card-conflict")

    type_into(browser, "fiche-title", "")
    submit(browser, "#fiche form")  # no title: said at the top, a link to the field
    [link] = browser.find_elements(By.CSS_SELECTOR, ".error-summary a")
    assert link.get_attribute("href").endswith("#fiche-title")
    assert link.text == "Donnez un titre au projet, de 3 à 200 caractères."
    assert_accessible(browser)

    type_into(browser, "fiche-title", "Atelier vélo solidaire")
    sent_and_done(browser, "#fiche form", "La fiche du projet est enregistrée.")
    saved = platform.get(f"{project['route']}/file", as_="staff").json()
    assert (saved["title"], saved["commune"], saved["version"]) == (
        "Atelier vélo solidaire", "Jassans-Riottier", drawn + 2)
    screenshot(browser, "my-project-card")
    assert_readable_on_a_phone(browser, platform, {"my-project-card": path})


def test_an_animator_moves_a_milestone_and_formalises_a_partner_edited_meanwhile(
        browser, platform, organisation, project):
    sign_in(browser, platform, organisation["animator"], project["path"])
    milestone = unfold(browser, "jalon", project["milestone"])
    type_into(browser, f"{milestone}-title", "Local loué")
    due = datetime.now(PARIS).date() + timedelta(days=45)
    set_day(browser, f"{milestone}-due_on", due)
    sent_and_done(browser, f"#{milestone} form", "Le jalon est modifié.")
    assert "Local loué" in browser.find_element(By.ID, "jalon").text

    partner = unfold(browser, "partenaire", project["partner"])
    Select(browser.find_element(By.ID, f"{partner}-formalisation")) \
        .select_by_visible_text("Convention")
    saved_meanwhile(platform, f"{project['route']}/partners/{project['partner']['id']}",
                    {"version": 1, "formalisation": "contract"})
    assert told_of_a_conflict(browser, partner) == {"Formalisation": "Contrat"}
    assert Select(browser.find_element(By.ID, f"{partner}-formalisation")) \
        .first_selected_option.text == "Convention"  # as it was chosen
    assert card_version(browser, partner) == "2"
    assert_accessible(browser)
    screenshot(browser, "animation-partner-conflict")
    assert_fits_a_phone(browser, "animation-partner-conflict")

    sent_and_done(browser, f"#{partner} form", "Le partenaire est modifié.")
    assert "Convention" in browser.find_element(By.ID, "partenaire").text
    file = platform.get(f"{project['route']}/file", as_="staff").json()
    assert [(p["formalisation"], p["version"]) for p in file["partners"]] == [
        ("agreement", 3)]
    assert [(m["title"], m["due_on"]) for m in file["milestones"]] == [
        ("Local loué", due.isoformat())]


def test_an_animator_dates_a_partnership_and_shows_the_partner_on_the_public_page(
        browser, platform, organisation, project):
    public = f"/projets/{project['id']}"
    browser.get(platform.base_url + public)
    assert "Mairie de Trévoux" not in browser.find_element(By.TAG_NAME, "main").text
    sign_in(browser, platform, organisation["animator"], project["path"])
    partner = unfold(browser, "partenaire", project["partner"])
    shown = browser.find_element(By.ID, f"{partner}-shown_publicly")
    assert not shown.is_selected()
    set_day(browser, f"{partner}-starts_on", date(2026, 9, 1))
    set_day(browser, f"{partner}-ends_on", date(2026, 8, 31))
    browser.find_element(By.CSS_SELECTOR, f"label[for={partner}-shown_publicly]").click()
    submit(browser, f"#{partner} form")  # it would end before it starts: said by the field
    [link] = browser.find_elements(By.CSS_SELECTOR, ".error-summary a")
    assert link.get_attribute("href").endswith(f"#{partner}-ends_on")
    assert "pas avant la date de début" in browser.find_element(
        By.ID, f"{partner}-ends_on-erreur").text
    assert browser.find_element(By.ID, f"{partner}-shown_publicly").is_selected()  # kept
    assert browser.find_element(By.ID, f"{partner}-starts_on").get_attribute("value") == \
        "2026-09-01"
    assert_accessible(browser)
    screenshot(browser, "animation-partner-dates-refused")
    assert_fits_a_phone(browser, "animation-partner-dates-refused")

    drawn = int(card_version(browser, partner))
    saved_meanwhile(platform, f"{project['route']}/partners/{project['partner']['id']}",
                    {"version": drawn, "starts_on": "2026-10-01"})
    set_day(browser, f"{partner}-ends_on", date(2027, 8, 31))
    assert told_of_a_conflict(browser, partner) == {
        "Début du partenariat": "1er octobre 2026", "Fin du partenariat": "(vide)",
        "Affiché sur la page publique": "Non"}
    assert browser.find_element(By.ID, f"{partner}-ends_on").get_attribute("value") == \
        "2027-08-31"  # as it was typed: the reader decides
    assert int(card_version(browser, partner)) == drawn + 1
    assert_accessible(browser)
    screenshot(browser, "animation-partner-dates-conflict")
    assert_fits_a_phone(browser, "animation-partner-dates-conflict")

    sent_and_done(browser, f"#{partner} form", "Le partenaire est modifié.")
    row = browser.find_element(By.CSS_SELECTOR, "#partenaire tbody tr").text
    assert "du 1er septembre 2026 au 31 août 2027" in row and row.endswith("Oui")
    file = platform.get(f"{project['route']}/file", as_="staff").json()
    assert [(p["starts_on"], p["ends_on"], p["shown_publicly"], p["version"])
            for p in file["partners"]] == [("2026-09-01", "2027-08-31", True, drawn + 2)]
    browser.get(platform.base_url + public)
    assert "Mairie de Trévoux" in browser.find_element(By.TAG_NAME, "main").text


def test_staff_correct_support_hours_and_a_job_report_with_a_reason_kept_in_the_history(
        browser, platform, organisation, project):
    sign_in(browser, platform, organisation["animator"], project["path"])
    support = unfold(browser, "heures", project["support"])
    type_into(browser, f"{support}-hours", "4,5")
    submit(browser, f"#{support} form")  # no reason: refused, said at the top and by it
    [link] = browser.find_elements(By.CSS_SELECTOR, ".error-summary a")
    assert link.get_attribute("href").endswith(f"#{support}-reason")
    assert link.text.startswith("Dites pourquoi vous corrigez")
    assert browser.find_element(By.ID, f"{support}-reason").is_displayed()  # unfolded
    assert browser.find_element(By.ID, f"{support}-hours").get_attribute("value") == "4,5"
    assert_accessible(browser)
    screenshot(browser, "animation-support-correction-refused")
    assert_fits_a_phone(browser, "animation-support-correction-refused")

    type_into(browser, f"{support}-reason", "Demi-journée oubliée")
    sent_and_done(browser, f"#{support} form", "La correction des heures est enregistrée")
    assert "4,5 h en tout" in browser.find_element(By.CSS_SELECTOR, ".facts").text

    report = unfold(browser, "bilan", project["report"])
    type_into(browser, f"{report}-created_fte", "2,5")
    type_into(browser, f"{report}-reason", "Un poste compté deux fois")
    sent_and_done(browser, f"#{report} form", "La correction du bilan d'emplois est enregistrée")
    history = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")][1:]
               for row in browser.find_elements(By.CSS_SELECTOR, "#corrections tbody tr")]
    assert history == [
        ["Bilan d'emplois · Emplois créés (ETP)", "3 ETP", "2,5 ETP",
         "Un poste compté deux fois"],
        ["Accompagnement · Heures", "3 h", "4,5 h", "Demi-journée oubliée"]]
    assert_accessible(browser)
    file = platform.get(f"{project['route']}/file", as_="staff").json()
    assert (file["support_hours"], file["job_reports"][0]["created_fte"]) == (4.5, 2.5)
    screenshot(browser, "animation-project-corrections")
    assert_readable_on_a_phone(browser, platform, {
        "animation-project-records": project["path"]}, unfold=True)
