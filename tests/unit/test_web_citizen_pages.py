"""The pure parts of the citizens' pages: amounts as people type them, the French
refusals of a form, the tax receipt's part of the contribution form, the investor's next
step, the key information sheet and a contribution as "Mes contributions" tells it."""
from datetime import date, datetime, timedelta, timezone

import pytest

from gateway.web.campaign_page import CONTRIBUTE_MESSAGES, contribution_body, reward_view
from gateway.web.contributions import contribution_view, newest_first, without_retries_made
from gateway.web.formats import euros
from gateway.web.forms import FormError, cents_to_typed, euros_to_cents, french_errors
from gateway.web.investing import attempts_left_message, next_step, retry_message, sheet_rows
from gateway.web.public import card, share_links
from shared.errors import DomainError, conflict, invalid

NBSP = "\u00a0"


@pytest.mark.parametrize("typed, cents", [
    ("25", 2500), ("25,50", 2550), ("25.5", 2550), (" 1 200 € ", 120000),
    ("1\u202f200,05", 120005), ("0,01", 1), ("10000000", 1_000_000_000)])
def test_amounts_are_read_as_people_type_them(typed, cents):
    assert euros_to_cents(typed) == cents


@pytest.mark.parametrize("typed, says", [
    ("", "Indiquez"), ("vingt", "chiffres"), ("25,505", "chiffres"), ("-5", "chiffres"),
    ("0", "supérieur à zéro"), ("10000000,01", "trop élevé"), ("1 2 3", "chiffres")])
def test_a_wrong_amount_is_refused_in_french(typed, says):
    with pytest.raises(ValueError, match=says):
        euros_to_cents(typed)


def test_an_amount_is_written_back_as_it_would_be_typed():
    assert [cents_to_typed(c) for c in (2500, 2550, 5, None)] == ["25", "25,50", "0,05", ""]


def test_a_refusal_is_said_next_to_its_field_and_unknown_ones_above_the_form():
    refusal = invalid({"amount_cents": ["too small"], "surprise": ["?"]})
    errors = french_errors(refusal, {"amount_cents": ("amount", "Trop petit.")},
                           fallback="Vérifiez.")
    assert errors == {"amount": "Trop petit.", "form": "Vérifiez."}


def test_a_conflict_is_not_taken_for_a_form_error():
    with pytest.raises(DomainError):
        french_errors(conflict("campaign_closed", "closed"), {})


def test_a_reward_chosen_without_an_amount_takes_its_minimum():
    body = contribution_body({"reward": "r1", "amount": "", "minimum-r1": "30",
                              "anonymous": "on", "name": " Camille "})
    assert body == {"reward_id": "r1", "amount_cents": 3000, "public": False,
                    "amount_public": True, "contributor_name": "Camille"}
    hidden = contribution_body({"amount": "12", "amount_hidden": "on"})
    assert (hidden["public"], hidden["amount_public"]) == (True, False)


def test_a_contribution_form_without_an_amount_says_so_next_to_it():
    with pytest.raises(FormError) as refused:
        contribution_body({"amount": ""})
    assert set(refused.value.errors) == {"amount"}


PROFILE = {"sophisticated": False, "knowledge_test_valid": False, "loss_simulated_at": None}


def test_the_investor_steps_follow_the_profile():
    assert next_step(PROFILE) == "test"
    assert next_step({**PROFILE, "knowledge_test_valid": True}) == "simulation"
    assert next_step({**PROFILE, "knowledge_test_valid": True,
                      "loss_simulated_at": "2026-11-27T10:00:00+00:00"}) == "invest"
    assert next_step({**PROFILE, "sophisticated": True}) == "invest"


def test_the_key_information_sheet_reads_in_french():
    rows = dict(sheet_rows({"issuer_legal_name": "SCIC", "target_amount_cents": 2_000_000,
                            "annual_interest_rate_bps": 300, "deadline": "2099-06-30",
                            "main_risks": ["Perte totale.", "Illiquidité."],
                            "duration_months": None}))
    assert rows["Montant recherché"] == euros(2_000_000)  # cents as money, not a number
    assert rows["Taux d'intérêt annuel"].replace(NBSP, " ").replace("\u202f", " ") == "3 %"
    assert rows["Date de clôture de l'offre"] == "30 juin 2099"
    assert rows["Principaux risques"] == "Perte totale. ; Illiquidité."
    assert "Durée du prêt (en mois)" not in rows


@pytest.mark.parametrize("bps, shown", [(350, "3,5 %"), (205, "2,05 %"), (0, "0 %")])
def test_a_rate_on_the_sheet_is_never_rounded_to_the_whole_percent(bps, shown):
    rate = dict(sheet_rows({"annual_interest_rate_bps": bps}))["Taux d'intérêt annuel"]
    assert rate.replace(NBSP, " ") == shown


NOW = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
CONTRIBUTION = {"id": "c1", "campaign_id": "k1", "amount_cents": 5000, "matched_cents": 0,
                "status": "authorized", "channel": "online", "created_at": NOW.isoformat(),
                "reflection_ends_at": (NOW + timedelta(days=4)).isoformat(),
                "cancel_reason": None, "receipt_number": None}


def test_an_investment_in_its_reflection_period_can_be_withdrawn():
    shown = contribution_view(CONTRIBUTION, {"kind": "loan", "title": "Prêt"}, NOW)
    assert shown["can_withdraw"] and shown["state"] == "Paiement autorisé"
    assert shown["reflection_ends"] == "1er décembre 2026 à 13\u00a0h\u00a000"  # Paris time


@pytest.mark.parametrize("change", [
    {"status": "captured"}, {"status": "cancelled"},
    {"reflection_ends_at": (NOW - timedelta(seconds=1)).isoformat()}])
def test_an_investment_past_its_reflection_period_or_ended_cannot(change):
    shown = contribution_view({**CONTRIBUTION, **change}, {"kind": "shares", "title": "P"}, NOW)
    assert not shown["can_withdraw"]


def test_a_donation_has_no_withdraw_button_and_shows_its_receipt():
    shown = contribution_view({**CONTRIBUTION, "status": "captured", "receipt_number": "2026-1"},
                              {"kind": "donation", "title": "Don"}, NOW)
    assert not shown["can_withdraw"] and shown["has_receipt"] and shown["state"] == "Payée"


def test_a_subscription_given_back_says_the_board_did_not_approve_it_in_time():
    shown = contribution_view({**CONTRIBUTION, "status": "cancelled",
                               "cancel_reason": "not_approved"},
                              {"kind": "shares", "title": "Parts"}, NOW)
    assert (shown["state"], shown["reason"]) == (
        "Annulée", "le conseil de la coopérative ne l'a pas acceptée dans le délai prévu")


def test_a_receipt_asked_for_sends_the_legal_identity_never_the_shown_name():
    typed = {"amount": "40", "name": "Sacha du quartier", "receipt": "on",
             "receipt_first_name": " Sacha ", "receipt_last_name": "Roux",
             "receipt_street": "1 rue du Lavoir", "receipt_postal_code": "01600",
             "receipt_commune": "Trévoux", "receipt_country": "France",
             "receipt_company": ""}
    body = contribution_body(typed)
    assert body["contributor_name"] == "Sacha du quartier"
    assert body["tax_receipt"] == {"first_name": "Sacha", "last_name": "Roux",
                                   "street": "1 rue du Lavoir", "postal_code": "01600",
                                   "commune": "Trévoux", "country": "France"}
    company = contribution_body({**typed, "receipt_company": "Boulangerie SAS"})
    assert company["tax_receipt"]["donor_type"] == "company"
    assert "first_name" not in company["tax_receipt"]
    assert "tax_receipt" not in contribution_body({**typed, "receipt": ""})  # not ticked


def test_a_missing_part_of_the_legal_identity_is_said_next_to_its_field():
    errors = french_errors(invalid({"tax_receipt.postal_code": ["5 digits."],
                                    "tax_receipt.last_name": ["Missing."]}),
                           CONTRIBUTE_MESSAGES)
    assert set(errors) == {"receipt_postal_code", "receipt_last_name"}
    assert "5 chiffres" in errors["receipt_postal_code"]


def test_a_cancelled_receipt_and_a_gift_without_one_are_told():
    cancelled = contribution_view({**CONTRIBUTION, "status": "refunded",
                                   "receipt_number": "2026-000001",
                                   "receipt_status": "cancelled", "receipt_notice": None},
                                  {"kind": "donation", "title": "Don"}, NOW)
    assert cancelled["has_receipt"] and cancelled["receipt_cancelled"]
    assert cancelled["state"] == "Remboursée"
    without = contribution_view({**CONTRIBUTION, "status": "captured",
                                 "receipt_status": "not_requested",
                                 "receipt_notice": "Aucun reçu fiscal ne pourra être délivré"},
                                {"kind": "donation", "title": "Don"}, NOW)
    assert not without["has_receipt"] and without["receipt_notice"].startswith("Aucun")


def test_a_refused_payment_offers_the_same_gift_again_with_its_reward():
    campaign = {"kind": "reward", "title": "Paniers", "status": "live",
                "rewards": [{"id": "r1", "title": "Un panier de saison"}]}
    refused = contribution_view({**CONTRIBUTION, "status": "failed", "amount_cents": 2550,
                                 "reward_id": "r1"}, campaign, NOW)
    assert refused["reward_title"] == "Un panier de saison"
    assert refused["retry"] == {"montant": "25,50", "contrepartie": "r1"}
    paid = contribution_view({**CONTRIBUTION, "status": "captured", "reward_id": "r1"},
                             campaign, NOW)
    assert paid["retry"] is None and paid["reward_title"] == "Un panier de saison"
    closed = contribution_view({**CONTRIBUTION, "status": "failed"},
                               {**campaign, "status": "closed"}, NOW)
    assert closed["retry"] is None  # nothing to try again on


def test_a_refused_payment_tried_again_is_not_offered_a_second_retry():
    campaign = {"kind": "reward", "title": "Paniers", "status": "live",
                "rewards": [{"id": "r1", "title": "Un panier de saison"}]}

    def row(status, reward_id="r1", campaign_id="k1"):
        return contribution_view({**CONTRIBUTION, "status": status, "reward_id": reward_id,
                                  "campaign_id": campaign_id}, campaign, NOW)
    refused, then_paid = without_retries_made([row("failed"), row("authorized")])
    assert refused["retry"] is None and refused["retried"] and then_paid["retry"] is None
    # Tried again and refused again: each refusal still offers to try again.
    first, second = without_retries_made([row("failed"), row("failed")])
    assert first["retry"] and second["retry"]
    # Another reward, another campaign, or a retry that was itself given up: still offered.
    for later in (row("captured", reward_id="r2"), row("captured", campaign_id="k2"),
                  row("cancelled")):
        assert without_retries_made([row("failed"), later])[0]["retry"]


def test_my_contributions_come_newest_first_and_a_retry_is_weighed_against_later_ones():
    campaigns = {"k1": {"kind": "reward", "title": "Paniers", "status": "live",
                        "rewards": [{"id": "r1", "title": "Un panier de saison"}]}}

    def item(number, status):
        return {**CONTRIBUTION, "id": f"c{number}", "status": status, "reward_id": "r1",
                "campaign_id": "k1", "created_at": (NOW + timedelta(hours=number)).isoformat()}
    # As funding gives them with sort=recent: the paid retry, then the refusal before it.
    rows = newest_first([item(2, "authorized"), item(1, "failed")], campaigns, NOW)
    assert [row["id"] for row in rows] == ["c2", "c1"]
    assert rows[1]["retry"] is None and rows[1]["retried"]
    # The newest is a refusal: it is the one offered again.
    rows = newest_first([item(2, "failed"), item(1, "authorized")], campaigns, NOW)
    assert rows[0]["retry"] and not rows[1].get("retried")


def test_the_page_says_how_many_tries_are_left_and_when_a_refused_test_comes_back():
    assert attempts_left_message(2) == "Il vous reste 2 essais sur 3 par période de 24 heures."
    assert attempts_left_message(1) == "Il vous reste 1 essai sur 3 par période de 24 heures."
    # 23:30 UTC on 5 December is 00:30 on the 6th in Paris: the investor's own clock.
    said = retry_message("2026-12-05T23:30:00+00:00")
    assert said.startswith("Vous avez échoué 3 fois au test en 24 heures.")
    assert said.endswith("à partir du 6 décembre 2026 à 0\u00a0h\u00a030.")


def test_a_reward_card_says_how_many_are_left_of_how_many_and_when_it_comes():
    counted = reward_view({"id": "r1", "title": "Panier", "min_amount_cents": 2500,
                           "stock": 40, "remaining": 1, "estimated_delivery": "2027-03-15",
                           "handover": "pick_up"})
    assert counted["left"] == "1 restante sur 40"
    assert counted["delivery"] == "Prévue en mars 2027 · À retirer sur place"
    unlimited = reward_view({"id": "r2", "title": "Merci", "min_amount_cents": 500,
                             "stock": None, "remaining": None})
    assert unlimited["left"] is None and not unlimited["sold_out"]
    assert unlimited["delivery"] is None
    gone = reward_view({"id": "r3", "title": "Atelier", "min_amount_cents": 5000,
                        "stock": 10, "remaining": 0, "handover": "delivery"})
    assert gone["sold_out"] and gone["delivery"] == "Envoyée par la poste"


def test_a_campaign_is_shared_by_its_address_and_a_ready_email():
    links = share_links("L'épicerie & co", "https://dombinnov.fr/campagnes/k1")
    assert links["address"] == "https://dombinnov.fr/campagnes/k1"
    assert links["mail"].startswith("mailto:?subject=Une%20campagne%20%C3%A0%20soutenir")
    assert "%26%20co" in links["mail"]  # an "&" in the title does not cut the email short
    assert "https%3A%2F%2Fdombinnov.fr%2Fcampagnes%2Fk1" in links["mail"].split("&body=")[1]


def test_a_gift_to_an_all_or_nothing_campaign_says_it_is_taken_only_if_the_goal_is_met():
    campaign = {"kind": "reward", "title": "Paniers", "status": "live",
                "model": "all_or_nothing", "deadline": "2027-01-06",
                "rewards": [{"id": "r1", "title": "Un panier de saison",
                             "estimated_delivery": "2027-03-15", "handover": "delivery"}]}
    gift = {**CONTRIBUTION, "reward_id": "r1"}
    shown = contribution_view(gift, campaign, NOW)
    assert shown["until_the_goal"] == "6 janvier 2027"
    assert shown["reward_delivery"] == "Prévue en mars 2027 · Envoyée par la poste"
    for other in ({**campaign, "model": "keep_it_all"}, {**campaign, "kind": "loan"},
                  {**campaign, "status": "succeeded"}):
        assert contribution_view(gift, other, NOW)["until_the_goal"] is None
    assert contribution_view({**gift, "status": "captured"}, campaign,
                             NOW)["until_the_goal"] is None


def test_a_campaign_card_gives_its_project_in_a_line():
    campaign = {"id": "k1", "title": "Paniers", "goal_cents": 100_000, "raised_cents": 0,
                "matched_cents": 0, "kind": "reward", "model": "all_or_nothing",
                "status": "live", "contributions_count": 0, "deadline": "2027-01-06"}
    project = {"id": "p1", "title": "Ressourcerie", "commune": "Villars-les-Dombes",
               "field": "circular_economy", "summary": "Donner une seconde vie\n aux objets."}
    today = date(2026, 12, 7)
    assert card(campaign, project, today)["project"]["pitch"] == \
        "Donner une seconde vie aux objets."
    long = card(campaign, {**project, "summary": "Réparer. " * 40}, today)["project"]["pitch"]
    assert len(long) <= 160 and long.endswith(" …")
    assert card(campaign, {**project, "summary": ""}, today)["project"]["pitch"] is None
