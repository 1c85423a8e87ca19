"""The legal pages in headless Chromium: reached from every page's footer, accessible
(axe), readable on a phone; a loan campaign says who holds the money."""
import uuid

from selenium.webdriver.common.by import By

from tests.support.browser import (
    as_desktop,
    as_phone,
    axe_violations,
    click_and_wait_for_the_next_page,
    describe,
    screenshot,
)
from tests.support.funding import LOAN_SHEET, live_campaign

FOOTER = {"Mentions légales": "Mentions légales",
          "Conditions générales": "Conditions générales d'utilisation",
          "Confidentialité": "Politique de confidentialité",
          "Contact": "Nous contacter"}


def sideways_scroll(browser) -> int:
    return browser.execute_script("return document.documentElement.scrollWidth - "
                                  "document.documentElement.clientWidth")


def test_the_footer_leads_to_each_legal_page(browser, platform):
    for link_text, heading in FOOTER.items():
        browser.get(platform.base_url + "/campagnes")
        footer = browser.find_element(By.CSS_SELECTOR, ".site-footer")
        click_and_wait_for_the_next_page(browser, footer.find_element(By.LINK_TEXT, link_text))
        assert browser.find_element(By.TAG_NAME, "h1").text == heading
        assert axe_violations(browser) == [], describe(axe_violations(browser))
    assert "contact@dombinnov.fr" in browser.find_element(By.ID, "contenu").text


def test_the_legal_pages_read_on_a_phone(browser, platform):
    as_phone(browser)
    try:
        for path in ("/mentions-legales", "/conditions-generales", "/confidentialite"):
            browser.get(platform.base_url + path)
            assert sideways_scroll(browser) <= 0, f"{path} scrolls sideways on a phone"
            screenshot(browser, "legal" + path.replace("/", "-") + "-phone")
    finally:
        as_desktop(browser)


def test_a_loan_campaign_says_who_holds_the_money(browser, platform):
    loan = live_campaign(platform, title=f"Prêt {uuid.uuid4().hex[:6]}", kind="loan",
                         goal_cents=2_000_000, key_information=LOAN_SHEET)
    browser.get(f"{platform.base_url}/campagnes/{loan['id']}")
    holder = browser.find_element(By.CSS_SELECTOR, ".money-holder").text
    assert "Qui détient l'argent" in holder
    assert "prestataire de paiement simulé" in holder  # no provider named in the tests
    assert "ne doit pas recevoir de prêts ni de souscriptions réels" in holder
    assert axe_violations(browser) == [], describe(axe_violations(browser))
