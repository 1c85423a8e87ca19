"""A carrier's campaign form (gateway/web/carrier_campaigns.py, and carrier_sheet.py for
a loan's or shares' key information sheet): what it sends the service, and the form
filled back from a campaign."""
import pytest

from gateway.web import carrier_campaigns as page
from gateway.web import carrier_sheet
from gateway.web.forms import FormError
from services.funding.domain.investors import KEY_INFORMATION_FIELDS, key_information_errors

FORM = {"titre": " Un camion ", "histoire": "## Pourquoi\n\nPour **livrer**.\n",
        "video": "", "type": "reward", "modele": "all_or_nothing", "objectif": "8 000",
        "optimum": "12 000,50",
        "date_limite": "2027-01-15", "contrepartie-0-titre": "Un panier",
        "contrepartie-0-montant": "25", "contrepartie-0-stock": "",
        "contrepartie-0-remise": "pick_up", "contrepartie-1-titre": ""}


def test_the_form_becomes_the_services_body_in_cents_and_the_end_of_the_day_in_france():
    body = page._campaign_body(FORM)
    assert body == {
        "title": "Un camion", "description": "## Pourquoi\n\nPour **livrer**.",
        "kind": "reward", "model": "all_or_nothing", "video_url": None,
        "goal_cents": 800_000, "optimum_cents": 1_200_050, "people_goal": None,
        "deadline": "2027-01-15T23:59:00+01:00",
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_500, "stock": None,
                     "handover": "pick_up"}], "key_information": None}


def test_a_form_without_a_model_keeps_the_services_default():
    assert page._campaign_body({**FORM, "modele": ""})["model"] == "keep_it_all"


@pytest.mark.parametrize("kind, typed, goal", [
    ("shares", "25", 25), ("shares", " 1 200 ", 1200), ("shares", "", None),
    ("shares", "vingt", "vingt"),  # left as typed: the service refuses it by name
    ("loan", "25", None), ("reward", "25", None),  # hidden for other kinds: not sent
])
def test_a_goal_in_new_members_is_sent_for_shares_only(kind, typed, goal):
    assert page._campaign_body({**FORM, "type": kind, "objectif_membres": typed,
                                "contrepartie-0-titre": ""})["people_goal"] == goal


def test_each_model_is_explained_in_french():
    assert [(code, name) for code, name, _ in page.MODELS] == [
        ("all_or_nothing", "Tout ou rien"), ("keep_it_all", "Tout compte")]
    assert "remboursé" in page.MODELS[0][2] and "atteint ou non" in page.MODELS[1][2]


def test_what_cannot_be_read_is_said_in_french_next_to_its_field():
    with pytest.raises(FormError) as refused:
        page._campaign_body({**FORM, "objectif": "huit mille", "date_limite": "demain",
                             "contrepartie-0-montant": "0"})
    assert set(refused.value.errors) == {"objectif", "date_limite", "contrepartie-0-montant"}


def test_an_empty_optimum_clears_it():
    assert page._campaign_body({**FORM, "optimum": ""})["optimum_cents"] is None


def test_the_form_is_filled_back_from_the_campaign():
    typed = page.typed_from({
        "title": "Un camion", "description": "Pour livrer.", "video_url": None,
        "kind": "reward", "model": "all_or_nothing", "goal_cents": 800_000,
        "optimum_cents": None, "deadline": "2027-01-15T22:59:00+00:00",
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_550, "stock": 40,
                     "handover": "pick_up"}]})
    assert typed == {"titre": "Un camion", "histoire": "Pour livrer.", "video": "",
                     "type": "reward", "modele": "all_or_nothing", "objectif": "8000",
                     "optimum": "", "objectif_membres": "", "date_limite": "2027-01-15",
                     "contrepartie-0-titre": "Un panier",
                     "contrepartie-0-montant": "25,50", "contrepartie-0-stock": "40",
                     "contrepartie-0-remise": "pick_up"}


def campaign(status, **changes):
    return {"id": "c1", "title": "Un camion", "version": 3, "status": status,
            "review_note": "Précisez le lieu de retrait.", "cover_image": None,
            "description": "Pour **livrer**.", **changes}


@pytest.mark.parametrize("status, editable, note", [
    ("draft", True, False), ("sent_back", True, True), ("in_review", False, False),
    ("live", False, False)])
def test_the_page_says_where_the_campaign_stands_and_the_note_sending_it_back(
        status, editable, note):
    view = page.campaign_view(campaign(status))
    assert view["editable"] == editable and view["version"] == 3
    assert view["note"] == ("Précisez le lieu de retrait." if note else None)
    assert view["story"] == "<p>Pour <strong>livrer</strong>.</p>\n"
    assert view["status"] == page.STATUS_LABELS[status]


LOAN_FORM = {**FORM, "type": "loan", "contrepartie-0-titre": "",
             "fiche-denomination": "Épicerie Solidaire SCIC", "fiche-forme": "SCIC SAS",
             "fiche-siren": "732 829 320", "fiche-adresse": "1 place du Marché, 01330 Villars",
             "fiche-description": "Une épicerie de produits locaux.",
             "fiche-risques": "Perte totale du capital investi.\r\n\r\n  Illiquidité. \r\n",
             "fiche-frais": "Aucun frais.", "fiche-fonds": "Aménagement du local.",
             "fiche-taux": "2,5 %", "fiche-duree": "60",
             "fiche-remboursement": "Mensualités constantes.",
             "fiche-prix-part": "50"}  # another kind's field: not sent


def test_a_loans_sheet_is_read_in_french_and_takes_the_campaigns_goal_and_closing_day():
    body = page._campaign_body(LOAN_FORM)
    assert body["rewards"] == [] and body["kind"] == "loan"
    sheet = body["key_information"]
    assert sheet == {
        "issuer_legal_name": "Épicerie Solidaire SCIC", "issuer_legal_form": "SCIC SAS",
        "issuer_siren": "732 829 320", "issuer_address": "1 place du Marché, 01330 Villars",
        "project_description": "Une épicerie de produits locaux.",
        "main_risks": ["Perte totale du capital investi.", "Illiquidité."],
        "investor_fees": "Aucun frais.", "use_of_funds": "Aménagement du local.",
        "annual_interest_rate_bps": 250, "duration_months": 60,
        "repayment_schedule": "Mensualités constantes.",
        "target_amount_cents": 800_000, "minimum_target_cents": 800_000,
        "deadline": "2027-01-15"}
    assert key_information_errors("loan", sheet) == {}  # what the API checks


def test_a_shares_sheet_asks_the_price_of_a_share_in_euros():
    sheet = page._campaign_body({**LOAN_FORM, "type": "shares", "fiche-prix-part": "50",
                                 "fiche-droits": "Une voix.", "fiche-sortie": "Après 5 ans."}
                                )["key_information"]
    assert set(sheet) == set(KEY_INFORMATION_FIELDS["shares"])
    assert sheet["share_price_cents"] == 5_000 and "annual_interest_rate_bps" not in sheet
    assert key_information_errors("shares", sheet) == {}


def test_a_gift_sends_no_sheet_whatever_the_hidden_fields_hold():
    assert page._campaign_body({**LOAN_FORM, "type": "donation"})["key_information"] is None


def test_what_the_page_cannot_read_of_the_sheet_is_said_next_to_its_field():
    with pytest.raises(FormError) as refused:
        page._campaign_body({**LOAN_FORM, "fiche-taux": "trois"})
    assert refused.value.errors == {"fiche-taux": carrier_sheet.MESSAGES["fiche-taux"]}
    with pytest.raises(FormError) as refused:
        page._campaign_body({**LOAN_FORM, "type": "shares", "fiche-prix-part": "0"})
    assert set(refused.value.errors) == {"fiche-prix-part"}


def test_empty_fields_are_left_for_the_service_to_refuse_by_name():
    sheet = page._campaign_body({**LOAN_FORM, "fiche-duree": "", "fiche-risques": "\n",
                                 "fiche-siren": ""})["key_information"]
    assert set(key_information_errors("loan", sheet)) == {
        "duration_months", "main_risks", "issuer_siren"}


def test_each_refused_field_of_the_sheet_is_said_in_french_next_to_its_own_field():
    for kind in ("loan", "shares"):
        for name in KEY_INFORMATION_FIELDS[kind]:
            typed = page.ALIASES[f"key_information.{name}"]
            assert typed in page.FIELDS and page.MESSAGES[typed]


@pytest.mark.parametrize("typed, bps", [("3", 300), ("2,5", 250), ("2.05 %", 205),
                                        ("0", 0), ("100", 10_000)])
def test_a_rate_in_percent_is_basis_points_and_reads_back_as_typed(typed, bps):
    assert carrier_sheet.percent_to_bps(typed) == bps
    assert carrier_sheet.percent_to_bps(carrier_sheet.bps_to_typed(bps)) == bps


@pytest.mark.parametrize("typed", ["", "trois", "2,555", "-1", "3,5,1"])
def test_a_rate_that_is_not_one_is_refused_in_french(typed):
    with pytest.raises(ValueError, match="taux"):
        carrier_sheet.percent_to_bps(typed)


def test_the_form_is_filled_back_from_a_loans_sheet():
    body = page._campaign_body(LOAN_FORM)
    typed = page.typed_from({
        "title": "Un camion", "description": "", "video_url": None, "kind": "loan",
        "model": "keep_it_all", "goal_cents": 800_000, "optimum_cents": None,
        "deadline": "2027-01-15T22:59:00+00:00", "rewards": [],
        "key_information": body["key_information"]})
    assert typed["fiche-taux"] == "2,5" and typed["fiche-duree"] == "60"
    assert typed["fiche-risques"] == "Perte totale du capital investi.\nIlliquidité."
    assert "fiche-prix-part" not in typed
    assert page._campaign_body({**typed, "projet": "p"})["key_information"] == \
        body["key_information"]


def test_a_shares_campaign_fills_back_its_model_and_goal_in_new_members():
    body = page._campaign_body({**LOAN_FORM, "type": "shares", "modele": "all_or_nothing",
                                "objectif_membres": "30", "fiche-prix-part": "50",
                                "fiche-droits": "Une voix.", "fiche-sortie": "Après 5 ans."})
    typed = page.typed_from({
        "title": "Un camion", "description": "", "video_url": None, "kind": "shares",
        "model": body["model"], "people_goal": body["people_goal"], "goal_cents": 800_000,
        "optimum_cents": None, "deadline": "2027-01-15T22:59:00+00:00", "rewards": [],
        "key_information": body["key_information"]})
    assert (typed["modele"], typed["objectif_membres"]) == ("all_or_nothing", "30")
    again = page._campaign_body({**typed, "projet": "p"})
    assert (again["model"], again["people_goal"]) == ("all_or_nothing", 30)
