"""Accounts people can recover, in a real browser: a forgotten password ("Mot de passe
oublié ?" under the sign-in form, the mailed link followed, a new password chosen), and
"Mes données" (what is held, its erasure), the address confirmed by its mailed link and
moved to a new one; each page accessible (axe), read on a phone."""
import uuid

from selenium.webdriver.common.by import By

from tests.browser.test_citizen_journeys import accessible, fill, submit, text
from tests.browser.test_dashboard import sign_in
from tests.e2e.test_password_reset import NEW_PASSWORD, the_link
from tests.support.accounts import confirmation_links, sign_up
from tests.support.browser import (
    as_desktop,
    as_phone,
    click_and_wait_for_the_next_page,
    screenshot,
)
from tests.support.running_platform import PASSWORD

PLATFORM_ENV = {"MAIL_SEND_SECONDS": "0.5", "RPC_TIMEOUT": "10"}


def test_a_forgotten_password_is_chosen_again_from_the_mailed_link(browser, platform):
    email = f"oublieuse-{uuid.uuid4().hex[:10]}@example.org"
    sign_up(platform, email, name="Dominique")
    browser.delete_all_cookies()
    browser.get(platform.base_url + "/connexion")
    click_and_wait_for_the_next_page(
        browser, browser.find_element(By.LINK_TEXT, "Mot de passe oublié ?"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Mot de passe oublié"
    accessible(browser)
    fill(browser, "email", email)
    submit(browser)
    assert "Si un compte existe avec cette adresse" in text(browser)
    accessible(browser)

    _, link = the_link(platform, email)
    as_phone(browser)
    try:
        browser.get(link)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Choisir un nouveau mot de passe"
        accessible(browser)
        fill(browser, "new_password", NEW_PASSWORD)
        fill(browser, "confirmation", "pas le même mot de passe")
        submit(browser)
        assert "ne sont pas les mêmes" in text(browser)
        assert browser.find_element(By.ID, "confirmation").get_attribute("aria-invalid") == "true"
        accessible(browser)
        screenshot(browser, "password-reset-form-phone")
        fill(browser, "new_password", NEW_PASSWORD)
        fill(browser, "confirmation", NEW_PASSWORD)
        submit(browser)
    finally:
        as_desktop(browser)
    assert "Votre mot de passe est changé" in text(browser)
    fill(browser, "email", email)
    fill(browser, "password", NEW_PASSWORD)
    submit(browser)
    assert "/connexion" not in browser.current_url

    browser.get(link)  # used once: a French page says so, and offers a new link
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ce lien ne sert plus"
    assert browser.find_element(By.LINK_TEXT, "Demander un nouveau lien")
    accessible(browser)


def test_mes_donnees_shows_what_is_held_and_erases_it_once_confirmed(browser, platform):
    email = f"dominique-{uuid.uuid4().hex[:10]}@example.org"
    sign_up(platform, email, name="Dominique Garnier")
    sign_in(browser, platform, email, path="/mes-donnees")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Mes données"
    assert "Dominique Garnier" in text(browser) and email in text(browser)
    assert browser.find_element(By.LINK_TEXT, "Télécharger mes données (JSON)")
    accessible(browser)
    as_phone(browser)
    try:
        screenshot(browser, "my-data-phone")
        click_and_wait_for_the_next_page(browser, browser.find_element(
            By.LINK_TEXT, "Demander l'effacement de mes données"))
        assert "Cela ne peut pas être défait" in text(browser)
        accessible(browser)
        screenshot(browser, "my-data-erasure-phone")
        submit(browser)
    finally:
        as_desktop(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Vos données sont effacées"
    assert not browser.find_elements(By.LINK_TEXT, "Mes données")  # signed out
    accessible(browser)
    assert platform.post("/auth/login", {"email": email, "password": PASSWORD},
                         as_=None).status_code == 401


def test_a_citizen_signs_up_confirms_the_address_and_moves_to_a_new_one(browser, platform):
    email = f"sacha-{uuid.uuid4().hex[:10]}@example.org"
    browser.delete_all_cookies()
    browser.get(platform.base_url + "/inscription")
    fill(browser, "display_name", "Sacha Morel")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser)
    # The same page whether or not the address had an account: sign in next.
    assert browser.find_element(By.TAG_NAME, "h1").text == "Se connecter"
    assert "Nous venons d'écrire à" in text(browser)
    accessible(browser)
    fill(browser, "password", PASSWORD)
    submit(browser)
    browser.get(platform.base_url + "/mon-compte/adresse")
    assert "À confirmer" in text(browser)
    accessible(browser)

    [link] = confirmation_links(platform, email)
    as_phone(browser)
    try:
        browser.get(link)
        assert browser.find_element(By.TAG_NAME, "h1").text == "Confirmer votre adresse"
        accessible(browser)
        screenshot(browser, "email-confirm-phone")
        submit(browser)
        assert "votre adresse " + email + " est confirmée" in text(browser)
        accessible(browser)
    finally:
        as_desktop(browser)
    screenshot(browser, "email-confirmed")
    browser.get(link)  # once only
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ce lien ne sert plus"
    accessible(browser)

    new = f"sacha-nouvelle-{uuid.uuid4().hex[:10]}@example.org"
    browser.get(platform.base_url + "/mes-donnees")
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.LINK_TEXT, "Confirmer ou changer mon adresse"))
    assert "Confirmée" in text(browser)
    fill(browser, "new_email", new)
    fill(browser, "password", "pas mon mot de passe")
    submit(browser)
    assert "Ce n'est pas votre mot de passe actuel." in text(browser)
    assert browser.find_element(By.ID, "password").get_attribute("aria-invalid") == "true"
    accessible(browser)
    as_phone(browser)
    try:
        screenshot(browser, "email-change-phone")
    finally:
        as_desktop(browser)
    fill(browser, "new_email", new)
    fill(browser, "password", PASSWORD)
    submit(browser)
    assert f"Nous venons d'écrire à {new}" in text(browser)
    accessible(browser)
    screenshot(browser, "email-change-asked")

    [link] = confirmation_links(platform, new)
    browser.get(link)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Confirmer votre nouvelle adresse"
    accessible(browser)
    submit(browser)
    assert f"votre compte utilise désormais l'adresse {new}" in text(browser)
    accessible(browser)
    assert platform.login(new)["account"]["email"] == new
