"""The animators' pages for the money and the members (a live campaign's offline money
and board decisions; an organisation's memberships, subscriptions and invoices) with
the gateway's Flask app and the services replaced by a fake `call` (the browser tests
run them against the real platform): what each form sends, with its own key where money
moves, how refusals come back in French next to their field, and the pages' shaping."""
import re

import pytest

from gateway.web import (
    account,
    animation,
    animation_campaigns,
    animation_members,
    animation_offline,
    animation_organisation,
    my_organisation,
)
from shared.errors import CONFLICT, NOT_FOUND, DomainError, conflict, invalid
from tests.unit.test_web_animation_pages import (
    CAMPAIGN_ID,
    MEMBERSHIP,
    MEMBERSHIP_ID,
    ORGANISATION,
    Services,
    post,
    sign_in,
)

ORGANISATION_ID = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
CONTRIBUTION_ID = "7d6c5b4a-3f2e-4d1c-8b0a-9f8e7d6c5b4a"
SERVICE_ID = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
SUBSCRIPTION_ID = "5e4d3c2b-1a09-4f8e-9d7c-6b5a4f3e2d1c"
CAMPAIGN = {"id": CAMPAIGN_ID, "title": "Un four à pain", "kind": "donation", "status": "live",
            "goal_cents": 800_000, "raised_cents": 12_050,
            "deadline": "2026-12-31T22:00:00+00:00"}


def contribution(**fields):
    return {"id": CONTRIBUTION_ID, "amount_cents": 5_000, "contributor_name": "Camille",
            "status": "captured", "channel": "cash", "transfer_reference": "CHQ 12",
            "counted": True, "board_decision": None,
            "created_at": "2026-11-02T10:00:00+00:00", **fields}


class MoneyServices(Services):
    def __init__(self):
        super().__init__()
        self.campaign, self.contributions, self.subscriptions = dict(CAMPAIGN), [], []

    def __call__(self, service, method, *args):
        answers = {
            "get_campaign": self.campaign,
            "list_campaign_contributions": {"items": self.contributions, "next_cursor": None},
            "get_contribution": contribution(),
            "record_offline": {"replayed": False, "contribution": contribution()},
            "match_transfer": {"replayed": False, "contribution": contribution()},
            "get_organisation": {**ORGANISATION, "id": ORGANISATION_ID},
            "register_organisation": {**ORGANISATION, "id": ORGANISATION_ID},
            "organisation_subscriptions": {"items": self.subscriptions},
            "list_mutualised_services": {"items": [
                {"id": SERVICE_ID, "name": "Comptabilité partagée", "description": None,
                 "fte_carried": 1.5, "pricing": "hourly", "price_cents": 3_500}]},
        }
        if method in answers and method not in self.refusals:
            self.calls.append((service, method, args))
            return answers[method]
        return super().__call__(service, method, *args)


@pytest.fixture
def services(monkeypatch):
    fake = MoneyServices()
    for module in (account, animation, animation_campaigns, animation_members, animation_offline,
                   animation_organisation, my_organisation):
        monkeypatch.setattr(module, "call", fake)
    return fake


def key_of(page):
    return re.search(r'name="cle" value="([^"]+)"', page).group(1)


# --- a live campaign's money ------------------------------------------------------------

def test_the_live_campaigns_link_to_their_money_page(client, services, monkeypatch):
    sign_in(client, "animator@x.org")
    services_list = services.__class__.__call__

    def with_live(service, method, *args):
        if method == "list_campaigns" and args[0].get("status") == "live":
            services.calls.append((service, method, args))
            return {"items": [CAMPAIGN], "next_cursor": None}
        return services_list(services, service, method, *args)
    monkeypatch.setattr(animation_campaigns, "call", with_live)
    page = client.get("/animation/campagnes").get_data(as_text=True)
    assert f'href="/animation/campagnes/{CAMPAIGN_ID}">Un four à pain</a>' in page


def test_a_live_shares_campaign_says_how_many_subscriptions_await_the_board(
        client, services, monkeypatch):
    sign_in(client, "animator@x.org")
    services_list = services.__class__.__call__
    shares = {**CAMPAIGN, "kind": "shares", "title": "Parts de l'épicerie"}
    services.contributions = [contribution(id="a", channel="online"),
                              contribution(id="b", channel="online"),
                              contribution(id="c", board_decision="approved")]

    def with_live(service, method, *args):
        if method == "list_campaigns" and args[0].get("status") == "live":
            return {"items": [CAMPAIGN, shares], "next_cursor": None}
        return services_list(services, service, method, *args)
    monkeypatch.setattr(animation_campaigns, "call", with_live)
    page = client.get("/animation/campagnes").get_data(as_text=True)
    assert "2 souscriptions en attente du conseil" in page
    assert page.count("en attente du conseil</strong>") == 1  # the gift campaign has none


def test_cash_received_is_sent_in_cents_with_the_forms_own_key(client, services):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/campagnes/{CAMPAIGN_ID}").get_data(as_text=True)
    key = key_of(page)
    assert "Enregistrer des espèces ou un chèque" in page and "120,50" in page
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/especes", channel="cheque",
                  amount="50", contributor_name="Camille", reference="CHQ 12", cle=key)
    assert answer.status_code == 303
    assert answer.headers["Location"] == (f"/animation/campagnes/{CAMPAIGN_ID}?fait=especes"
                                          f"&contribution={CONTRIBUTION_ID}")
    assert ("funding", "record_offline", (CAMPAIGN_ID, {
        "channel": "cheque", "amount_cents": 5_000, "contributor_name": "Camille",
        "reference": "CHQ 12"}, key, "a1")) in services.calls
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "La contribution de Camille (50" in page


def test_a_refused_offline_contribution_says_why_next_to_each_field(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["record_offline"] = invalid({"amount_cents": ["Not an amount."],
                                                   "contributor_name": ["Required."]})
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/especes", channel="cash",
                  amount="douze", reference="Caisse 3")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="especes-amount-erreur">Un montant en euros' in page
    assert 'id="especes-contributor_name-erreur">Indiquez le nom du donateur' in page
    assert 'value="douze"' in page and 'value="Caisse 3"' in page


def test_a_transfer_with_an_unknown_reference_says_so_next_to_the_reference(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["match_transfer"] = DomainError(
        NOT_FOUND, "transfer_reference_not_found", "No transfer_reference with id X.", {})
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/virement",
                  reference="DOMB-NOPE", amount="50", cle="x")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="virement-reference-erreur">Aucune contribution par virement' in page
    assert 'value="DOMB-NOPE"' in page


def test_a_transfer_of_another_amount_is_a_conflict_said_in_french(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["match_transfer"] = conflict("transfer_amount_differs", "Differs.")
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/virement",
                  reference="DOMB-ABCD1234", amount="49")
    assert answer.status_code == 409
    assert "Le montant reçu n&#39;est pas celui promis" in answer.get_data(as_text=True)


def test_a_shares_campaign_lists_what_the_board_decides_and_takes_no_cash(client, services):
    sign_in(client, "animator@x.org")
    services.campaign["kind"] = "shares"
    services.contributions = [contribution(channel="online", status="authorized")]
    page = client.get(f"/animation/campagnes/{CAMPAIGN_ID}").get_data(as_text=True)
    assert "Enregistrer des espèces" not in page
    assert f"/souscriptions/{CONTRIBUTION_ID}" in page and "Refuser et rembourser" in page
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/souscriptions/"
                          f"{CONTRIBUTION_ID}", decision="approved")
    assert answer.status_code == 303
    assert ("funding", "decide_subscription", (CONTRIBUTION_ID, {"decision": "approved"},
                                               "a1")) in services.calls


def test_declining_a_subscription_is_asked_again_on_a_page_of_its_own(client, services):
    """It refunds the investor for good: the list leads to a confirmation, not a POST."""
    sign_in(client, "animator@x.org")
    services.campaign["kind"] = "shares"
    services.contributions = [contribution(channel="online", status="authorized")]
    page = client.get(f"/animation/campagnes/{CAMPAIGN_ID}").get_data(as_text=True)
    confirm = f"/animation/campagnes/{CAMPAIGN_ID}/souscriptions/{CONTRIBUTION_ID}/refus"
    assert f'href="{confirm}"' in page and 'value="declined"' not in page
    page = client.get(confirm).get_data(as_text=True)
    assert "<h1>Refuser la souscription de Camille ?</h1>" in page
    assert 'name="decision" value="declined"' in page
    assert f'action="/animation/campagnes/{CAMPAIGN_ID}/souscriptions/{CONTRIBUTION_ID}"' \
        in page
    assert not [call for call in services.calls if call[1] == "decide_subscription"]


def test_a_subscription_decided_already_is_said_above_the_list(client, services):
    sign_in(client, "animator@x.org")
    services.campaign["kind"] = "shares"
    services.refusals["decide_subscription"] = DomainError(
        CONFLICT, "subscription_not_open", "Decided.", {})
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/souscriptions/"
                          f"{CONTRIBUTION_ID}", decision="declined")
    assert answer.status_code == 409
    assert "Le conseil a déjà décidé de cette souscription" in answer.get_data(as_text=True)


def test_only_counted_undecided_subscriptions_await_the_board():
    rows = animation_offline.awaiting_board([
        contribution(id="late", created_at="2026-11-03T10:00:00+00:00", status="authorized"),
        contribution(id="early", status="captured"),
        contribution(id="reflecting", counted=False, status="authorized"),
        contribution(id="decided", board_decision="approved"),
        contribution(id="withdrawn", status="cancelled")])
    assert [row["id"] for row in rows] == ["early", "late"]


def test_the_offline_list_leaves_online_payments_out_and_says_each_state():
    rows = animation_offline.offline_rows([
        contribution(), contribution(channel="online"),
        contribution(channel="transfer", status="pending", transfer_reference="DOMB-1",
                     created_at="2026-11-05T10:00:00+00:00")])
    assert [(row["channel"], row["state"]) for row in rows] == [
        ("Virement", "En attente du virement"), ("Espèces", "Reçu")]


def test_the_confirmation_names_a_gift_without_a_name_by_its_reference():
    """A transfer pledged by an account carries no name: it is not "the investor's"."""
    transfer = {"amount_cents": 4_000, "contributor_name": None,
                "transfer_reference": "DOMB-C20F17B5"}
    assert animation_offline.done_message("virement", transfer) == (
        "Le virement de référence DOMB-C20F17B5 (40\u00a0€) est rapproché : il compte dans la "
        "collecte.")
    assert animation_offline.done_message("especes", {**transfer, "contributor_name":
                                                      "Mme Perrin"}) == \
        "La contribution de Mme Perrin (40\u00a0€) est enregistrée."
    assert animation_offline.done_message("conseil", {**transfer,
                                                      "board_decision": "approved"}) == \
        "La souscription de l'investisseur est approuvée."


# --- an organisation's memberships, services and invoices ------------------------------

def test_applying_then_approving_then_resigning(client, services):
    sign_in(client, "animator@x.org")
    base = f"/animation/adherents/{ORGANISATION_ID}"
    page = client.get(base).get_data(as_text=True)
    assert "Enregistrer une candidature" in page and "Comptabilité partagée" in page
    answer = post(client, f"{base}/adhesion", year="2027", circle="core")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{base}?fait=adhesion#adhesion"
    assert ("members", "apply_for_membership", (ORGANISATION_ID, {
        "year": 2027, "circle": "core"})) in services.calls
    for move, status in (("approuver", "active"), ("demission", "resigned")):
        answer = post(client, f"{base}/adhesions/{MEMBERSHIP_ID}/{move}")
        assert answer.status_code == 303
        assert ("members", "move_membership", (MEMBERSHIP_ID, {"status": status}, "a1")) \
            in services.calls
    page = client.get(f"{base}?fait=demission").get_data(as_text=True)
    assert "La démission est enregistrée." in page


def test_a_resignation_is_asked_again_on_a_page_of_its_own(client, services):
    sign_in(client, "animator@x.org")
    base = f"/animation/adherents/{ORGANISATION_ID}"
    page = client.get(base).get_data(as_text=True)
    assert f'href="{base}/adhesions/{MEMBERSHIP_ID}/demission"' in page
    page = client.get(f"{base}/adhesions/{MEMBERSHIP_ID}/demission").get_data(as_text=True)
    assert "Enregistrer la démission de Recyclerie de la Dombes ?" in page
    assert f'action="{base}/adhesions/{MEMBERSHIP_ID}/demission"' in page
    assert "Oui, enregistrer la démission" in page
    assert not [call for call in services.calls if call[1] == "move_membership"]


def test_a_second_membership_of_a_year_and_a_second_resignation_are_said(client, services):
    sign_in(client, "animator@x.org")
    base = f"/animation/adherents/{ORGANISATION_ID}"
    services.refusals["apply_for_membership"] = conflict("membership_exists", "Exists.")
    answer = post(client, f"{base}/adhesion", year="2026", circle="core")
    assert answer.status_code == 409
    assert "déjà une adhésion pour cette année" in answer.get_data(as_text=True)
    services.refusals["move_membership"] = conflict("membership_move_not_allowed", "No.")
    answer = post(client, f"{base}/adhesions/{MEMBERSHIP_ID}/demission")
    assert answer.status_code == 409
    assert "démission déjà enregistrée" in answer.get_data(as_text=True)


def test_an_application_without_a_circle_says_so_next_to_the_circle(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["apply_for_membership"] = invalid({"circle": ["Required."]})
    answer = post(client, f"/animation/adherents/{ORGANISATION_ID}/adhesion", year="2031")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="adhesion-circle-erreur">Choisissez le cercle' in page and 'value="2031"' in page


def test_subscribing_sends_hours_typed_the_french_way(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/adherents/{ORGANISATION_ID}/abonnement",
                  service_id=SERVICE_ID, hours_per_month="7,5", starts_on="2026-11-01")
    assert answer.status_code == 303
    assert ("members", "subscribe", (ORGANISATION_ID, {
        "service_id": SERVICE_ID, "hours_per_month": 7.5, "starts_on": "2026-11-01"})) \
        in services.calls


def test_a_running_subscription_can_be_ended_on_its_last_day(client, services):
    subscription = {"id": SUBSCRIPTION_ID, "organisation_id": ORGANISATION_ID,
                    "service_id": SERVICE_ID, "service_name": "Comptabilité partagée",
                    "pricing": "hourly", "price_cents": 3_500, "hours_per_month": 7.5,
                    "starts_on": "2026-11-01", "ends_on": None}
    services.subscriptions = [subscription]
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/adherents/{ORGANISATION_ID}").get_data(as_text=True)
    assert "Mettre fin à l'abonnement" in page
    answer = post(client, f"/animation/adherents/{ORGANISATION_ID}/abonnements/"
                          f"{SUBSCRIPTION_ID}/fin", ends_on="2026-12-31")
    assert answer.status_code == 303
    assert ("members", "end_subscription", (SUBSCRIPTION_ID, {"ends_on": "2026-12-31"})) \
        in services.calls
    services.subscriptions = [{**subscription, "ends_on": "2026-12-31"}]  # nothing more
    page = client.get(f"/animation/adherents/{ORGANISATION_ID}?fait=fin").get_data(
        as_text=True)
    assert "L&#39;abonnement prend fin à la date indiquée." in page
    assert "Mettre fin à l'abonnement" not in page


def test_a_service_is_added_to_the_clusters_catalogue_in_cents(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/adherents/{ORGANISATION_ID}/service",
                  name="Paie partagée", pricing="monthly", price="120,50", fte_carried="0,5",
                  description="")
    assert answer.status_code == 303
    assert ("members", "add_mutualised_service", ({
        "name": "Paie partagée", "pricing": "monthly", "price_cents": 12_050,
        "fte_carried": 0.5},)) in services.calls
    services.refusals["add_mutualised_service"] = conflict("service_exists", "Taken.")
    page = post(client, f"/animation/adherents/{ORGANISATION_ID}/service",
                name="Paie partagée", pricing="monthly", price="120,50",
                fte_carried="0,5").get_data(as_text=True)
    assert "Un service du catalogue porte déjà ce nom." in page
    assert 'value="120,50"' in page


def test_an_organisation_registered_on_the_page_has_its_territory_chosen(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["register_organisation"] = invalid({"territory": ["Not one of."]})
    answer = post(client, "/animation/adherents/nouvelle", name="Épicerie solidaire",
                  legal_form="association", postal_code="01330", commune="Villars")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="structure-territory-erreur">Choisissez le territoire.' in page
    assert '<a href="#structure-territory">' in page  # the summary leads to the field
    assert 'value="Épicerie solidaire"' in page
    assert [args[0] for _, method, args in services.calls
            if method == "register_organisation"] == [{
                "name": "Épicerie solidaire", "legal_form": "association",
                "postal_code": "01330", "commune": "Villars", "territory": ""}]
    del services.refusals["register_organisation"]
    answer = post(client, "/animation/adherents/nouvelle", name="Épicerie solidaire",
                  legal_form="association", postal_code="01330", commune="Villars",
                  territory="dombes")
    assert answer.headers["Location"] == \
        f"/animation/adherents/{ORGANISATION_ID}?fait=nouvelle#adhesion"


def test_invoicing_a_month_carries_the_forms_key_and_shows_this_organisations_invoice(
        client, services, monkeypatch):
    sign_in(client, "animator@x.org")
    base = f"/animation/adherents/{ORGANISATION_ID}"
    key = key_of(client.get(base).get_data(as_text=True))
    invoice = {"id": "i1", "organisation_id": ORGANISATION_ID, "year": 2026, "month": 10,
               "total_cents": 26_250, "issued_at": "2026-11-01T00:00:00+00:00",
               "paid_cents": 0, "left_cents": 26_250, "status": "unpaid",
               "lines": [{"service": "Comptabilité partagée", "hours_per_month": 7.5,
                          "amount_cents": 26_250}]}
    original = services.__class__.__call__

    def invoicing(service, method, *args):
        if method == "invoice_month":
            services.calls.append((service, method, args))
            return {"replayed": False, "invoices": [invoice, {**invoice, "id": "i2",
                                                              "organisation_id": "other"}]}
        return original(services, service, method, *args)
    monkeypatch.setattr(animation_organisation, "call", invoicing)
    answer = post(client, f"{base}/facturation", year="2026", month="10", cle=key)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert ("members", "invoice_month", ({"year": 2026, "month": 10}, key, "a1")) \
        in services.calls
    assert "2 factures pour ce mois dans le pôle." in page
    assert "Facture de octobre 2026 : 262,50" in page and "7,5 h" in page


def test_each_invoice_has_its_payment_form_and_a_refusal_keeps_its_page_and_typing(
        client, services, monkeypatch):
    base = f"/animation/adherents/{ORGANISATION_ID}"
    invoice = {"id": SERVICE_ID, "organisation_id": ORGANISATION_ID, "year": 2026,
               "month": 10, "total_cents": 26_250, "issued_at": "2026-11-01T00:00:00+00:00",
               "paid_cents": 6_250, "left_cents": 20_000, "status": "partly_paid",
               "lines": []}
    paid = {**invoice, "id": SUBSCRIPTION_ID, "month": 9, "paid_cents": 26_250,
            "left_cents": 0, "status": "paid"}
    original = services.__class__.__call__

    def invoices(service, method, *args):
        if method == "list_invoices":
            services.calls.append((service, method, args))
            return {"items": [invoice, paid], "next_cursor": None}
        return original(services, service, method, *args)
    for module in (animation_organisation, my_organisation):
        monkeypatch.setattr(module, "call", invoices)
    services.refusals["pay_invoice"] = conflict("invoice_overpaid", "Only 20000 cents left.")
    sign_in(client, "animator@x.org")
    page = client.get(f"{base}?factures=c2").get_data(as_text=True)
    action = f"{base}/factures/{SERVICE_ID}/paiement?factures=c2"
    assert f'action="{action}#facture-{SERVICE_ID}"' in page
    assert f"/factures/{SUBSCRIPTION_ID}/paiement" not in page  # paid: no form
    keys = re.findall(r'name="cle" value="([^"]+)"', page)
    assert len(keys) == len(set(keys)) == 2  # the payment's form and the invoicing's
    assert f'id="facture-{SERVICE_ID}-amount" name="amount" type="text" value="200"' in page

    answer = post(client, action, amount="300", paid_on="2026-11-02", method="cheque",
                  reference="Chèque 12", cle=keys[0])
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert ("members", "pay_invoice", (SERVICE_ID, {
        "amount_cents": 30_000, "paid_on": "2026-11-02", "method": "cheque",
        "reference": "Chèque 12"}, keys[0], "a1")) in services.calls
    assert "Ce montant dépasse le reste à payer de la facture" in page
    assert f'id="facture-{SERVICE_ID}-amount" name="amount" type="text" value="300"' in page
    assert ("members", "list_invoices", ({"organisation_id": ORGANISATION_ID, "limit": "12",
                                          "cursor": "c2"},)) in services.calls
    assert keys[0] not in page  # a new key for the form drawn again, as the dues' page

    del services.refusals["pay_invoice"]
    done = post(client, action, amount="200", paid_on="2026-11-02", method="cheque",
                cle=keys[1])
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"{base}?fait=reglement&factures=c2#factures")


def test_membership_rows_offer_only_the_moves_the_service_allows():
    rows = animation_organisation.membership_rows([
        {**MEMBERSHIP, "id": "old", "year": 2025, "status": "resigned"},
        {**MEMBERSHIP, "id": "new", "year": 2027, "status": "applied", "activated_at": None}])
    assert [(r["id"], r["approvable"], r["resignable"]) for r in rows] == [
        ("new", True, True), ("old", False, False)]
