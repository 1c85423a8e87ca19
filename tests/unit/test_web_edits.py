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
from shared.errors import version_conflict
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


class EditedServices(Services):
    """After a conflict, the organisation and the project as someone else saved them."""

    def __call__(self, service, method, *args):
        answer = super().__call__(service, method, *args)
        if "update_organisation" in self.refusals and method == "get_organisation":
            return NOW
        if method == "project_file":
            return {**FILE, "title": "Atelier vélo solidaire", "version": 3, "corrections": [
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
