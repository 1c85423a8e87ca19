"""A citizen and an investor in headless Chromium, through the whole platform and the
payment simulator's own page: a citizen signs up, gives to a reward campaign and sees
the contribution and the campaign's progress change; an investor goes through the
protection steps, pays, and withdraws in the reflection period; a contribution sent as
funding stops is sent again, and taken once."""
import re
import uuid

import pytest
import requests
from selenium.webdriver.common.by import By

from tests.support.accounts import confirmation_links
from tests.support.browser import (
    PHONE,
    as_desktop,
    as_phone,
    axe_violations,
    click_and_wait_for_the_next_page,
    describe,
    screenshot,
)
from tests.support.funding import (
    LOAN_SHEET,
    live_campaign,
    receipt_text,
    receipted_project,
    right_answers,
)
from tests.support.platform import wait_ready
from tests.support.running_platform import PASSWORD
from tests.support.waiting import wait_until

NNBSP = "\u202f"  # babel's thousands separator


def text(browser, css="#contenu"):
    return browser.find_element(By.CSS_SELECTOR, css).text


def fill(browser, field_id, value):
    field = browser.find_element(By.ID, field_id)
    field.clear()
    field.send_keys(value)


def submit(browser, css="#contenu form button[type=submit]"):
    click_and_wait_for_the_next_page(browser, browser.find_element(By.CSS_SELECTOR, css))


def accessible(browser):
    violations = axe_violations(browser)
    assert violations == [], describe(violations)


def at_both_widths(browser, name):
    """The page as it is, axe-clean and screenshot on a laptop (1366 px) and on a phone
    (390 px, no sideways scrolling); the window is put back as it was."""
    try:
        for width, height in ((1366, 900), PHONE):
            browser.set_window_size(width, height)
            assert browser.execute_script("return document.documentElement.scrollWidth - "
                                          "document.documentElement.clientWidth") <= 0
            accessible(browser)
            screenshot(browser, f"{name}-{'phone' if width == PHONE[0] else 'desktop'}")
    finally:
        as_desktop(browser)


def pay_on_the_providers_page(browser, platform):
    """The simulator's payer page, then back to ours: reload until the webhook has
    confirmed the payment (it travels separately from the browser's return)."""
    assert "/pay/" in browser.current_url
    submit(browser, "button.confirm")
    assert browser.current_url.startswith(platform.base_url + "/contributions/")

    def confirmed():
        browser.refresh()
        return "Merci pour votre contribution" in text(browser, "h1")
    wait_until(confirmed, timeout=20, message="the payment to be confirmed on the page")


def sign_up_in_the_browser(browser, name, email):
    """Sign up, then sign in: the page after a sign-up is the same whether or not the
    address had an account (the sign-in form, the address typed, where one was going)."""
    fill(browser, "display_name", name)
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser)
    assert "Nous venons d'écrire à" in text(browser)
    fill(browser, "password", PASSWORD)
    submit(browser)


def signed_up_on_the_campaign(browser, platform, campaign, name):
    """A new citizen, signed up through the API, signs in from the campaign's page and
    is back on it; answers their address."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.org"
    assert platform.post("/auth/signup", {"email": email, "password": PASSWORD,
                                          "display_name": name}).status_code == 202
    browser.delete_all_cookies()
    browser.get(platform.base_url + f"/connexion?suivant=/campagnes/{campaign['id']}")
    fill(browser, "email", email)
    fill(browser, "password", PASSWORD)
    submit(browser)
    return email


@pytest.fixture
def vegetables(platform):
    return live_campaign(platform, title=f"Paniers {uuid.uuid4().hex[:6]}", kind="reward",
                         model="all_or_nothing", goal_cents=100_000, rewards=[
                             {"title": "Un panier de saison", "min_amount_cents": 2_500,
                              "stock": 3}])


def test_a_citizen_signs_up_gives_for_a_reward_and_sees_the_campaign_move(
        browser, platform, vegetables):
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/campagnes/{vegetables['id']}")
    assert "0 € collectés" in text(browser, ".amounts")
    assert "Un panier de saison" in text(browser, ".rewards")
    assert "3 restantes sur 3" in text(browser, ".rewards")
    assert "Envoyée par la poste" in text(browser, ".rewards")  # the carrier's default
    accessible(browser)
    click_and_wait_for_the_next_page(
        browser, browser.find_element(By.LINK_TEXT, "Créer un compte pour contribuer"))

    # A mistake first: the form keeps what was typed and says what is wrong.
    email = f"camille-{uuid.uuid4().hex[:8]}@example.org"
    fill(browser, "display_name", "Camille Martin")
    fill(browser, "email", email)
    fill(browser, "password", "court")
    submit(browser)
    assert browser.find_element(By.ID, "email").get_attribute("value") == email
    assert "au moins 10 caractères" in text(browser, "#password-erreur")
    accessible(browser)
    fill(browser, "password", PASSWORD)
    submit(browser)
    # Signed up: the sign-in form, the address typed (the same page whether or not the
    # address had an account), then back to the campaign.
    assert "Nous venons d'écrire à" in text(browser)
    fill(browser, "password", PASSWORD)
    submit(browser)

    # Back on the campaign, signed in: a reward, its minimum amount.
    assert browser.current_url.endswith(f"/campagnes/{vegetables['id']}")
    assert "Un panier de saison" in text(browser, ".campaign-action form")
    fill(browser, "amount", "abc")
    submit(browser)
    assert "en chiffres" in text(browser, "#amount-erreur")
    browser.find_element(By.CSS_SELECTOR, "input[name=reward]:not([value=''])").click()
    fill(browser, "amount", "")
    fill(browser, "name", "Camille")
    submit(browser)
    pay_on_the_providers_page(browser, platform)

    assert "25 €" in text(browser, ".notice")
    assert "25 € collectés" in text(browser, ".amounts")  # the campaign's progress
    assert "il ne sera prélevé que si la campagne atteint son objectif" in text(browser)
    assert "Contrepartie choisie : Un panier de saison (envoyée par la poste)." in text(browser)
    # Given: the page offers to pass the campaign on.
    share = browser.find_element(By.CSS_SELECTOR, ".share")
    assert share.find_element(By.PARTIAL_LINK_TEXT, f"/campagnes/{vegetables['id']}")
    at_both_widths(browser, "thank-you")
    click_and_wait_for_the_next_page(browser, browser.find_element(By.LINK_TEXT,
                                                                   "Mes contributions"))
    row = text(browser, "tbody tr")
    assert vegetables["title"] in row and "25 €" in row and "Paiement autorisé" in row
    accessible(browser)

    browser.get(f"{platform.base_url}/campagnes/{vegetables['id']}")
    assert "2 restantes sur 3" in text(browser, ".rewards")
    assert "Camille — 25 €" in text(browser, ".contributors")


@pytest.fixture
def loan(platform):
    return live_campaign(platform, title=f"Prêt {uuid.uuid4().hex[:6]}", kind="loan",
                         goal_cents=2_000_000, key_information=LOAN_SHEET)


def test_an_investor_goes_through_the_steps_pays_and_withdraws(browser, platform, loan):
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/inscription?suivant=/campagnes/{loan['id']}")
    email = f"dominique-{uuid.uuid4().hex[:8]}@example.org"
    sign_up_in_the_browser(browser, "Dominique Bernard", email)
    # Investing needs the address confirmed: the link mailed at sign-up, followed.
    [link] = confirmation_links(platform, email)
    browser.get(link)
    submit(browser)
    assert "est confirmée" in text(browser)
    browser.get(f"{platform.base_url}/campagnes/{loan['id']}")
    assert "risque de perte" in text(browser, ".campaign-action")
    click_and_wait_for_the_next_page(
        browser, browser.find_element(By.LINK_TEXT, "Commencer les étapes pour investir"))

    # The offer's key information sheet comes first, with the campaign's own figures.
    sheet = text(browser, ".sheet")
    assert "Épicerie Solidaire SCIC" in sheet and f"20{NNBSP}000 €" in sheet
    assert browser.find_elements(By.TAG_NAME, "h2")[0].text == "Fiche d'informations clés"

    # The knowledge test: one wrong answer too many is refused, the right ones pass; a
    # question left unanswered is said so, the other answers kept.
    answers = right_answers()
    *answered, last = answers
    for question in answered:
        browser.find_element(By.CSS_SELECTOR, f"input[name='q-{question}']"
                             f"[value='{answers[question]}']").click()
    wrong, second = answered[:2]
    for question in (wrong, second):
        browser.find_element(By.CSS_SELECTOR, f"input[name='q-{question}']"
                             f":not([value='{answers[question]}'])").click()
    submit(browser)  # one left blank: not graded, said, the rest kept
    assert "Il manque une réponse à 1 question" in text(browser, "#contenu")
    unanswered = browser.find_element(By.XPATH, f"//input[@name='q-{last}']/ancestor::fieldset")
    assert "Vous n'avez pas répondu à cette question." in unanswered.text
    kept = answered[2]
    assert browser.find_element(By.CSS_SELECTOR, f"input[name='q-{kept}']"
                                f"[value='{answers[kept]}']").is_selected()
    assert browser.find_element(By.CSS_SELECTOR, f"input[name='q-{wrong}']"
                                f":not([value='{answers[wrong]}'])").is_selected()
    accessible(browser)
    browser.find_element(By.CSS_SELECTOR, f"input[name='q-{last}'][value='{answers[last]}']"
                         ).click()
    submit(browser)
    assert "4 bonnes réponses sur 6" in text(browser, "#contenu")
    assert "Il vous reste 2 essais sur 3 par période de 24 heures." in text(browser, "#contenu")
    accessible(browser)
    for question in (wrong, second):
        browser.find_element(By.CSS_SELECTOR, f"input[name='q-{question}']"
                             f"[value='{answers[question]}']").click()
    submit(browser)

    # The simulation of loss, then the sheet, the warning and the investment.
    assert "Simulation de votre capacité" in text(browser, "#contenu")
    fill(browser, "net_worth", "40 000")
    submit(browser)
    assert "4\u202f000 €" in text(browser, ".notice")
    assert "Épicerie Solidaire SCIC" in text(browser, ".sheet")
    # Consent is given by the investor, never assumed: every box starts unticked.
    boxes = browser.find_elements(By.CSS_SELECTOR, "#contenu input[type=checkbox]")
    assert len(boxes) == 4 and not any(box.is_selected() for box in boxes)
    at_both_widths(browser, "investment-form")
    fill(browser, "amount", "500")
    submit(browser)  # no box ticked: said next to the boxes
    assert "accepter l'avertissement" in text(browser, "#risk_warning_accepted-erreur")
    # The summary above the form leads to each box said, by its id.
    links = browser.execute_script(
        "return [...document.querySelectorAll('.error-summary a')].map(a => "
        "[a.getAttribute('href'), !!document.getElementById(a.getAttribute('href').slice(1))])")
    assert ["#risk_warning_accepted", True] in links and all(found for _, found in links)
    assert browser.find_element(By.ID, "amount").get_attribute("value") == "500"
    for box in ("risk_warning_accepted", "key_information_read"):
        browser.find_element(By.ID, box).click()
    submit(browser)
    pay_on_the_providers_page(browser, platform)
    assert "renoncer" in text(browser, "#contenu")

    browser.get(platform.base_url + "/mes-contributions")
    assert "Paiement autorisé" in text(browser, "tbody tr")
    accessible(browser)
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.PARTIAL_LINK_TEXT, "Renoncer à cet investissement"))
    assert text(browser, "h1") == "Renoncer à cet investissement ?"  # asked once more
    assert "500 €" in text(browser, ".facts")
    assert "rien ne vous sera prélevé" in text(browser) and "définitif" in text(browser)
    assert "Non, garder mon investissement" in text(browser)
    at_both_widths(browser, "withdraw-confirmation")
    submit(browser)
    assert "vous avez renoncé" in text(browser, ".notice")
    row = text(browser, "tbody tr")
    assert "Annulée" in row and "délai de réflexion" in row
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "Renoncer à cet investissement")


def test_an_investor_who_failed_the_test_three_times_is_told_when_to_come_back(browser, platform,
                                                                            loan):
    email = f"claude-{uuid.uuid4().hex[:8]}@example.org"
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/inscription?suivant=/campagnes/{loan['id']}/investir")
    sign_up_in_the_browser(browser, "Claude Petit", email)
    failing = {**right_answers(), "loss": "a", "guarantee": "a"}  # 4 out of 6

    def choose(answers):
        for question, option in answers.items():
            browser.find_element(By.CSS_SELECTOR, f"input[name='q-{question}']"
                                 f"[value='{option}']").click()
    for left in ("Il vous reste 2 essais", "Il vous reste 1 essai"):
        choose(failing)
        submit(browser)
        assert "4 bonnes réponses sur 6" in text(browser, "#contenu")
        assert left in text(browser, "#contenu")
    # The third failure in another tab (here the API): the form still open here is
    # refused, even with the right answers.
    me = {"Authorization": f"Bearer {platform.login(email)['access_token']}"}
    third = platform.request("POST", "/investor/knowledge-test", {"answers": failing},
                             headers=me)
    assert third.json()["profile"]["knowledge_test_attempts_left"] == 0, third.text
    choose(right_answers())
    submit(browser)
    # The test is closed: no form, and the day and hour it comes back.
    refused = text(browser, "#test-refuse")
    assert refused.startswith("Vous avez échoué 3 fois au test en 24 heures.")
    assert re.search(r"Vous pourrez le repasser à partir du \d+(er)? \w+ \d{4} à \d+\s*h\s*\d\d\.",
                     refused), refused
    assert not browser.find_elements(By.CSS_SELECTOR, "input[name^='q-']")
    accessible(browser)
    browser.get(f"{platform.base_url}/campagnes/{loan['id']}/investir")
    assert "Vous pourrez le repasser à partir du" in text(browser, "#test-refuse")


def test_a_donor_asks_for_a_tax_receipt_in_the_form_and_finds_it_then_cancelled(browser,
                                                                                 platform):
    campaign = live_campaign(platform, receipted_project(platform),
                             title="Des bacs pour le jardin")
    email = f"sacha-{uuid.uuid4().hex[:8]}@example.org"
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/inscription?suivant=/campagnes/{campaign['id']}")
    sign_up_in_the_browser(browser, "Sacha", email)

    # The receipt is asked for with the legal name and address; a part missing is said
    # next to its field, in French, and what was typed stays.
    fill(browser, "amount", "40")
    fill(browser, "name", "Sacha du quartier")
    browser.find_element(By.ID, "receipt").click()
    for field, value in (("receipt_first_name", "Sacha"), ("receipt_last_name", "Roux"),
                         ("receipt_street", "1 rue du Lavoir"),
                         ("receipt_commune", "Trévoux")):
        fill(browser, field, value)
    submit(browser)
    assert "5 chiffres" in text(browser, "#receipt_postal_code-erreur")
    assert browser.find_element(By.ID, "receipt_last_name").get_attribute("value") == "Roux"
    assert browser.find_element(By.ID, "receipt").is_selected()
    accessible(browser)
    fill(browser, "receipt_postal_code", "01600")
    submit(browser)
    pay_on_the_providers_page(browser, platform)

    click_and_wait_for_the_next_page(browser, browser.find_element(By.LINK_TEXT,
                                                                   "Mes contributions"))
    row = text(browser, "tbody tr")
    assert "Des bacs pour le jardin" in row and "40 €" in row and "Payée" in row
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Reçu fiscal n°")
    accessible(browser)
    # The PDF, fetched with the browser's own session cookie: the legal name, not the
    # name shown among contributors.
    href = link.get_attribute("href")
    cookies = {cookie["name"]: cookie["value"] for cookie in browser.get_cookies()}
    pdf = requests.get(href, cookies=cookies, timeout=15)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    words = receipt_text(pdf.content)
    assert "Sacha Roux" in words and "Sacha du quartier" not in words
    assert requests.get(href, timeout=15,
                        allow_redirects=False).status_code == 302  # signed out: sign in first

    # Refunded by the association: the receipt is cancelled, in the list and the PDF.
    [(payment,)] = platform.query("funding", "SELECT payment_id FROM contributions WHERE "
                                  "campaign_id = :id", id=campaign["id"])
    platform.paysim.client().refund(payment)

    def cancelled():
        browser.refresh()
        return "annulé" in text(browser, "tbody tr")
    wait_until(cancelled, timeout=20, message="the receipt to be shown cancelled")
    assert "Remboursée" in text(browser, "tbody tr")
    assert "Reçu ANNULÉ le" in receipt_text(requests.get(href, cookies=cookies,
                                                         timeout=15).content)


def test_a_gift_without_a_legal_name_is_told_no_receipt_can_be_issued(browser, platform):
    campaign = live_campaign(platform, receipted_project(platform), title="Des graines")
    browser.delete_all_cookies()
    browser.get(f"{platform.base_url}/inscription?suivant=/campagnes/{campaign['id']}")
    sign_up_in_the_browser(browser, "Lou", f"lou-{uuid.uuid4().hex[:8]}@example.org")
    fill(browser, "amount", "15")
    fill(browser, "name", "Lou")
    browser.find_element(By.NAME, "amount_hidden").click()  # her name, not her amount
    submit(browser)
    pay_on_the_providers_page(browser, platform)
    assert "Aucun reçu fiscal ne pourra être délivré pour ce don" in text(browser)
    browser.get(f"{platform.base_url}/campagnes/{campaign['id']}")
    assert text(browser, ".contributors") == "Lou"


def test_a_reward_chosen_on_its_card_then_a_refused_payment_tried_again(browser, platform,
                                                                        vegetables):
    email = signed_up_on_the_campaign(browser, platform, vegetables, "Alix")
    card = browser.find_element(By.CSS_SELECTOR, ".reward-card")
    assert "Un panier de saison" in card.text and "À partir de 25 €" in card.text
    click_and_wait_for_the_next_page(browser, card.find_element(By.PARTIAL_LINK_TEXT,
                                                                "Choisir"))
    assert browser.current_url.endswith("#contribuer")
    chosen = browser.find_element(By.CSS_SELECTOR, "input[name=reward]:checked")
    assert chosen.get_attribute("value") == vegetables["rewards"][0]["id"]
    accessible(browser)
    fill(browser, "amount", "30")
    submit(browser, ".campaign-action form button[type=submit]")

    submit(browser, "button.refuse")  # at the provider: the payment is refused
    assert browser.current_url.startswith(platform.base_url + "/contributions/")
    answer = requests.get(browser.current_url, timeout=10, cookies={
        cookie["name"]: cookie["value"] for cookie in browser.get_cookies()})
    assert answer.status_code == 200
    if "Paiement en cours de confirmation" in answer.text:  # the webhook not there yet
        assert answer.headers["Refresh"] == "3"  # the page asks again by itself

    def refused():
        browser.refresh()
        return "Réessayer" in text(browser)
    wait_until(refused, timeout=20, message="the refusal on the contribution page")
    assert "Contribution de 30 € : paiement refusé." in text(browser)
    assert "Contrepartie choisie : Un panier de saison" in text(browser)
    accessible(browser)
    click_and_wait_for_the_next_page(browser, browser.find_element(By.PARTIAL_LINK_TEXT,
                                                                   "Réessayer"))
    assert browser.find_element(By.ID, "amount").get_attribute("value") == "30"
    chosen = browser.find_element(By.CSS_SELECTOR, "input[name=reward]:checked")
    assert chosen.get_attribute("value") == vegetables["rewards"][0]["id"]
    submit(browser, ".campaign-action form button[type=submit]")
    pay_on_the_providers_page(browser, platform)
    assert "Contrepartie choisie : Un panier de saison" in text(browser)
    browser.get(platform.base_url + "/mes-contributions")
    assert "Contrepartie : Un panier de saison" in text(browser, "tbody")
    # Tried again and paid: the refused one no longer invites a second payment.
    assert not browser.find_elements(By.PARTIAL_LINK_TEXT, "Réessayer")
    assert "Vous avez réessayé" in text(browser, "tbody")
    # Newest first on the page, as funding gives them when asked (sort=recent): someone
    # with more than a page of contributions sees their latest ones.
    states = [row.text for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert "Paiement autorisé" in states[0] and "Paiement refusé" in states[1]
    auth = {"Authorization": f"Bearer {platform.login(email)['access_token']}"}
    newest = platform.get("/me/contributions?sort=recent&limit=1", **auth).json()
    oldest = platform.get("/me/contributions?limit=1", **auth).json()
    assert [page["items"][0]["status"] for page in (newest, oldest)] == ["authorized", "failed"]
    after = platform.get(f"/me/contributions?sort=recent&limit=1&cursor={newest['next_cursor']}",
                         **auth).json()
    assert after["items"][0]["id"] == oldest["items"][0]["id"]


def test_an_amount_above_the_goal_is_confirmed_before_the_payment_page(browser, platform,
                                                                       vegetables):
    email = signed_up_on_the_campaign(browser, platform, vegetables, "Sacha")
    reward = vegetables["rewards"][0]["id"]
    browser.find_element(By.CSS_SELECTOR, f"input[name=reward][value='{reward}']").click()
    fill(browser, "amount", "1500")  # 1 500 € for a goal of 1 000 €: 15 € meant?
    submit(browser, ".campaign-action form button[type=submit]")
    assert text(browser, "h1") == "Confirmer votre contribution"
    assert (f"Vous allez contribuer 1{NNBSP}500 € à « {vegetables['title']} », avec la "
            "contrepartie « Un panier de saison »") in text(browser)
    assert f"dépasse l'objectif entier de la campagne (1{NNBSP}000 €)" in text(browser)
    accessible(browser)
    as_phone(browser)
    try:
        assert browser.execute_script("return document.documentElement.scrollWidth - "
                                      "document.documentElement.clientWidth") <= 0
        screenshot(browser, "confirm-contribution-phone")
    finally:
        as_desktop(browser)
    click_and_wait_for_the_next_page(browser, browser.find_element(
        By.LINK_TEXT, "Non, modifier le montant"))
    assert browser.find_element(By.ID, "amount").get_attribute("value") == "1500"
    chosen = browser.find_element(By.CSS_SELECTOR, "input[name=reward]:checked")
    assert chosen.get_attribute("value") == reward
    submit(browser, ".campaign-action form button[type=submit]")
    submit(browser, "#contenu form button[type=submit]")  # « Oui, contribuer 1 500 € »
    assert "/pay/" in browser.current_url
    token = platform.login(email)["access_token"]
    mine = platform.get("/me/contributions", Authorization=f"Bearer {token}").json()["items"]
    assert [row["amount_cents"] for row in mine] == [150_000]  # one contribution, not two


def test_a_contribution_sent_while_funding_is_away_is_sent_again_and_taken_once(
        browser, platform, vegetables):
    """Funding stops as the pledge is confirmed: the page says the contribution is not
    confirmed and may be kept. Funding back, « Renvoyer ma contribution » sends the same
    form with the same key: the payment page, and one contribution, not two (the request
    left waiting in funding's queue may well have been taken meanwhile)."""
    email = signed_up_on_the_campaign(browser, platform, vegetables, "Lou")
    fill(browser, "amount", "1500")  # above the goal: asked once more, funding there
    submit(browser, ".campaign-action form button[type=submit]")
    assert text(browser, "h1") == "Confirmer votre contribution"
    platform.processes.stop("funding")
    try:
        submit(browser, "#contenu form button[type=submit]")  # « Oui, contribuer 1 500 € »
        assert text(browser, "h1") == "Contribution non confirmée"
        assert "elle ne sera ni comptée ni payée deux fois" in text(browser)
        at_both_widths(browser, "contribution-not-confirmed")
    finally:
        platform.processes.start("funding")
        wait_ready(platform.base_url)
    submit(browser, "#contenu form button[type=submit]")  # « Renvoyer ma contribution »
    assert "/pay/" in browser.current_url
    token = platform.login(email)["access_token"]
    mine = platform.get("/me/contributions", Authorization=f"Bearer {token}").json()["items"]
    assert [row["amount_cents"] for row in mine] == [150_000]
    pay_on_the_providers_page(browser, platform)
