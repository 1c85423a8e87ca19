"""The rules of edits: what an edit of an organisation, a project, a partner or a
milestone changes, and the staff corrections of support hours and jobs."""
from datetime import date

import pytest

from services.members.domain.organisations import edit_organisation
from services.projects import domain
from shared.errors import DomainError

ORGANISATION = {"id": "o1", "name": "La Ressourcerie", "legal_form": "association",
                "siret": None, "siren": None, "rna": "W012345678", "street": None,
                "postal_code": "01400", "commune": "Châtillon", "territory": "dombes",
                "sector": None, "headcount_fte_hundredths": 350, "version": 4}
TODAY = date(2026, 12, 6)


def refused(field, edit, *args):
    with pytest.raises(DomainError) as refusal:
        edit(*args)
    assert refusal.value.code == "validation_failed"
    assert field in refusal.value.details["fields"]


def test_an_organisation_edit_gives_only_the_columns_it_changes_normalised():
    changes = edit_organisation(ORGANISATION, {"name": "  La   Ressourcerie des Dombes ",
                                               "commune": "Châtillon", "headcount_fte": 400})
    assert changes == {"name": "La Ressourcerie des Dombes", "headcount_fte_hundredths": 400}


def test_a_new_siret_gives_its_siren_and_an_rna_stays_an_associations():
    changes = edit_organisation(ORGANISATION, {"siret": "732 829 320 00074"})
    assert changes == {"siret": "73282932000074", "siren": "732829320"}
    with_siren = {**ORGANISATION, "siren": "732829320"}
    assert edit_organisation(with_siren, {"siret": None, "name": "La Ressourcerie"}) == {}
    refused("rna", edit_organisation, ORGANISATION, {"legal_form": "scop"})
    assert edit_organisation(ORGANISATION, {"legal_form": "scop", "rna": None}) == {
        "legal_form": "scop", "rna": None}


PROJECT = {"title": "Recyclerie", "summary": "Réemploi.", "field": "circular_economy",
           "commune": "Trévoux", "tags": ["reemploi"], "animator_account_id": None,
           "carrier_organisation_id": "o1", "founders": None, "territory": "val_de_saone"}


def test_a_project_edit_normalises_and_keeps_one_carrier():
    assert domain.edit_project(PROJECT, {"title": " Recyclerie  du Val ",
                                         "tags": ["Bois", "bois ", "reemploi"],
                                         "field": "circular_economy"}) == {
        "title": "Recyclerie du Val", "tags": ["bois", "reemploi"]}
    refused("founders", domain.edit_project, PROJECT, {"founders": "Camille et Léa"})
    by_founders = {**PROJECT, "carrier_organisation_id": None, "founders": "Camille"}
    refused("founders", domain.edit_project, by_founders, {"founders": "  "})
    refused("summary", domain.edit_project, PROJECT, {"summary": "   "})


def test_a_partner_becomes_formal_and_its_dates_stay_in_order():
    partner = {"circle": "project", "formalisation": "informal", "role": None,
               "starts_on": date(2026, 1, 1), "ends_on": None, "shown_publicly": False}
    assert domain.edit_partner(partner, {"formalisation": "contract", "role": " Achats "}) == {
        "formalisation": "contract", "role": "Achats"}
    refused("ends_on", domain.edit_partner, partner, {"ends_on": date(2025, 12, 31)})


def test_a_milestone_edit_changes_its_title_or_due_date():
    milestone = {"title": "Étude", "due_on": date(2026, 3, 1)}
    assert domain.edit_milestone(milestone, {"title": "Étude  de marché",
                                             "due_on": date(2026, 3, 1)}) == {
        "title": "Étude de marché"}
    refused("title", domain.edit_milestone, milestone, {"title": " "})


SUPPORT = {"kind": "mentoring", "hours_hundredths": 300, "given_on": date(2026, 11, 2),
           "given_by": "Animatrice"}


def test_a_support_correction_says_why_changes_something_and_keeps_the_rules():
    changes, reason = domain.correct_support(SUPPORT, {"hours": 450, "reason": " saisie "},
                                             TODAY)
    assert (changes, reason) == ({"hours_hundredths": 450}, "saisie")
    assert domain.history_of(SUPPORT, changes) == [("hours", "3", "4.5")]
    refused("reason", domain.correct_support, SUPPORT, {"hours": 450}, TODAY)
    refused("_schema", domain.correct_support, SUPPORT, {"hours": 300, "reason": "x"}, TODAY)
    refused("hours", domain.correct_support, SUPPORT, {"hours": 2500, "reason": "x"}, TODAY)
    refused("given_on", domain.correct_support, SUPPORT,
            {"given_on": date(2026, 12, 7), "reason": "x"}, TODAY)


def test_a_jobs_correction_keeps_insertion_jobs_a_part_of_the_others():
    report = {"created_fte_hundredths": 300, "consolidated_fte_hundredths": 100,
              "insertion_fte_hundredths": 200, "reported_on": date(2026, 6, 30)}
    changes, _ = domain.correct_jobs(report, {"created_fte": 250, "reason": "double compte"})
    assert changes == {"created_fte_hundredths": 250}
    assert domain.history_of(report, {"reported_on": date(2026, 7, 1)}) == [
        ("reported_on", "2026-06-30", "2026-07-01")]
    refused("insertion_fte", domain.correct_jobs, report,
            {"created_fte": 50, "reason": "double compte"})
