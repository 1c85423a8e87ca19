"""The animators' project pages beyond the board's file (test_web_animation_pages.py
has the fake services): a new project's form, milestones and news on a project's
file, and the sanity checks said in French; and how those parts are shaped."""
import re
from datetime import date

import pytest

from gateway.web import account, animation, animation_projects
from gateway.web.animation_projects import milestones_view, news_view, organisation_choices
from shared.errors import CONFLICT, DomainError, invalid
from tests.unit.test_web_animation_pages import FILE, PROJECT_ID, Services, post, sign_in

MILESTONE_ID = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
STAFF_ACTOR = {"account_id": "a1", "roles": ["animator"], "organisation_id": None}


class ProjectServices(Services):
    """The fake services, answering a new project with its id and a project's file with
    a milestone not reached yet, and the project's campaigns (`campaigns`)."""

    campaigns = ()

    def __call__(self, service, method, *args):
        if method == "list_campaigns":
            self.calls.append((service, method, args))
            return {"items": list(self.campaigns), "next_cursor": None}
        if method in self.refusals or method not in ("submit_project", "project_file"):
            return super().__call__(service, method, *args)
        self.calls.append((service, method, args))
        if method == "submit_project":
            return {"id": PROJECT_ID}
        return {**FILE, "milestones": [{"id": MILESTONE_ID, "title": "Statuts déposés",
                                        "due_on": "2026-03-01", "completed_on": None,
                                        "version": 1}]}


@pytest.fixture
def created(monkeypatch):
    fake = ProjectServices()
    for module in (account, animation, animation_projects):
        monkeypatch.setattr(module, "call", fake)
    return fake


def test_the_board_offers_a_new_project_whose_form_lists_the_organisations(client, created):
    sign_in(client, "animator@x.org")
    board = client.get("/animation/projets").get_data(as_text=True)
    assert 'href="/animation/projets/nouveau">Nouveau projet</a>' in board
    page = client.get("/animation/projets/nouveau").get_data(as_text=True)
    assert '<option value="o1">Recyclerie de la Dombes</option>' in page
    assert '<option value="circular_economy">' in page and 'id="projet-founders"' in page


def test_a_new_project_is_sent_as_the_api_sends_it_then_its_file_is_shown(client, created):
    sign_in(client, "animator@x.org")
    answer = post(client, "/animation/projets/nouveau", title="Atelier vélo",
                  summary="Réparer des vélos.", field="circular_economy", commune="Trévoux",
                  territory="val_de_saone", carrier_organisation_id="", founders="Camille")
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"/animation/projets/{PROJECT_ID}?fait=nouveau"
    assert ("projects", "submit_project", ({
        "title": "Atelier vélo", "summary": "Réparer des vélos.", "field": "circular_economy",
        "commune": "Trévoux", "territory": "val_de_saone", "founders": "Camille"},
        STAFF_ACTOR)) in created.calls
    page = client.get(f"/animation/projets/{PROJECT_ID}?fait=nouveau").get_data(as_text=True)
    assert "Le projet est créé : il entre dans le parcours comme idée." in page


def test_a_projects_file_leads_to_its_campaigns_where_animators_act_on_them(client,
                                                                             created):
    campaigns = [{"id": "c-live", "title": "Un four", "status": "live"},
                 {"id": "c-review", "title": "Un toit", "status": "in_review"},
                 {"id": "c-done", "title": "Un vélo", "status": "succeeded"}]
    created.campaigns = campaigns
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)
    assert '<a href="/animation/campagnes/c-live">Un four</a> <span class="hint">En ligne' \
        in page
    assert '<a href="/animation/campagnes#campagne-c-review">Un toit</a>' in page
    assert 'Un vélo <span class="hint">Réussie</span>' in page
    assert [args[0]["project_id"] for _, method, args in created.calls
            if method == "list_campaigns"] == [PROJECT_ID]
    created.campaigns = []
    assert "Aucune campagne pour ce projet." in client.get(
        f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)


def test_a_new_projects_territory_is_chosen_never_taken_for_granted(client, created):
    """Projects would take "outside" for a territory not sent, and it is not edited later:
    the form proposes none, and a territory not chosen is sent empty (refused)."""
    sign_in(client, "animator@x.org")
    page = client.get("/animation/projets/nouveau").get_data(as_text=True)
    assert '<option value="">Choisir un territoire</option>' in page
    assert '<option value="outside" selected>' not in page
    post(client, "/animation/projets/nouveau", title="Atelier vélo", summary="Réparer.",
         field="circular_economy", commune="Trévoux", founders="Camille")
    assert [args[0]["territory"] for _, method, args in created.calls
            if method == "submit_project"] == [""]


def test_a_project_without_carrier_nor_founders_says_so_and_keeps_what_was_typed(client,
                                                                                 created):
    sign_in(client, "animator@x.org")
    created.refusals["submit_project"] = invalid({"carrier_organisation_id": ["One of."]})
    answer = post(client, "/animation/projets/nouveau", title="Atelier vélo",
                  summary="Réparer.", field="circular_economy", commune="Trévoux")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="projet-carrier_organisation_id-erreur">Choisissez la structure '
                     r'porteuse, ou nommez les fondateurs', page)
    # The summary above the form leads to the field the macro drew, prefix and all.
    assert '<a href="#projet-carrier_organisation_id">Choisissez' in page
    assert 'value="Atelier vélo"' in page and '<option value="circular_economy" selected>' \
        in page


def test_a_milestone_and_news_are_sent_as_the_api_sends_them(client, created):
    sign_in(client, "animator@x.org")
    answer = post(client, f"/animation/projets/{PROJECT_ID}/jalon", title="Statuts déposés",
                  due_on="2027-03-01")
    assert answer.headers["Location"] == f"/animation/projets/{PROJECT_ID}?fait=jalon#jalon"
    answer = post(client, f"/animation/projets/{PROJECT_ID}/actualite", title="Un local",
                  body="Nous avons trouvé un local.", visibility="contributors")
    assert answer.status_code == 303
    assert ("projects", "set_milestone", (PROJECT_ID, {"title": "Statuts déposés",
                                                       "due_on": "2027-03-01"},
                                          STAFF_ACTOR)) in created.calls
    assert ("projects", "publish_news", (PROJECT_ID, {
        "title": "Un local", "body": "Nous avons trouvé un local.",
        "visibility": "contributors"}, STAFF_ACTOR)) in created.calls


def test_a_milestone_reached_is_sent_with_its_day(client, created):
    sign_in(client, "animator@x.org")
    page = client.get(f"/animation/projets/{PROJECT_ID}").get_data(as_text=True)
    assert f'action="/animation/projets/{PROJECT_ID}/jalons/{MILESTONE_ID}#jalon"' in page
    answer = post(client, f"/animation/projets/{PROJECT_ID}/jalons/{MILESTONE_ID}",
                  completed_on="2026-03-02")
    assert answer.headers["Location"] == f"/animation/projets/{PROJECT_ID}?fait=atteint#jalon"
    assert ("projects", "complete_milestone", (PROJECT_ID, MILESTONE_ID,
                                               {"completed_on": "2026-03-02"},
                                               STAFF_ACTOR)) in created.calls


def test_a_milestone_reached_tomorrow_is_said_next_to_its_day(client, created):
    sign_in(client, "animator@x.org")
    created.refusals["complete_milestone"] = invalid({"completed_on": ["In the future."]})
    answer = post(client, f"/animation/projets/{PROJECT_ID}/jalons/{MILESTONE_ID}",
                  completed_on="2099-01-01")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    prefix = f"atteint-{MILESTONE_ID}-completed_on"
    assert re.search(rf'id="{prefix}-erreur">Indiquez le jour où le jalon a été atteint : '
                     r"aujourd&#39;hui au plus tard.", page)
    assert f'id="{prefix}" name="completed_on" type="date" value="2099-01-01"' in page


def test_a_milestone_reached_twice_is_said_above_the_form(client, created):
    sign_in(client, "animator@x.org")
    created.refusals["complete_milestone"] = DomainError(CONFLICT, "milestone_completed", "No")
    answer = post(client, f"/animation/projets/{PROJECT_ID}/jalons/{MILESTONE_ID}",
                  completed_on="2026-03-02")
    assert answer.status_code == 409
    assert "Ce jalon est déjà atteint." in answer.get_data(as_text=True)


@pytest.mark.parametrize("refused, message", [
    ("hours", "Indiquez les heures d&#39;une journée : plus de 0 et 24 au plus"),
    ("given_on", "Indiquez la date de l&#39;accompagnement : aujourd&#39;hui au plus tard."),
])
def test_a_day_of_500_hours_or_tomorrow_is_said_next_to_its_field(client, created, refused,
                                                                 message):
    sign_in(client, "animator@x.org")
    created.refusals["give_support"] = invalid({refused: ["No."]})
    answer = post(client, f"/animation/projets/{PROJECT_ID}/accompagnement", kind="training",
                  hours="500", given_on="2026-01-05", given_by="Camille")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert f'id="accompagnement-{refused}-erreur">{message}' in page
    assert 'value="500"' in page


# --- shaping (pure) --------------------------------------------------------------------

def test_milestones_say_reached_late_or_ahead_by_due_day():
    shown = milestones_view([
        {"id": "m3", "title": "Local", "due_on": "2026-12-31", "completed_on": None},
        {"id": "m1", "title": "Statuts", "due_on": "2026-01-10", "completed_on": "2026-01-08"},
        {"id": "m2", "title": "Banque", "due_on": "2026-06-01", "completed_on": None},
    ], date(2026, 12, 6))
    assert [(m["title"], m["status"], m["reached"]) for m in shown] == [
        ("Statuts", "Atteint le 8 janvier 2026", True), ("Banque", "En retard", False),
        ("Local", "À venir", False)]
    assert shown[0]["due"] == "10 janvier 2026"


def test_news_come_latest_first_and_say_who_reads_them():
    shown = news_view([
        {"title": "Un local", "body": "…", "visibility": "public",
         "published_at": "2026-03-01T09:00:00+00:00"},
        {"title": "Merci", "body": "…", "visibility": "contributors",
         "published_at": "2026-04-01T23:30:00+00:00"},
    ])
    assert [(n["title"], n["audience"], n["on"]) for n in shown] == [
        ("Merci", "Contributeurs seulement", "2 avril 2026"),
        ("Un local", "Publique", "1er mars 2026")]


def test_carriers_are_offered_by_name():
    assert organisation_choices([{"id": "b", "name": "recyclerie"},
                                 {"id": "a", "name": "Atelier"}]) == [
        ("a", "Atelier"), ("b", "recyclerie")]
