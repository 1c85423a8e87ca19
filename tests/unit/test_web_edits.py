"""Editing a card on the pages (gateway/web/edits.py), with the services replaced by a
fake `call`: the form sends the API's PATCH body with the version it was drawn from; a
conflict says in French that someone else changed it meanwhile, shows the values now,
keeps what was typed and takes the current version."""
import pytest

from gateway.web import (
    account,
    animation,
    animation_organisation,
    animation_projects,
    edits,
    my_organisation,
)
from shared.errors import FORBIDDEN, DomainError, invalid, version_conflict
from tests.unit.test_web_animation_pages import (
    FILE,
    ORGANISATION,
    PROJECT_ID,
    Services,
    post,
    sign_in,
)

CARD = {"name": "Recyclerie des Dombes", "legal_form": "association", "siret": "",
        "rna": "", "street": "", "postal_code": "01400", "commune": "Châtillon",
        "territory": "dombes", "sector": "Réemploi", "headcount_fte": "5,5"}
ORG_ID = "5c0c1a52-6a44-4a0e-9d3f-2b7e8f4c1d20"
NOW = {**ORGANISATION, "name": "Ressourcerie de Châtillon", "version": 2}
MILESTONE_ID = "1d7e0a9c-3b52-4f1e-9a41-6c2d8e0f5a11"
PARTNER_ID = "2e8f1b0d-4c63-4a2f-8b52-7d3e9f1a6b22"
SESSION_ID = "3f9a2c1e-5d74-4b3a-9c63-8e4fa02b7c33"
REPORT_ID = "4a0b3d2f-6e85-4c4b-8d74-9f5ab13c8d44"
# The project's records as someone else left them (each one edit past its first version).
RECORDS = {
    "milestones": [{"id": MILESTONE_ID, "title": "Statuts déposés", "due_on": "2027-01-15",
                    "completed_on": None, "version": 2}],
    "partners": [{"id": PARTNER_ID, "organisation_id": None, "name": "Mairie de Trévoux",
                  "circle": "ally", "formalisation": "contract", "role": "Prêt du local",
                  "starts_on": None, "ends_on": None, "shown_publicly": True, "version": 2}],
    "support": [{"id": SESSION_ID, "kind": "diagnostic", "hours": 3.0,
                 "given_on": "2026-11-02", "given_by": "Camille", "version": 2}],
    "job_reports": [{"id": REPORT_ID, "reported_on": "2026-10-31", "created_fte": 2.0,
                     "consolidated_fte": 1.0, "insertion_fte": 0.5, "version": 2}],
}


class EditedServices(Services):
    """After a conflict, the organisation and the project as someone else saved them."""

    def __call__(self, service, method, *args):
        answer = super().__call__(service, method, *args)
        if "update_organisation" in self.refusals and method == "get_organisation":
            return NOW
        if method == "project_file":
            return {**FILE, **RECORDS, "title": "Atelier vélo solidaire", "version": 3,
                    "carrier_organisation_id": "o1", "founders": None, "corrections": [
                {"record": "support_session", "record_id": "s1", "field": "hours",
                 "before": "3", "after": "4.5", "reason": "Demi-journée oubliée", "by": "a1",
                 "at": "2026-11-02T10:00:00+00:00"}]}
        return answer


@pytest.fixture
def services(monkeypatch):
    fake = EditedServices()
    for module in (account, animation, animation_organisation, animation_projects, edits,
                   my_organisation):
        monkeypatch.setattr(module, "call", fake)
    return fake


def sent(services, method):
    return [args for _, called, args in services.calls if called == method]


def test_an_animator_saves_an_organisation_card_as_the_api_patch(client, services):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/adherents/{ORG_ID}").get_data(as_text=True)
    assert 'name="version" value="1"' in page and 'id="fiche-name"' in page
    answer = post(client, f"/animation/adherents/{ORG_ID}/fiche", version="1", **CARD)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/animation/adherents/{ORG_ID}?fait=fiche#fiche")
    assert sent(services, "update_organisation") == [(ORG_ID, {
        "name": "Recyclerie des Dombes", "legal_form": "association", "siret": None,
        "rna": None, "street": None, "postal_code": "01400", "commune": "Châtillon",
        "territory": "dombes", "sector": "Réemploi", "headcount_fte": 5.5, "version": 1})]


def test_a_conflict_says_who_changed_it_shows_the_values_now_and_keeps_what_was_typed(
        client, services):
    sign_in(client, "animator@x.org")
    services.refusals["update_organisation"] = version_conflict("organisation", ORG_ID, 2)
    answer = post(client, f"/animation/adherents/{ORG_ID}/fiche", version="1", **CARD)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "modifiée entre-temps par quelqu&#39;un d&#39;autre" in page
    assert 'value="Recyclerie des Dombes"' in page and 'value="5,5"' in page  # as typed
    assert "<dd>Ressourcerie de Châtillon</dd>" in page  # the name now
    assert "<dd>4,5</dd>" in page and "<dd>(vide)</dd>" in page  # headcount, sector now
    assert 'name="version" value="2"' in page  # saving again replaces them knowingly


def test_a_member_admin_edits_its_own_organisation_only(client, services):
    sign_in(client, "admin@x.org")
    page = client.get("/mon-organisation").get_data(as_text=True)
    assert 'action="/mon-organisation/fiche#fiche"' in page
    answer = post(client, "/mon-organisation/fiche", version="1", **{**CARD, "name": ""})
    assert answer.status_code == 303
    assert [args[0] for args in sent(services, "update_organisation")] == ["o1"]
    assert sent(services, "update_organisation")[0][1]["name"] is None


def test_a_project_card_conflict_and_the_corrections_on_the_project_page(client, services):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)
    assert "Accompagnement · Heures" in page and "4,5 h" in page
    assert "Demi-journée oubliée" in page
    services.refusals["update_project"] = version_conflict("project", PROJECT_ID, 3)
    answer = post(client, f"/animation/projets/{PROJECT_ID}/fiche", version="2",
                  title="Atelier vélo du Val", summary="Réparer.", field="circular_economy",
                  commune="Trévoux")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "modifiée entre-temps" in page and "<dd>Atelier vélo solidaire</dd>" in page
    assert 'value="Atelier vélo du Val"' in page and 'name="version" value="3"' in page


# --- a carrier's admins edit their project's card -------------------------------------

PROJECT_CARD = {"title": "Atelier vélo du Val", "summary": "Réparer.",
                "field": "circular_economy", "commune": "Trévoux"}


def test_a_carrier_admin_edits_its_project_card_as_itself(client, services):
    sign_in(client, "admin@x.org")
    page = client.get(f"/mon-organisation/projets/{PROJECT_ID}").get_data(as_text=True)
    assert f'action="/mon-organisation/projets/{PROJECT_ID}/fiche#fiche"' in page
    assert 'name="version" value="3"' in page and 'value="Atelier vélo solidaire"' in page
    answer = post(client, f"/mon-organisation/projets/{PROJECT_ID}/fiche", version="3",
                  **PROJECT_CARD)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        f"/mon-organisation/projets/{PROJECT_ID}?fait=fiche#fiche")
    admin = {"account_id": "a3", "roles": ["member_admin"], "organisation_id": "o1"}
    assert sent(services, "update_project") == [
        (PROJECT_ID, {**PROJECT_CARD, "version": 3}, admin)]
    assert ("projects", "project_file", (PROJECT_ID, admin)) in services.calls


def test_a_carrier_admin_told_of_a_conflict_keeps_what_was_typed(client, services):
    sign_in(client, "admin@x.org")
    services.refusals["update_project"] = version_conflict("project", PROJECT_ID, 3)
    answer = post(client, f"/mon-organisation/projets/{PROJECT_ID}/fiche", version="2",
                  **PROJECT_CARD)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "modifiée entre-temps par quelqu&#39;un d&#39;autre" in page
    assert "<dd>Atelier vélo solidaire</dd>" in page and 'value="Atelier vélo du Val"' in page
    assert 'name="version" value="3"' in page


def test_a_refused_project_card_lists_its_errors_at_the_top_linked_to_the_fields(
        client, services):
    sign_in(client, "admin@x.org")
    services.refusals["update_project"] = invalid({"title": ["Too short."]})
    answer = post(client, f"/mon-organisation/projets/{PROJECT_ID}/fiche", version="3",
                  **{**PROJECT_CARD, "title": "A"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    summary = page[page.index('class="error-summary"'):page.index("<h1>")]
    assert 'href="#fiche-title"' in summary and "de 3 à 200 caractères" in summary


def test_another_organisations_project_is_refused_by_the_service(client, services):
    sign_in(client, "admin@x.org")
    services.refusals["project_file"] = DomainError(FORBIDDEN, "not_your_project", "No.")
    assert client.get(f"/mon-organisation/projets/{PROJECT_ID}").status_code == 403


# --- animators edit milestones and partners, staff correct hours and jobs --------------

def record_path(kind, record_id):
    return f"/animation/projets/{PROJECT_ID}/{kind}/{record_id}/modifier"


def test_the_project_page_offers_each_record_to_edit_with_its_version(client, services):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)
    for kind, record_id in (("jalon", MILESTONE_ID), ("partenaire", PARTNER_ID),
                            ("heures", SESSION_ID), ("bilan", REPORT_ID)):
        form = page[page.index(f'<details class="record-edit" id="{kind}-{record_id}"'):]
        form = form[:form.index("</details>")]
        assert f'action="{record_path(kind, record_id)}#{kind}-{record_id}"' in form
        assert 'name="version" value="2"' in form and " open" not in form.split(">")[0]
    assert f'id="heures-{SESSION_ID}-hours" name="hours" type="text" value="3"' in page
    assert f'id="jalon-{MILESTONE_ID}-due_on" name="due_on" type="date" ' \
        'value="2027-01-15"' in page


def test_an_animator_edits_a_milestone_as_the_api_patch(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, record_path("jalon", MILESTONE_ID), version="2",
                  title="Statuts signés", due_on="2027-02-01")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        f"/animation/projets/{PROJECT_ID}?fait=modifie-jalon#jalon")
    assert sent(services, "update_milestone") == [(
        PROJECT_ID, MILESTONE_ID, {"title": "Statuts signés", "due_on": "2027-02-01",
                                   "version": 2},
        {"account_id": "a1", "roles": ["animator"], "organisation_id": None})]
    shown = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Le jalon est modifié." in shown


def test_a_partner_edited_meanwhile_shows_its_formalisation_now_in_french(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["update_partner"] = version_conflict("partner", PARTNER_ID, 2)
    answer = post(client, record_path("partenaire", PARTNER_ID), version="1",
                  formalisation="agreement", circle="ally", role="Prêt du local",
                  starts_on="", ends_on="", shown_publicly="oui")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 409
    card = page[page.index(f'id="partenaire-{PARTNER_ID}"'):]
    card = card[:card.index("</details>")]
    assert card.startswith(f'id="partenaire-{PARTNER_ID}" open>')
    assert "modifiée entre-temps" in card
    assert "<dt>Formalisation</dt><dd>Contrat</dd>" in card  # now, the only field that differs
    assert card.count("<dt>") == 1
    assert '<option value="agreement" selected>' in card and 'name="version" value="2"' in card


def test_an_animator_edits_a_partners_dates_and_visibility_as_the_api_patch(client,
                                                                            services):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)
    card = page[page.index(f'id="partenaire-{PARTNER_ID}"'):]
    card = card[:card.index("</details>")]
    assert f'id="partenaire-{PARTNER_ID}-starts_on" name="starts_on" type="date"' in card
    assert f'id="partenaire-{PARTNER_ID}-shown_publicly" name="shown_publicly" ' \
        'type="checkbox" value="oui" checked' in card  # shown now: the box is ticked
    answer = post(client, record_path("partenaire", PARTNER_ID), version="2",
                  formalisation="contract", circle="ally", role="Prêt du local",
                  starts_on="2026-09-01", ends_on="")  # the box unticked: not sent
    assert answer.status_code == 303
    assert sent(services, "update_partner")[0][2] == {
        "formalisation": "contract", "circle": "ally", "role": "Prêt du local",
        "starts_on": "2026-09-01", "ends_on": None, "shown_publicly": False, "version": 2}


def test_a_partnership_ending_before_it_starts_is_refused_in_french(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["update_partner"] = invalid(
        {"ends_on": ["A partnership ends on or after the day it starts."]})
    answer = post(client, record_path("partenaire", PARTNER_ID), version="2",
                  formalisation="contract", circle="ally", starts_on="2026-09-01",
                  ends_on="2026-08-01", shown_publicly="oui")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'<p class="error" id="partenaire-{PARTNER_ID}-ends_on-erreur">Une date de fin ' \
        'valide, ou rien : pas avant la date de début.</p>' in page
    assert f'name="ends_on" type="date" value="2026-08-01"' in page  # kept as typed
    assert f'id="partenaire-{PARTNER_ID}-shown_publicly" name="shown_publicly" ' \
        'type="checkbox" value="oui" checked' in page


def test_after_a_conflict_a_partners_dates_and_visibility_now_are_said_in_french():
    now = {**RECORDS["partners"][0], "starts_on": "2026-09-01", "version": 3}
    typed = {"formalisation": "contract", "circle": "ally", "role": "Prêt du local",
             "starts_on": "", "ends_on": "", "shown_publicly": "non"}
    assert edits.current_values(edits.PARTNER, now, typed) == [
        {"label": "Début du partenariat", "value": "1er septembre 2026"},
        {"label": "Affiché sur la page publique", "value": "Oui"}]
    assert edits.current_values(edits.PARTNER, {**now, "shown_publicly": False},
                                {**typed, "starts_on": "2026-09-01"}) == []


def test_a_correction_without_a_reason_is_refused_next_to_its_field(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["correct_support"] = invalid({"reason": ["Say why."]})
    answer = post(client, record_path("heures", SESSION_ID), version="2", kind="diagnostic",
                  hours="4,5", given_on="2026-11-02", given_by="Camille", reason="")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert sent(services, "correct_support")[0][2] == {
        "kind": "diagnostic", "hours": 4.5, "given_on": "2026-11-02", "given_by": "Camille",
        "reason": None, "version": 2}
    summary = page[page.index('class="error-summary"'):page.index("<h1>")]
    assert f'href="#heures-{SESSION_ID}-reason"' in summary
    assert f'id="heures-{SESSION_ID}" open>' in page
    assert f'id="heures-{SESSION_ID}-hours" name="hours" type="text" value="4,5"' in page


def test_a_job_report_correction_goes_to_the_history(client, services):
    sign_in(client, "animator@x.org")
    answer = post(client, record_path("bilan", REPORT_ID), version="2", created_fte="1,5",
                  consolidated_fte="1", insertion_fte="0,5", reason="Compté deux fois")
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        "?fait=modifie-bilan#corrections")
    assert sent(services, "correct_jobs")[0][:3] == (PROJECT_ID, REPORT_ID, {
        "created_fte": 1.5, "consolidated_fte": 1, "insertion_fte": 0.5,
        "reason": "Compté deux fois", "version": 2})


def test_a_correction_that_changes_nothing_is_said_above_its_form(client, services):
    sign_in(client, "animator@x.org")
    services.refusals["correct_jobs"] = invalid({"_schema": ["A correction changes..."]})
    answer = post(client, record_path("bilan", REPORT_ID), version="2", created_fte="2",
                  consolidated_fte="1", insertion_fte="0,5", reason="Rien")
    assert answer.status_code == 422
    assert "Rien n&#39;a changé" in answer.get_data(as_text=True)


# --- the rules of a card (pure) ---------------------------------------------------------

def test_after_a_conflict_a_corrections_reason_is_no_value_now():
    typed = {"kind": "diagnostic", "hours": "4,5", "given_on": "2026-11-02",
             "given_by": "Camille", "reason": "Oubli"}
    now = edits.current_values(edits.SUPPORT_CORRECTION, RECORDS["support"][0], typed)
    assert now == [{"label": "Nombre d'heures", "value": "3"}]


def test_a_day_now_is_said_in_french_and_numbers_as_typed():
    now = edits.current_values(edits.MILESTONE, RECORDS["milestones"][0],
                               {"title": "Statuts déposés", "due_on": "2027-02-01"})
    assert now == [{"label": "Date prévue", "value": "15 janvier 2027"}]
    assert edits.shown_value(edits.JOBS_CORRECTION, "created_fte", 2.0) == "2"
    assert edits.shown_value(edits.JOBS_CORRECTION, "created_fte", 0.25) == "0,25"
    assert edits.said(edits.words.FORMALISATIONS, "") == "(vide)"


def test_each_record_has_its_card_and_a_refused_one_is_shown_as_sent_back():
    project_file = {**FILE, **RECORDS}
    refused = edits.card(edits.PARTNER, {"version": 3}, {"role": "x"}, {"role": "Trop long"})
    cards = edits.record_cards(project_file, (f"partenaire-{PARTNER_ID}", refused))
    assert set(cards) == {f"jalon-{MILESTONE_ID}", f"partenaire-{PARTNER_ID}",
                          f"heures-{SESSION_ID}", f"bilan-{REPORT_ID}"}
    assert cards[f"partenaire-{PARTNER_ID}"] is refused
    assert cards[f"bilan-{REPORT_ID}"]["typed"] == {
        "created_fte": "2", "consolidated_fte": "1", "insertion_fte": "0,5", "reason": ""}
    assert edits.record_of(project_file, "heures", SESSION_ID)["given_by"] == "Camille"
