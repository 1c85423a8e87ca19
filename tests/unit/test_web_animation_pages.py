"""The animators' and member organisations' pages with the gateway's Flask app and the
services replaced by a fake `call` (the browser tests run them against the real
platform): who may see them, what each form sends to the services, and how a refusal
comes back next to its field with what was typed."""
import base64
import io
import re

import pytest

from gateway.web import (
    account,
    animation,
    animation_campaigns,
    animation_members,
    animation_projects,
    animation_resources,
    my_organisation,
)
from shared.errors import CONFLICT, DomainError, invalid
from tests.support.web_client import form_token

ANIMATOR = {"id": "a1", "roles": ["animator"], "organisation_id": None}
CITIZEN = {"id": "a2", "roles": ["citizen"], "organisation_id": None}
ADMIN = {"id": "a3", "roles": ["member_admin"], "organisation_id": "o1"}
PROJECT_ID = "6f1c2f2e-8f5b-4d39-9d0b-3f7c1a2b3c4d"
CAMPAIGN_ID = "0b6f3f1e-2a7c-4c2e-8e3a-1d2c3b4a5f60"
MEMBERSHIP_ID = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
FILE = {"id": PROJECT_ID, "title": "Atelier vélo", "summary": "Réparer.", "field":
        "circular_economy", "commune": "Trévoux", "territory": "val_de_saone",
        "stage": "emergence", "tags": [], "submitted_at": "2026-01-01T10:00:00+00:00",
        "carrier_organisation_id": None, "founders": "Camille", "animator_account_id": None,
        "stage_entered_at": "2026-02-01T10:00:00+00:00", "history": [
            {"from_stage": None, "to_stage": "idea", "at": "2026-01-01T10:00:00+00:00",
             "by": "a1", "reason": None}],
        "partners": [], "support": [], "support_hours": 0, "milestones": [],
        "job_reports": [], "enterprise": None, "news": [], "version": 1}
MEMBERSHIP = {"id": MEMBERSHIP_ID, "organisation_id": "o1", "year": 2026, "circle": "core",
              "status": "active", "dues_cents": 15_000, "paid_cents": 0,
              "activated_at": "2026-01-15T09:00:00+00:00",
              "created_at": "2026-01-10T09:00:00+00:00", "moves": []}
ORGANISATION = {"id": "o1", "name": "Recyclerie de la Dombes", "legal_form": "association",
                "siret": None, "siren": None, "rna": None, "street": None,
                "postal_code": "01400", "commune": "Châtillon", "territory": "dombes",
                "sector": None, "headcount_fte": 4.5, "registered_at": "2026-01-01T00:00:00+00:00",
                "version": 1}


class Services:
    """Answers the pages' calls as the services would, remembers them, and refuses
    the methods in `refusals`."""

    def __init__(self):
        self.calls, self.refusals = [], {}
        self.accounts = {"animator@x.org": ANIMATOR, "citizen@x.org": CITIZEN,
                         "admin@x.org": ADMIN}

    def __call__(self, service, method, *args):
        self.calls.append((service, method, args))
        if method in self.refusals:
            raise self.refusals[method]
        if method == "authenticate":
            return {"account": self.accounts[args[0]["email"]], "refresh_token": "r"}
        answers = {
            "revoke": {"revoked": True},
            "board": {"columns": [{"stage": "idea", "projects": [
                {"id": PROJECT_ID, "title": "Atelier vélo", "commune": "Trévoux",
                 "field": "circular_economy", "days_in_stage": 3}]}]},
            "project_file": FILE,
            "list_organisations": {"items": [ORGANISATION], "next_cursor": None},
            "list_memberships": {"items": [MEMBERSHIP], "next_cursor": None},
            "get_membership": MEMBERSHIP, "get_organisation": ORGANISATION,
            "organisation_memberships": {"items": [MEMBERSHIP]},
            "list_mutualised_services": {"items": []},
            "organisation_dues_payments": {"items": []},
            "organisation_subscriptions": {"items": []},
            "list_invoices": {"items": [], "next_cursor": None},
            "list_campaigns": {"items": [], "next_cursor": None},
            "get_campaign": {"id": CAMPAIGN_ID, "title": "Un camion"},
            "list_projects": {"items": [], "next_cursor": None},
            "list_resources": {"items": [], "next_cursor": None},
            "list_volunteering": {"items": [], "next_cursor": None},
        }
        if method in answers:
            return answers[method]
        return {}  # a command that succeeded


@pytest.fixture
def services(monkeypatch):
    fake = Services()
    for module in (account, animation, animation_campaigns, animation_members,
                   animation_projects, animation_resources, my_organisation):
        monkeypatch.setattr(module, "call", fake)
    return fake


def sign_in(client, email):
    answer = client.post("/connexion", data={"email": email, "password": "secret",
                                             "csrf_token": form_token(client)})
    assert answer.status_code == 303


def post(client, path, **data):
    return client.post(path, data={"csrf_token": form_token(client, "/"), **data})


def test_the_animators_pages_are_for_staff_only(client, services):
    assert client.get("/animation/projets").status_code == 302  # to the sign-in page
    sign_in(client, "citizen@x.org")
    for path in ("/animation/projets", "/animation/campagnes", "/animation/adherents",
                 "/animation/ressources", f"/animation/projets/{PROJECT_ID}"):
        assert client.get(path).status_code == 403, path
    assert "Animation" not in client.get("/").get_data(as_text=True)


def test_an_animator_finds_the_board_in_the_navigation(client, services):
    sign_in(client, "animator@x.org")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/animation/projets">Animation</a>' in home
    assert "Mon organisation" not in home
    board = client.get("/animation/projets").get_data(as_text=True)
    assert f'href="/animation/projets/{PROJECT_ID}">Atelier vélo</a>' in board
    assert "depuis 3 jours" in board and 'aria-current="page">Projets</a>' in board


def test_moving_a_project_sends_what_the_api_sends_then_redirects(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/projets/{PROJECT_ID}/etape", stage="incubation",
                  reason="")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/animation/projets/{PROJECT_ID}?fait=etape#etape"
    assert ("projects", "move_stage", (PROJECT_ID, {"stage": "incubation"}, {
        "account_id": "a1", "roles": ["animator"], "organisation_id": None})) in services.calls
    page = client.get(f"/animation/projets/{PROJECT_ID}?fait=etape").get_data(as_text=True)
    assert "Le projet a changé d&#39;étape." in page


def test_a_step_back_without_a_reason_is_said_next_to_the_reason(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["move_stage"] = invalid({"reason": ["A step back needs a reason."]})
    answer = post(client, f"/animation/projets/{PROJECT_ID}/etape", stage="idea")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="etape-reason-erreur">Dites pourquoi le projet revient', page)
    assert 'aria-describedby="etape-reason-aide etape-reason-erreur"' in page
    assert '<option value="idea" selected>' in page  # what was chosen is kept


def test_support_hours_typed_the_french_way_reach_the_service_as_a_number(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/projets/{PROJECT_ID}/accompagnement",
                  kind="mentoring", hours="1,5", given_on="2026-03-02", given_by="Camille")
    assert answer.status_code == 303
    sent = [args for _, method, args in services.calls if method == "give_support"][0]
    assert sent[1] == {"kind": "mentoring", "hours": 1.5, "given_on": "2026-03-02",
                       "given_by": "Camille"}


def test_a_partner_form_refused_keeps_what_was_typed(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["add_partner"] = invalid({"circle": ["Must be one of: core."]})
    answer = post(client, f"/animation/projets/{PROJECT_ID}/partenaire", name="Mairie",
                  shown_publicly="oui")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="partenaire-circle-erreur">Choisissez le cercle' in page
    assert 'value="Mairie"' in page and 'value="oui" checked' in page
    sent = [args for _, method, args in services.calls if method == "add_partner"][0]
    assert sent[1] == {"name": "Mairie", "shown_publicly": True}


def test_a_forbidden_move_is_said_above_the_form(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["move_stage"] = DomainError(CONFLICT, "launch_needs_enterprise", "No.")
    answer = post(client, f"/animation/projets/{PROJECT_ID}/etape", stage="launched")
    assert answer.status_code == 409
    assert "Un projet est lancé quand on enregistre" in answer.get_data(as_text=True)


def test_approving_a_campaign_redirects_and_names_it(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/approuver")
    assert answer.status_code == 303
    assert ("funding", "approve_campaign", (CAMPAIGN_ID, "a1")) in services.calls
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "« Un camion » est en ligne" in page


def test_sending_a_campaign_back_needs_a_note(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/renvoyer", note=" ")
    assert answer.status_code == 422
    # Not in the list of campaigns in review any more (here the fake lists none): said
    # above the list, not in a summary whose link would lead to no field.
    page = answer.get_data(as_text=True)
    assert "plus en attente de validation" in page and "error-summary" not in page
    assert not [c for c in services.calls if c[1] == "send_back_campaign"]
    answer = post(client, f"/animation/campagnes/{CAMPAIGN_ID}/renvoyer",
                  note="Précisez l'objectif.")
    assert answer.status_code == 303
    assert ("funding", "send_back_campaign", (CAMPAIGN_ID, {"note": "Précisez l'objectif."},
                                              "a1")) in services.calls


def test_a_payment_of_dues_is_sent_in_cents_with_the_forms_key(client, services):
    sign_in(client, "animator@x.org")
    form = client.get(f"/animation/adhesions/{MEMBERSHIP_ID}/paiement").get_data(as_text=True)
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    assert 'value="150"' in form  # what is left to pay, ready to send
    answer = post(client, f"/animation/adhesions/{MEMBERSHIP_ID}/paiement", amount="75,50",
                  paid_on="2026-03-01", method="cheque", reference="", cle=key)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/animation/adherents?annee=2026&paye={MEMBERSHIP_ID}"
    assert ("members", "pay_dues", (MEMBERSHIP_ID, {"amount_cents": 7_550,
                                                    "paid_on": "2026-03-01",
                                                    "method": "cheque"}, key, "a1")) \
        in services.calls
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Le paiement de Recyclerie de la Dombes est enregistré." in page


def test_too_much_paid_is_said_next_to_the_amount(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["pay_dues"] = invalid({"amount_cents": ["Only 15000 cents remain."]})
    answer = post(client, f"/animation/adhesions/{MEMBERSHIP_ID}/paiement", amount="200",
                  paid_on="2026-03-01", method="cheque")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "au reste à payer (150" in page and 'value="200"' in page


def test_a_spreadsheet_is_sent_whole_and_its_report_shown(client, services, monkeypatch):
    sign_in(client, "animator@x.org")
    content = "Nom;Code postal\r\nBonne Asso;01330\r\n".encode("cp1252")

    def import_organisations(service, method, *args):
        services.calls.append((service, method, args))
        if method == "import_organisations":
            return {"mode": "valid_rows", "committed": True, "imported": 0, "rejected": 1,
                    "warnings": [{"code": "unknown_column", "column": "Remarques",
                                  "position": 3, "message": "…"}],
                    "rows": [{"line": 2, "status": "invalid", "organisation_id": None,
                              "errors": {"commune": ["Missing data for required field."]}}]}
        return Services.__call__(services, service, method, *args)
    monkeypatch.setattr(animation_members, "call", import_organisations)
    answer = client.post("/animation/adherents/import", content_type="multipart/form-data",
                         data={"csrf_token": form_token(client, "/"), "mode": "valid_rows",
                               "fichier": (io.BytesIO(content), "structures.csv")})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    sent = [args for _, method, args in services.calls if method == "import_organisations"][0]
    assert base64.b64decode(sent[0]) == content and sent[1] == {"mode": "valid_rows"}
    assert "0 structure importée, 1 ligne refusée." in page
    assert "<td>Commune</td><td>Cette cellule est obligatoire.</td>" in page
    assert "<li>La colonne « Remarques » n&#39;est pas connue de l&#39;import : elle est " \
           "ignorée.</li>" in page


def test_an_import_without_a_file_says_so_next_to_the_file(client, services):
    sign_in(client, "animator@x.org")
    answer = client.post("/animation/adherents/import", content_type="multipart/form-data",
                         data={"csrf_token": form_token(client, "/"), "mode": "valid_rows"})
    assert answer.status_code == 422
    assert 'id="fichier-erreur">Choisissez le fichier CSV' in answer.get_data(as_text=True)


def test_a_grant_without_its_funder_is_said_next_to_the_funder(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["record_resource"] = invalid({"funder": ["A grant names its funder."]})
    answer = post(client, "/animation/ressources/ressource", kind="grant",
                  amount="15 000", year="2026")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="ressource-funder-erreur">Une subvention nomme son financeur' in page
    sent = [args for _, method, args in services.calls if method == "record_resource"][0]
    assert sent == ({"kind": "grant", "amount_cents": 1_500_000, "year": 2026}, "a1")


def test_a_member_organisation_sees_its_own_membership(client, services):
    sign_in(client, "admin@x.org")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/mon-organisation">Mon organisation</a>' in home
    assert "/animation/projets" not in home
    page = client.get("/mon-organisation").get_data(as_text=True)
    assert ("members", "organisation_memberships", ("o1",)) in services.calls
    assert ("projects", "list_projects", ({"carrier_organisation_id": "o1", "limit": "100"},)) \
        in services.calls  # its own projects, never another's
    assert "Recyclerie de la Dombes" in page and "Adhésion 2026" in page
    assert ("members", "list_invoices", ({"organisation_id": "o1", "limit": "12"},)) \
        in services.calls  # its own invoices, never another's
    assert "Aucune facture de mutualisation." in page
    assert client.get("/animation/adherents").status_code == 403


INVOICE = {"id": "i1", "organisation_id": "o1", "year": 2026, "month": 2,
           "total_cents": 56_250, "issued_at": "2026-03-01T08:00:00+00:00",
           "paid_cents": 0, "left_cents": 56_250, "status": "unpaid",
           "lines": [{"service": "Comptabilité", "hours_per_month": 12.5,
                      "amount_cents": 56_250}]}


def test_an_organisations_invoices_are_shown_a_page_at_a_time(client, services, monkeypatch):
    def invoices(service, method, *args):
        if method != "list_invoices":
            return services(service, method, *args)
        services.calls.append((service, method, args))
        if args[0].get("cursor") == "gone":
            raise invalid({"cursor": ["Not a cursor of this list."]})
        return {"items": [INVOICE], "next_cursor": "c2"}
    monkeypatch.setattr(my_organisation, "call", invoices)
    sign_in(client, "admin@x.org")
    page = client.get("/mon-organisation").get_data(as_text=True)
    row = re.sub(r"\s+", " ", page.split('class="invoices"')[1].split("</tbody>")[0])
    assert "<td>février 2026</td>" in row and "<td>1er mars 2026</td>" in row
    assert "Comptabilité (12,5 h) : 562,50 €" in row  # its no-break space made a space
    assert 'href="/mon-organisation?factures=c2#factures">Factures plus anciennes' in page
    stale = client.get("/mon-organisation?factures=gone").get_data(as_text=True)
    assert "Cette page de factures n'existe plus" in stale and "février 2026" in stale


def test_staff_have_no_organisation_page(client, services):
    sign_in(client, "animator@x.org")
    assert client.get("/mon-organisation").status_code == 403
