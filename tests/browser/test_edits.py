"""Editing an organisation's card in headless Chromium against the whole platform: an
animator saves it; its own admin, whose card someone else saved meanwhile, is told so in
French, sees the values now, keeps what was typed, and saves again knowingly. The pages
pass axe and fit a phone."""
import pytest
from selenium.webdriver.common.by import By

from tests.support.browser import screenshot
from tests.support.pages import (
    account,
    assert_accessible,
    assert_readable_on_a_phone,
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


def card_version(browser):
    return browser.find_element(By.CSS_SELECTOR, "#fiche input[name=version]") \
        .get_attribute("value")


def test_an_animator_edits_an_organisation_card(browser, platform, organisation):
    path = f"/animation/adherents/{organisation['id']}"
    sign_in(browser, platform, organisation["animator"], path)
    version = int(card_version(browser))
    type_into(browser, "fiche-sector", "Réemploi et réparation")
    type_into(browser, "fiche-headcount_fte", "6,5")
    submit(browser, "#fiche form")
    assert browser.find_element(By.CSS_SELECTOR, "p.notice.success").text == \
        "La fiche de la structure est enregistrée."
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
    # Someone else saves the card between the page's drawing and its sending.
    meanwhile = platform.request("PATCH", f"/organisations/{organisation['id']}",
                                 {"version": drawn, "name": "Ressourcerie du Val"},
                                 as_="staff")
    assert meanwhile.status_code == 200, meanwhile.text
    type_into(browser, "fiche-commune", "Trévoux")
    submit(browser, "#fiche form")

    alert = browser.find_element(By.ID, "fiche-form-erreur").text
    assert "modifiée entre-temps par quelqu'un d'autre" in alert
    now = {item.find_element(By.TAG_NAME, "dt").text: item.find_element(By.TAG_NAME, "dd").text
           for item in browser.find_elements(By.CSS_SELECTOR, "#fiche-actuel .facts > div")}
    assert now == {"Nom": "Ressourcerie du Val", "Commune": "Châtillon-sur-Chalaronne"}
    assert browser.find_element(By.ID, "fiche-commune").get_attribute("value") == "Trévoux"
    assert browser.find_element(By.ID, "fiche-name").get_attribute("value") == \
        "Ressourcerie de Châtillon"  # as it was typed: the reader decides
    assert int(card_version(browser)) == drawn + 1
    assert_accessible(browser)
    screenshot(browser, "my-organisation-card-conflict")

    type_into(browser, "fiche-name", "Ressourcerie du Val")
    submit(browser, "#fiche form")
    assert browser.find_element(By.CSS_SELECTOR, "p.notice.success").text == \
        "La fiche de votre structure est enregistrée."
    saved = platform.get(f"/organisations/{organisation['id']}", as_="staff").json()
    assert (saved["name"], saved["commune"], saved["version"]) == (
        "Ressourcerie du Val", "Trévoux", drawn + 2)
    assert_readable_on_a_phone(browser, platform, {"my-organisation-card": "/mon-organisation"})
