"""The pure helpers of the animators' and member organisations' pages: reading French
input, saying the services' refusals in French, the import report, and the shapes the
pages show (board, stage choices, members, memberships, campaigns, resources)."""
from datetime import date

import pytest

from gateway.web import forms, imports
from gateway.web.animation import long_day
from gateway.web.animation_campaigns import review_card
from gateway.web.animation_members import euros_input, member_rows, membership_view, year_of
from gateway.web.animation_projects import (
    board_columns,
    in_stage_for,
    project_view,
    stage_choices,
)
from gateway.web.animation_resources import resource_rows, volunteering_rows
from gateway.web.my_organisation import memberships_view, service_view
from shared.errors import CONFLICT, INVALID, DomainError, invalid

NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(("typed", "read"), [
    ("12,5", 12.5), ("3", 3), (" 1 000,25 ", 1000.25), ("0", 0), ("douze", "douze"),
    ("1,2,3", "1,2,3"), ("nan", "nan"),
])
def test_numbers_are_read_with_a_decimal_comma(typed, read):
    assert forms.number(typed) == read


@pytest.mark.parametrize(("typed", "cents"), [
    ("150", 15_000), ("2 500,50", 250_050), ("1\u202f234,5 €", 123_450), ("0,07", 7),
    ("12,345", "12,345"), ("-5", "-5"), ("cent", "cent"),
])
def test_euros_are_read_as_cents_or_left_for_the_service_to_refuse(typed, cents):
    assert forms.cents(typed) == cents


def test_a_payload_leaves_out_empty_fields_and_converts_the_others():
    form = {"amount": "1 234,50", "year": "2026", "funder": "  ", "kind": "grant"}
    assert forms.payload(form, {"amount_cents": ("amount", forms.cents),
                                "year": ("year", forms.integer), "funder": ("funder", None),
                                "kind": ("kind", None), "programme": ("programme", None)}) \
        == {"amount_cents": 123_450, "year": 2026, "kind": "grant"}


def test_a_refusal_is_said_in_french_next_to_the_form_field():
    exc = invalid({"amount_cents": ["Only 100 cents remain."], "paid_on": ["Missing."],
                   "unknown": ["?"]})
    errors = forms.french_errors(exc, {"amount": "Un montant.", "paid_on": "Une date."},
                                 {"amount_cents": "amount"})
    assert errors == {"amount": "Un montant.", "paid_on": "Une date.",
                      "form": "Ces informations ne sont pas valides : vérifiez le formulaire."}
    with pytest.raises(DomainError):
        forms.french_errors(DomainError(CONFLICT, "no", "No."), {})


def test_an_idempotency_key_comes_from_the_form_or_is_made():
    assert forms.idempotency_key({"cle": "abc-123"}) == "abc-123"
    made = forms.idempotency_key({"cle": "é" * 3})
    assert made != "é" * 3 and len(made) == 36


def test_a_calendar_day_stays_the_same_day():
    assert long_day("2026-03-01") == "1er mars 2026"
    assert long_day(date(2026, 11, 27)) == "27 novembre 2026"


def test_the_board_says_stages_fields_and_waiting_time_in_french():
    columns = board_columns([
        {"stage": "idea", "projects": [{"id": "p1", "title": "Atelier", "commune": "Trévoux",
                                        "field": "circular_economy", "days_in_stage": 12}]},
        {"stage": "emergence", "projects": []}])
    assert columns[0] == {"stage": "idea", "label": "Idée", "count": 1, "projects": [
        {"id": "p1", "title": "Atelier", "commune": "Trévoux", "field": "Économie circulaire",
         "since": "depuis 12 jours"}]}
    assert columns[1]["label"] == "Émergence" and columns[1]["count"] == 0
    assert (in_stage_for(0), in_stage_for(1)) == ("depuis aujourd'hui", "depuis 1 jour")


@pytest.mark.parametrize(("current", "offered"), [
    ("idea", [("emergence", "Émergence"), ("abandoned", "Abandonné (avec une raison)")]),
    ("emergence", [("idea", "Idée (avec une raison)"), ("incubation", "Incubation"),
                   ("abandoned", "Abandonné (avec une raison)")]),
    ("incubation", [("emergence", "Émergence (avec une raison)"),
                    ("abandoned", "Abandonné (avec une raison)")]),
    ("abandoned", []),
])
def test_only_the_moves_the_pipeline_allows_are_offered(current, offered):
    assert stage_choices(current) == offered


def test_a_project_file_is_shown_in_french_newest_records_first():
    view = project_view({
        "id": "p1", "title": "Atelier", "summary": "Réparer.", "field": "citizen_economy",
        "commune": "Trévoux", "territory": "val_de_saone", "stage": "emergence",
        "carrier_organisation_id": "o1", "founders": None,
        "stage_entered_at": "2026-03-01T08:00:00+00:00",
        "history": [{"from_stage": None, "to_stage": "idea", "reason": None,
                     "at": "2026-02-01T08:00:00+00:00"},
                    {"from_stage": "idea", "to_stage": "emergence", "reason": None,
                     "at": "2026-03-01T08:00:00+00:00"}],
        "support_hours": 4.5,
        "support": [{"id": "s1", "kind": "diagnostic", "hours": 1.5,
                     "given_on": "2026-03-02", "given_by": "Camille"},
                    {"id": "s2", "kind": "mentoring", "hours": 3, "given_on": "2026-03-09",
                     "given_by": "Dominique"}],
        "partners": [{"id": "p1", "name": "Mairie", "circle": "ally",
                      "formalisation": "agreement", "role": None,
                      "starts_on": "2026-03-01", "ends_on": None, "shown_publicly": True}],
        "job_reports": [{"id": "j1", "reported_on": "2026-06-30", "created_fte": 1.5,
                         "consolidated_fte": 0, "insertion_fte": 0.5}],
        "enterprise": None, "milestones": [], "news": []}, "Recyclerie de la Dombes",
        date(2026, 3, 11))
    assert (view["stage_label"], view["since"]) == ("Émergence",
                                                    "depuis le 1er mars 2026 (10 jours)")
    assert view["place"] == "Trévoux · Val de Saône" and view["carrier"] == \
        "Recyclerie de la Dombes" and not view["carried_by_founders"]
    assert [move["to"] for move in view["history"]] == ["Émergence", "Idée"]
    assert view["support_hours"] == "4,5 h"
    assert [s["kind"] for s in view["support"]] == ["Parrainage", "Diagnostic"]
    assert [s["id"] for s in view["support"]] == ["s2", "s1"]  # each corrected by its id
    assert view["partners"] == [{"id": "p1", "name": "Mairie", "circle": "Alliés ponctuels",
                                 "formalisation": "Convention", "role": "—",
                                 "period": "depuis le 1er mars 2026", "shown": "Oui"}]
    assert view["jobs"] == [{"id": "j1", "on": "30 juin 2026", "created": "1,5 ETP",
                             "consolidated": "0 ETP", "insertion": "0,5 ETP"}]
    assert view["enterprise"] is None


def test_an_import_report_says_each_refused_cell_in_french_under_its_column():
    report = imports.report({"committed": True, "imported": 1, "rejected": 3, "warnings": [
        {"code": "unknown_column", "column": "Remarques", "position": 7,
         "message": 'The column "Remarques" is not one the import knows: it is ignored.'},
        {"code": "untitled_column", "column": "", "position": 9, "message": "…"},
        {"code": "a_new_code", "column": "Couleur", "position": 10, "message": "…"}], "rows": [
        {"line": 2, "status": "imported", "organisation_id": "o1", "errors": {}},
        {"line": 3, "status": "invalid", "organisation_id": None, "errors": {
            "siret": ["This SIRET's check digit (its last digit, 6) does not match the digits "
                      "before it: by the Luhn rule it should be 5."]}},
        {"line": 4, "status": "invalid", "organisation_id": None, "errors": {
            "legal_form": ["Must be one of: association, scop."],
            "_row": ["This line has more or fewer cells than the header."]}},
        {"line": 5, "status": "invalid", "organisation_id": None, "errors": {
            "name": ["The same organisation is already on line 2."],
            "postal_code": ["Something new."], "email": ["Not a valid email address."]}},
    ]})
    assert report["summary"] == "1 structure importée, 3 lignes refusées."
    assert [row["line"] for row in report["refused"]] == [3, 4, 5]
    assert report["refused"][0]["errors"] == [
        ("SIRET", "Le numéro est faux : son dernier chiffre, 6, devrait être 5 (clé de Luhn).")]
    assert report["refused"][1]["errors"][0] == (
        "Ligne", "Cette ligne n'a pas autant de cellules que la ligne des titres.")
    assert report["refused"][1]["errors"][1][1].startswith("Forme juridique inconnue. Formes "
                                                           "reconnues : Association, SCOP")
    assert report["refused"][2]["errors"] == [
        ("Courriel", "Une adresse électronique s'écrit nom@domaine.fr."),
        ("Nom", "La même structure figure déjà à la ligne 2."),
        ("Code postal", "Valeur non valide.")]
    assert report["warnings"] == [
        "La colonne « Remarques » n'est pas connue de l'import : elle est ignorée.",
        "La colonne n° 9 n'a pas de titre : elle est ignorée.",
        "La colonne n° 10 est ignorée."]


def test_an_import_refused_whole_says_nothing_was_imported():
    report = imports.report({"committed": False, "imported": 0, "rejected": 2,
                             "warnings": [], "rows": []})
    assert report["summary"].startswith("Rien n'a été importé : 2 lignes sont refusées")


@pytest.mark.parametrize(("english", "french"), [
    (["The file needs a column for the name (Nom)."], "Il manque la colonne du nom"),
    (["The file is empty."], "Le fichier est vide."),
    (["Something else."], "Ce fichier ne peut pas être lu"),
])
def test_a_file_refused_whole_is_said_in_french(english, french):
    assert imports.file_error(english).startswith(french)


MEMBERSHIP = {"id": "m1", "organisation_id": "o1", "year": 2026, "circle": "core",
              "status": "active", "dues_cents": 15_000, "paid_cents": 5_050,
              "activated_at": "2026-01-15T09:00:00+00:00",
              "created_at": "2026-01-10T09:00:00+00:00"}


def test_a_membership_shows_its_dues_paid_and_left_to_pay():
    view = membership_view(MEMBERSHIP)
    assert (view["circle"], view["status"], view["dues"], view["paid"], view["left"]) == (
        "Adhérents (cœur)", "Active", f"150{NBSP}€", f"50,50{NBSP}€", f"99,50{NBSP}€")
    assert view["payable"] and not view["settled"]
    assert not membership_view({**MEMBERSHIP, "status": "applied"})["payable"]
    assert membership_view({**MEMBERSHIP, "paid_cents": 15_000})["settled"]


def test_members_are_listed_by_name_with_the_years_membership():
    rows = member_rows([{"id": "o2", "name": "épicerie", "commune": "Trévoux",
                         "legal_form": "scic"},
                        {"id": "o1", "name": "Atelier", "commune": "Miribel",
                         "legal_form": "association"}], [MEMBERSHIP])
    assert [row["name"] for row in rows] == ["Atelier", "épicerie"]
    assert rows[0]["membership"]["id"] == "m1" and rows[1]["membership"] is None
    assert rows[1]["legal_form"] == "SCIC"


@pytest.mark.parametrize(("cents", "typed"), [(15_000, "150"), (9_950, "99,50"),
                                              (123_456_700, "1234567"), (0, "")])
def test_an_amount_is_put_in_a_form_as_a_person_types_it(cents, typed):
    assert euros_input(cents) == typed


def test_a_year_asked_for_is_a_year_or_refused():
    assert year_of("2025") == 2025 and year_of("1999") is None and year_of("2o25") is None
    assert year_of("") == date.today().year


def test_an_organisation_sees_this_years_membership_first_and_what_is_left_to_pay():
    older = {**MEMBERSHIP, "id": "m0", "year": 2025, "status": "lapsed", "paid_cents": 0}
    resigned = {**MEMBERSHIP, "id": "m-1", "year": 2024, "status": "resigned",
                "paid_cents": 0}
    view = memberships_view([resigned, older, MEMBERSHIP], 2026)
    assert view["current"]["id"] == "m1"
    assert [m["year"] for m in view["memberships"]] == [2026, 2025, 2024]
    assert view["left_to_pay"] == f"249,50{NBSP}€"  # 99,50 + 150; a resignation owes nothing
    assert memberships_view([], 2026) == {"current": None, "memberships": [],
                                          "left_to_pay": None}
    assert memberships_view([older], 2026)["current"]["year"] == 2025


def test_a_mutualised_service_says_its_price_and_jobs():
    assert service_view({"name": "Paie", "description": None, "price_cents": 35_000,
                         "pricing": "monthly", "fte_carried": 1.5}) == {
        "name": "Paie", "description": "", "price": f"350{NBSP}€ au mois", "fte": "1,5 ETP"}


def test_a_campaign_in_review_shows_what_a_reviewer_checks():
    card = review_card({
        "id": "c1", "title": "Un camion", "description": "Pour **livrer**.", "kind": "reward",
        "model": "all_or_nothing", "goal_cents": 1_500_000, "cap_cents": None,
        "optimum_cents": 2_000_000, "min_contribution_cents": 500, "starts_at": "2026-03-01T10:00:00+00:00",
        "deadline": "2026-04-01T10:00:00+00:00", "review_note": None,
        "rewards": [{"title": "Un panier", "min_amount_cents": 2_500, "stock": None,
                     "handover": "pick_up"}],
        "video_url": "https://video.example.org/camion",
        "cover_image": {"id": "ab", "url": "/api/v1/campaign-images/ab", "width": 1200,
                        "height": 800},
        "matchfunding": {"funder": "Fondation", "total_cap_cents": 500_000,
                         "per_contribution_cap_cents": 5_000,
                         "per_contributor_cap_cents": 10_000}},
        {"title": "Ressourcerie", "commune": "Villars"})
    assert (card["kind"], card["model"], card["goal"]) == (
        "Don avec contrepartie", "Tout ou rien", f"15{NNBSP}000{NBSP}€")
    assert card["project"] == "Ressourcerie · Villars"
    assert card["optimum"] == f"20{NNBSP}000{NBSP}€"
    assert card["rewards"] == [{"title": "Un panier", "from": f"25{NBSP}€",
                                "stock": "sans limite", "handover": "À retirer sur place"}]
    assert card["story"] == "<p>Pour <strong>livrer</strong>.</p>\n"
    assert (card["cover"]["url"], card["video_url"]) == (
        "/api/v1/campaign-images/ab", "https://video.example.org/camion")
    assert card["matchfunding"].startswith(f"Fondation abonde jusqu'à 5{NNBSP}000{NBSP}€")
    assert card["deadline"] == "1er avril 2026"
    assert card["sheet"] is None


def test_a_loan_in_review_shows_its_key_information_sheet_as_investors_will_read_it():
    card = review_card({
        "id": "c2", "title": "Un prêt", "description": "", "kind": "loan",
        "model": "keep_it_all", "goal_cents": 2_000_000, "cap_cents": None,
        "optimum_cents": None, "min_contribution_cents": 100,
        "starts_at": "2026-03-01T10:00:00+00:00", "deadline": "2026-04-01T10:00:00+00:00",
        "review_note": None, "rewards": [], "matchfunding": None,
        "key_information": {"issuer_legal_name": "Épicerie SCIC", "main_risks": ["Perte.",
                                                                                 "Retard."],
                            "annual_interest_rate_bps": 350, "target_amount_cents": 1,
                            "minimum_target_cents": 1, "deadline": "2030-01-01"}}, None)
    rows = dict(card["sheet"])
    assert rows["Dénomination du porteur de projet"] == "Épicerie SCIC"
    assert rows["Principaux risques"] == "Perte. ; Retard."
    assert rows["Taux d'intérêt annuel"] == f"3,5{NBSP}%"
    # The campaign's own figures, not the sheet's: its goal and deadline, no minimum.
    assert rows["Montant recherché"] == f"20{NNBSP}000{NBSP}€"
    assert rows["Date de clôture de l'offre"] == "1er avril 2026"
    assert "Montant minimum à atteindre" not in rows


def test_resources_and_volunteering_show_newest_first_with_their_project():
    titles = {"p1": "Atelier vélo"}
    rows = resource_rows([
        {"kind": "grant", "amount_cents": 1_500_000, "year": 2025, "project_id": "p1",
         "funder": "Région", "funder_type": "public", "programme": None, "description": "",
         "created_at": "2026-01-01T00:00:00+00:00"},
        {"kind": "sale", "amount_cents": 250_050, "year": 2026, "project_id": None,
         "funder": None, "funder_type": None, "programme": None, "description": "Repas",
         "created_at": "2026-02-01T00:00:00+00:00"}], titles)
    assert [row["kind"] for row in rows] == ["Vente de prestations", "Subvention"]
    assert rows[0]["amount"] == f"2{NNBSP}500,50{NBSP}€" and rows[0]["project"] == "Le pôle"
    assert rows[1]["funder"] == "Région · Argent public" and rows[1]["project"] == "Atelier vélo"
    hours = volunteering_rows([{"done_on": "2026-05-01", "activity": "Chantier", "hours": 3.5,
                                "valued_cents": 4_207, "project_id": "p1",
                                "created_at": "2026-05-02T00:00:00+00:00"}], titles)
    assert hours == [{"on": "1er mai 2026", "activity": "Chantier", "hours": "3,5 h",
                      "value": f"42,07{NBSP}€", "project": "Atelier vélo"}]


def test_french_errors_refuse_what_is_not_about_fields():
    errors = forms.french_errors(DomainError(INVALID, "idempotency_key_reused", "No."), {})
    assert errors == {"form": "Ces informations ne sont pas valides : vérifiez le formulaire."}
