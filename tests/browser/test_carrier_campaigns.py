"""A carrier drafts its own campaign in headless Chromium against the whole platform: the
admin of the organisation carrying a project writes its story in Markdown, its goal,
optimum, deadline and a reward to pick up, gives it a cover photo, submits it; an
animator reads it (story formatted, photo) and approves it: it is live. A loan's key
information sheet is drafted on the same form, refused field by field, changed once sent
back; its funding model is chosen, each explained, and cooperative shares set a goal in
new members, both drawn again when the draft is edited. Each page passes axe and fits a
phone."""
import io
from datetime import date, timedelta

import pytest
from PIL import Image
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

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

STORY = ("## Pourquoi un camion\n\nNous collectons les **invendus** des producteurs.\n\n"
         "- trois tournées par semaine\n- une chambre froide")


@pytest.fixture(scope="module")
def carrier(platform):
    organisation, _ = member(platform, "Épicerie de la Dombes")
    project = created(platform.post("/projects", {
        "title": "Épicerie solidaire itinérante", "summary": "Des produits locaux pour tous.",
        "field": "proximity_economy", "commune": "Châtillon-sur-Chalaronne",
        "carrier_organisation_id": organisation["id"]}))
    return {"admin": account(platform, ["member_admin"], organisation["id"]),
            "animator": account(platform, ["animator"], name="Dominique"),
            "project": project}


def fill(browser, field_id, value):
    element = browser.find_element(By.ID, field_id)
    element.clear()
    element.send_keys(value)


def test_a_carrier_drafts_illustrates_and_submits_and_the_animator_approves(
        browser, platform, carrier, tmp_path):
    sign_in(browser, platform, carrier["admin"], "/mon-organisation/campagnes")
    follow(browser, browser.find_element(By.LINK_TEXT, "Préparer une campagne"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Nouvelle campagne"
    Select(browser.find_element(By.ID, "campagne-projet")).select_by_visible_text(
        "Épicerie solidaire itinérante")
    fill(browser, "campagne-titre", "Un camion frigorifique")
    fill(browser, "campagne-histoire", STORY)
    fill(browser, "campagne-video", "https://video.example.org/camion")
    Select(browser.find_element(By.ID, "campagne-type")).select_by_visible_text(
        "Don avec contreparties")
    fill(browser, "campagne-objectif", "huit mille")
    fill(browser, "campagne-optimum", "12 000")
    browser.execute_script("arguments[0].value = arguments[1]",
                           browser.find_element(By.ID, "campagne-date_limite"),
                           (date.today() + timedelta(days=40)).isoformat())
    fill(browser, "campagne-contrepartie-0-titre", "Un panier de légumes")
    fill(browser, "campagne-contrepartie-0-montant", "25")
    fill(browser, "campagne-contrepartie-0-stock", "40")
    Select(browser.find_element(By.ID, "campagne-contrepartie-0-remise")).select_by_visible_text(
        "À retirer sur place")
    submit(browser, "form.wide-form")
    # Said next to the field, the rest kept as typed.
    assert "en chiffres" in browser.find_element(By.ID, "campagne-objectif-erreur").text
    assert browser.find_element(By.ID, "campagne-titre").get_attribute("value") == \
        "Un camion frigorifique"
    assert_accessible(browser)
    fill(browser, "campagne-objectif", "8 000")
    submit(browser, "form.wide-form")
    assert "Votre brouillon est enregistré." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text

    photo = tmp_path / "camion.jpg"
    Image.new("RGB", (2000, 1200), (40, 120, 90)).save(photo, "JPEG")
    browser.find_element(By.ID, "photo-file").send_keys(str(photo))
    submit(browser, "form[enctype='multipart/form-data']")
    assert "La photo de couverture est enregistrée." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text
    cover = browser.find_element(By.CSS_SELECTOR, "img.cover-photo")
    assert browser.execute_script("return arguments[0].naturalWidth", cover) == 1200
    story = browser.find_element(By.CSS_SELECTOR, ".story")
    assert story.find_element(By.TAG_NAME, "h3").text == "Pourquoi un camion"
    assert story.find_element(By.TAG_NAME, "strong").text == "invendus"
    assert_accessible(browser)
    screenshot(browser, "carrier-campaign-draft")
    campaign_path = browser.current_url.split(platform.base_url, 1)[1].split("?")[0]
    assert_readable_on_a_phone(browser, platform, {
        "carrier-campaign": campaign_path, "carrier-campaigns": "/mon-organisation/campagnes"})

    browser.get(platform.base_url + campaign_path)
    submit(browser, "section[aria-labelledby=soumettre-titre] form")
    assert "soumise" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_elements(By.CSS_SELECTOR, "form.wide-form") == []  # no longer editable
    campaign_id = campaign_path.rsplit("/", 1)[1]

    sign_in(browser, platform, carrier["animator"], "/animation/campagnes")
    card = browser.find_element(By.ID, f"campagne-{campaign_id}")
    assert card.find_element(By.CSS_SELECTOR, ".story strong").text == "invendus"
    assert browser.execute_script("return arguments[0].naturalWidth",
                                  card.find_element(By.CSS_SELECTOR, "img.cover-photo")) == 1200
    assert "À retirer sur place" in card.text
    assert_accessible(browser)
    screenshot(browser, "animator-reviews-carrier-campaign")
    assert_readable_on_a_phone(browser, platform, {"animator-review": "/animation/campagnes"})
    browser.get(platform.base_url + "/animation/campagnes")
    follow(browser, browser.find_element(
        By.CSS_SELECTOR, f"#campagne-{campaign_id} form.inline-block button"))
    assert "est en ligne" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    live = platform.get(f"/campaigns/{campaign_id}").json()
    assert (live["status"], live["goal_cents"], live["optimum_cents"]) == \
        ("live", 800_000, 1_200_000)
    assert live["rewards"][0]["handover"] == "pick_up"

    browser.get(platform.base_url + f"/campagnes/{campaign_id}")
    assert browser.find_element(By.CSS_SELECTOR, ".story h3").text == "Pourquoi un camion"
    assert_accessible(browser)


def test_a_carrier_drafts_a_loan_with_its_key_information_sheet_and_submits_it(
        browser, platform, carrier):
    sign_in(browser, platform, carrier["admin"], "/mon-organisation/campagnes/nouvelle")
    sheet = browser.find_element(By.CSS_SELECTOR, ".sheet-investment")
    assert not sheet.is_displayed()  # a gift, as the form starts, has no sheet
    Select(browser.find_element(By.ID, "campagne-projet")).select_by_visible_text(
        "Épicerie solidaire itinérante")
    fill(browser, "campagne-titre", "Prêtez pour la chambre froide")
    fill(browser, "campagne-histoire", STORY)
    Select(browser.find_element(By.ID, "campagne-type")).select_by_visible_text("Prêt")
    # The kind chosen shows its sheet, and neither rewards nor the shares' fields.
    assert sheet.is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, ".sheet-loan").is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, ".sheet-shares").is_displayed()
    assert not browser.find_element(By.CSS_SELECTOR, ".rewards-fieldset").is_displayed()
    assert not browser.find_element(By.ID, "campagne-objectif_membres").is_displayed()
    # Each funding model says what it means; keep-it-all, the API's default, is chosen.
    assert browser.find_element(By.ID, "campagne-modele-keep_it_all").is_selected()
    assert "chaque contributeur est remboursé" in browser.find_element(
        By.ID, "campagne-modele-all_or_nothing-aide").text
    browser.find_element(By.CSS_SELECTOR, "label[for=campagne-modele-all_or_nothing]").click()
    assert "avant impôts" in browser.find_element(By.ID, "campagne-fiche-taux-aide").text
    fill(browser, "campagne-objectif", "20 000")
    browser.execute_script("arguments[0].value = arguments[1]",
                           browser.find_element(By.ID, "campagne-date_limite"),
                           (date.today() + timedelta(days=40)).isoformat())
    for field, value in (("denomination", "Épicerie de la Dombes"),
                         ("forme", "SCIC SAS à capital variable"),
                         ("siren", "732 829 321"),  # one digit wrong: its key fails
                         ("adresse", "1 place du Marché, 01400 Châtillon-sur-Chalaronne"),
                         ("description", "Une chambre froide pour les invendus."),
                         ("frais", "Aucun frais."), ("fonds", "Achat de la chambre froide."),
                         ("taux", "3,5"),
                         ("remboursement", "Mensualités constantes après un an.")):
        fill(browser, f"campagne-fiche-{field}", value)
    fill(browser, "campagne-fiche-risques", "Perte de tout ou partie de la somme prêtée.")
    browser.find_element(By.ID, "campagne-fiche-risques").send_keys(
        "\nRetard de remboursement.")
    submit(browser, "form.wide-form")

    # The service's refusals, each next to its field and listed above, linked to it.
    summary = browser.find_element(By.CSS_SELECTOR, ".error-summary")
    links = {link.get_attribute("hash") for link in summary.find_elements(By.TAG_NAME, "a")}
    assert links == {"#campagne-fiche-siren", "#campagne-fiche-duree"}
    for link in links:
        assert browser.find_element(By.ID, link[1:]).get_attribute("aria-invalid") == "true"
    assert "n'est pas valide" in browser.find_element(By.ID, "campagne-fiche-siren-erreur").text
    assert browser.find_element(By.ID, "campagne-modele-all_or_nothing").is_selected()
    assert "en mois" in browser.find_element(By.ID, "campagne-fiche-duree-erreur").text
    assert browser.find_element(By.ID, "campagne-fiche-taux").get_attribute("value") == "3,5"
    assert_accessible(browser)
    screenshot(browser, "carrier-loan-sheet-refused")
    fill(browser, "campagne-fiche-siren", "732 829 320")
    fill(browser, "campagne-fiche-duree", "60")
    submit(browser, "form.wide-form")
    assert "Votre brouillon est enregistré." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.ID, "campagne-fiche-risques").get_attribute("value") == \
        "Perte de tout ou partie de la somme prêtée.\nRetard de remboursement."
    campaign_path = browser.current_url.split(platform.base_url, 1)[1].split("?")[0]
    campaign_id = campaign_path.rsplit("/", 1)[1]
    drafted = platform.get(f"/campaigns/{campaign_id}", as_="staff").json()
    assert (drafted["kind"], drafted["key_information"]["annual_interest_rate_bps"],
            drafted["key_information"]["duration_months"],
            drafted["key_information"]["target_amount_cents"]) == ("loan", 350, 60, 2_000_000)
    assert (drafted["model"], drafted["key_information"]["issuer_siren"]) == \
        ("all_or_nothing", "732829320")  # the SIREN as its 9 digits, however typed
    assert browser.find_element(By.ID, "campagne-fiche-siren").get_attribute("value") == \
        "732829320"
    assert_accessible(browser)
    screenshot(browser, "carrier-loan-draft")
    assert_readable_on_a_phone(browser, platform, {"carrier-loan-campaign": campaign_path})

    # Submitted, then sent back by the animator: the carrier changes its sheet again.
    browser.get(platform.base_url + campaign_path)
    submit(browser, "section[aria-labelledby=soumettre-titre] form")
    assert "soumise" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    created(platform.post(f"/campaigns/{campaign_id}/send-back",
                          {"note": "Précisez le différé dans le calendrier."}, as_="staff"))
    browser.get(platform.base_url + campaign_path)
    assert "Précisez le différé" in browser.find_element(By.CSS_SELECTOR, "[role=note]").text
    assert browser.find_element(By.ID, "campagne-modele-all_or_nothing").is_selected()
    fill(browser, "campagne-fiche-remboursement",
         "Un an de différé, puis 48 mensualités constantes.")
    submit(browser, "form.wide-form")
    assert "Vos changements sont enregistrés." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text
    submit(browser, "section[aria-labelledby=soumettre-titre] form")

    # The animator reads the sheet as investors will, and publishes it; its page says who
    # holds the money.
    sign_in(browser, platform, carrier["animator"], "/animation/campagnes")
    card = browser.find_element(By.ID, f"campagne-{campaign_id}")
    assert "Fiche d'informations clés pour l'investisseur" in card.text
    facts = dict(zip((dt.text for dt in card.find_elements(By.CSS_SELECTOR, "dl.sheet dt")),
                     (dd.text for dd in card.find_elements(By.CSS_SELECTOR, "dl.sheet dd"))))
    assert facts["Taux d'intérêt annuel"].replace("\u00a0", " ") == "3,5 %"
    assert facts["Durée du prêt (en mois)"] == "60"
    assert_accessible(browser)
    screenshot(browser, "animator-reviews-carrier-loan")
    follow(browser, card.find_element(By.CSS_SELECTOR, "form.inline-block button"))
    assert "est en ligne" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    offered = platform.get(f"/campaigns/{campaign_id}/key-information").json()["sheet"]
    assert offered["repayment_schedule"] == "Un an de différé, puis 48 mensualités constantes."
    browser.get(platform.base_url + f"/campagnes/{campaign_id}")
    holder = browser.find_element(By.CSS_SELECTOR, "section.money-holder")
    assert "Qui détient l'argent" in holder.text
    assert len(holder.find_elements(By.TAG_NAME, "p")) >= 3  # the holder, the authorisation
    assert_accessible(browser)


def test_a_carrier_drafts_shares_with_a_goal_in_new_members_and_changes_its_model(
        browser, platform, carrier):
    sign_in(browser, platform, carrier["admin"], "/mon-organisation/campagnes/nouvelle")
    Select(browser.find_element(By.ID, "campagne-projet")).select_by_visible_text(
        "Épicerie solidaire itinérante")
    fill(browser, "campagne-titre", "Devenez sociétaires de l'épicerie")
    Select(browser.find_element(By.ID, "campagne-type")).select_by_visible_text(
        "Parts sociales de la coopérative")
    members = browser.find_element(By.ID, "campagne-objectif_membres")
    assert members.is_displayed()  # shares only
    assert "les deux sont atteints" in browser.find_element(
        By.ID, "campagne-objectif_membres-aide").text
    fill(browser, "campagne-objectif", "15 000")
    fill(browser, "campagne-objectif_membres", "zéro")
    browser.execute_script("arguments[0].value = arguments[1]",
                           browser.find_element(By.ID, "campagne-date_limite"),
                           (date.today() + timedelta(days=60)).isoformat())
    for field, value in (("denomination", "Épicerie de la Dombes"), ("forme", "SCIC SAS"),
                         ("siren", "732829320"), ("adresse", "1 place du Marché, 01400 "
                                                             "Châtillon-sur-Chalaronne"),
                         ("description", "Une épicerie coopérative."),
                         ("risques", "Perte de tout ou partie de la somme investie."),
                         ("frais", "Aucun frais."), ("fonds", "Le fonds de roulement."),
                         ("prix-part", "50"), ("droits", "Une voix en assemblée générale."),
                         ("sortie", "Remboursement à la valeur nominale après 5 ans.")):
        fill(browser, f"campagne-fiche-{field}", value)
    submit(browser, "form.wide-form")
    # Not a number of people: said next to its field, the rest kept.
    summary = browser.find_element(By.CSS_SELECTOR, ".error-summary")
    assert [link.get_attribute("hash") for link in summary.find_elements(By.TAG_NAME, "a")] \
        == ["#campagne-objectif_membres"]
    assert "nouveaux sociétaires" in browser.find_element(
        By.ID, "campagne-objectif_membres-erreur").text
    assert browser.find_element(By.ID, "campagne-fiche-prix-part").get_attribute("value") == "50"
    assert_accessible(browser)
    screenshot(browser, "carrier-shares-refused")
    assert_fits_a_phone(browser, "carrier-shares-refused")

    fill(browser, "campagne-objectif_membres", "40")
    submit(browser, "form.wide-form")
    assert "Votre brouillon est enregistré." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text
    campaign_path = browser.current_url.split(platform.base_url, 1)[1].split("?")[0]
    campaign_id = campaign_path.rsplit("/", 1)[1]
    # Drawn again from the draft: the model and the goal in new members as saved.
    assert browser.find_element(By.ID, "campagne-modele-keep_it_all").is_selected()
    assert browser.find_element(By.ID, "campagne-objectif_membres").get_attribute("value") \
        == "40"
    browser.find_element(By.CSS_SELECTOR, "label[for=campagne-modele-all_or_nothing]").click()
    fill(browser, "campagne-objectif_membres", "35")
    submit(browser, "form.wide-form")
    assert "Vos changements sont enregistrés." in browser.find_element(
        By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.ID, "campagne-modele-all_or_nothing").is_selected()
    saved = platform.get(f"/campaigns/{campaign_id}", as_="staff").json()
    assert (saved["kind"], saved["model"], saved["people_goal"], saved["version"]) == (
        "shares", "all_or_nothing", 35, 2)
    assert_accessible(browser)
    screenshot(browser, "carrier-shares-draft")
    assert_readable_on_a_phone(browser, platform, {"carrier-shares-campaign": campaign_path})
