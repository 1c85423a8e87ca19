"""Page sessions in headless Chromium, through the whole platform: a session outlives its
15-minute access token while the person works, and a form typed when the session has
ended is kept through signing in again, then sent on to the payment provider."""
import uuid

from selenium.webdriver.common.by import By

from tests.browser.test_citizen_journeys import fill, submit, text
from tests.support.browser import axe_violations, describe
from tests.support.funding import live_campaign
from tests.support.running_platform import PASSWORD


def a_signed_in_citizen(browser, platform, remember=False):
    email = f"sacha-{uuid.uuid4().hex[:8]}@example.org"
    assert platform.request("POST", "/auth/signup", {
        "email": email, "password": PASSWORD, "display_name": "Sacha"}).status_code == 202
    browser.delete_all_cookies()
    browser.get(platform.base_url + "/connexion")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    if remember:
        browser.find_element(By.ID, "remember").click()
    submit(browser)
    return email


def test_a_session_is_renewed_when_its_access_token_has_expired(browser, platform):
    a_signed_in_citizen(browser, platform, remember=True)
    refresh = browser.get_cookie("dombinnov_refresh")
    assert refresh["httpOnly"] and refresh["sameSite"] == "Lax"
    assert refresh.get("expiry"), "a remembered session outlives the browser"
    first_token = browser.get_cookie("dombinnov_session")["value"]
    browser.delete_cookie("dombinnov_session")  # what the browser does after 15 minutes
    browser.get(platform.base_url + "/mes-contributions")
    assert text(browser, "h1") == "Mes contributions"
    renewed = browser.get_cookie("dombinnov_session")
    assert renewed and renewed["value"] != first_token
    assert browser.get_cookie("dombinnov_refresh")["value"] != refresh["value"]  # rotated


def test_a_form_typed_after_the_session_ended_is_sent_after_signing_in(browser, platform):
    campaign = live_campaign(platform, title=f"Four à pain {uuid.uuid4().hex[:6]}")
    email = a_signed_in_citizen(browser, platform)
    browser.get(f"{platform.base_url}/campagnes/{campaign['id']}")
    fill(browser, "amount", "42")
    fill(browser, "name", "Sacha du four")
    # The session ends while the person types (12 hours away, or signed out elsewhere).
    browser.delete_cookie("dombinnov_session")
    browser.delete_cookie("dombinnov_refresh")
    submit(browser, ".campaign-action form button[type=submit]")

    assert text(browser, "h1") == "Se connecter"
    assert "Ce que vous aviez saisi est gardé" in text(browser, ".notice")
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser)

    assert text(browser, "h1") == "Envoyer votre formulaire"
    assert axe_violations(browser) == [], describe(axe_violations(browser))
    submit(browser)
    assert "/pay/" in browser.current_url  # on to the provider's page, with the amount
    assert "42,00" in browser.find_element(By.TAG_NAME, "body").text
    mine = platform.query("funding", "SELECT amount_cents, contributor_name FROM contributions "
                                     "WHERE campaign_id = :id", id=campaign["id"])
    assert [tuple(row) for row in mine] == [(4200, "Sacha du four")]


def test_a_form_address_opened_as_a_link_is_a_french_page(browser, platform):
    campaign = live_campaign(platform, title=f"Lien {uuid.uuid4().hex[:6]}")
    browser.get(f"{platform.base_url}/campagnes/{campaign['id']}/contribuer")
    assert text(browser, "h1") == "Action impossible ici"
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
