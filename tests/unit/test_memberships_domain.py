from datetime import date, datetime, timedelta, timezone

import pytest

from services.members.domain import memberships, mutualisation, spreadsheets
from shared.errors import CONFLICT, DomainError

UTC = timezone.utc
GRACE = timedelta(days=60)


@pytest.mark.parametrize("current, target", [
    ("applied", "active"), ("applied", "resigned"), ("active", "lapsed"),
    ("active", "resigned"), ("lapsed", "active"), ("lapsed", "resigned")])
def test_the_allowed_moves_pass(current, target):
    assert memberships.check_move(current, target) is None


@pytest.mark.parametrize("current, target", [
    ("applied", "lapsed"), ("active", "applied"), ("resigned", "active"), ("lapsed", "applied")])
def test_other_moves_are_conflicts(current, target):
    with pytest.raises(DomainError) as raised:
        memberships.check_move(current, target)
    assert raised.value.code == "membership_move_not_allowed"


@pytest.mark.parametrize("legal_form, fte, cents", [
    ("association", 0, 5_000), ("association", 500, 5_000), ("scop", 501, 15_000),
    ("scic", 2_000, 15_000), ("association", 17_000, 30_000), ("local_authority", 900, 50_000)])
def test_dues_follow_the_scale_by_legal_form_and_headcount(legal_form, fte, cents):
    assert memberships.dues_for(memberships.DEFAULT_DUES_SCALE, legal_form, fte) == cents


def test_unpaid_dues_lapse_a_membership_only_after_the_grace_period():
    activated = datetime(2026, 1, 1, tzinfo=UTC)
    def lapses(now, paid=0, status="active"):
        return memberships.lapses(status, 5_000, paid, 2026, activated, now, GRACE)
    assert not lapses(datetime(2026, 3, 1, tzinfo=UTC))
    assert lapses(datetime(2026, 3, 2, tzinfo=UTC))
    assert not lapses(datetime(2026, 6, 1, tzinfo=UTC), paid=5_000)
    assert not lapses(datetime(2026, 6, 1, tzinfo=UTC), status="applied")
    late = datetime(2026, 9, 1, tzinfo=UTC)  # activated in September: grace from then
    assert not memberships.lapses("active", 5_000, 0, 2026, late, late + GRACE / 2, GRACE)


def test_paying_in_full_brings_a_lapsed_membership_back():
    assert memberships.after_payment("lapsed", 5_000, 5_000) == "active"
    assert memberships.after_payment("lapsed", 5_000, 4_999) == "lapsed"
    assert memberships.after_payment("active", 5_000, 5_000) == "active"


def test_renewal_catches_up_last_year_and_opens_this_year_on_its_date():
    assert memberships.years_to_renew(datetime(2026, 11, 30, tzinfo=UTC), (12, 1)) == [2025]
    assert memberships.years_to_renew(datetime(2026, 12, 1, tzinfo=UTC), (12, 1)) == [2025, 2026]


def test_a_payment_may_not_exceed_what_remains_due():
    with pytest.raises(DomainError):
        memberships.check_payment(3_000, 5_000, 2_500)
    assert memberships.check_payment(2_500, 5_000, 2_500) is None


def test_a_month_is_invoiced_per_subscription_that_ran_in_it_in_whole_cents():
    subscriptions = [
        {"id": "a", "service_id": "s1", "name": "Compta", "pricing": "hourly",
         "price_cents": 4_533, "hours_per_month_hundredths": 1_250,
         "starts_on": date(2026, 1, 1), "ends_on": None},
        {"id": "b", "service_id": "s2", "name": "Paie", "pricing": "monthly",
         "price_cents": 35_000, "hours_per_month_hundredths": None,
         "starts_on": date(2026, 3, 31), "ends_on": None},
        {"id": "c", "service_id": "s2", "name": "Paie", "pricing": "monthly",
         "price_cents": 35_000, "hours_per_month_hundredths": None,
         "starts_on": date(2025, 1, 1), "ends_on": date(2026, 2, 28)},
    ]
    lines = mutualisation.invoice_lines(subscriptions, 2026, 3)
    assert [(line["subscription_id"], line["amount_cents"]) for line in lines] == [
        ("a", 56_663), ("b", 35_000)]  # 12.5 h x 45.33 EUR = 566.625 EUR, rounded half up


def test_an_hourly_service_needs_hours_and_a_monthly_one_refuses_them():
    hourly = {"id": "s", "pricing": "hourly"}
    with pytest.raises(DomainError):
        mutualisation.new_subscription("o", hourly, {"starts_on": date(2026, 1, 1)})
    with pytest.raises(DomainError):
        mutualisation.new_subscription("o", {"id": "s", "pricing": "monthly"},
                                       {"starts_on": date(2026, 1, 1), "hours_per_month": 100})


def test_a_windows_spreadsheet_with_french_labels_reads_as_api_payloads():
    raw = ("Nom;Forme juridique;Code postal;Territoire;ETP\r\n"
           "Crèche Les Petits Pas;Entreprise d'insertion;01600;Val de Saône;14,5\r\n"
           ";;;;\r\n").encode("cp1252")
    [(line, row, ragged)], warnings = spreadsheets.read_rows(raw)
    assert (line, ragged, warnings) == (2, False, [])
    assert spreadsheets.to_payload(row) == {
        "name": "Crèche Les Petits Pas", "legal_form": "integration_enterprise",
        "postal_code": "01600", "territory": "val_de_saone", "headcount_fte": 14.5}


def test_comma_separated_utf8_with_a_bom_reads_too():
    raw = "\ufeffname,commune\r\nA,Trévoux\r\n".encode()
    assert spreadsheets.read_rows(raw)[0][0][1] == {"name": "A", "commune": "Trévoux"}


def test_columns_the_import_does_not_know_are_ignored_and_named():
    fields, warnings = spreadsheets.map_columns(
        ["Nom", " Remarques ", "Courriel", "E-mail", "", "Téléphone", "N° RNA"])
    assert fields == ["name", None, "email", None, None, "phone", "rna"]
    assert [(w["code"], w["column"], w["position"]) for w in warnings] == [
        ("unknown_column", "Remarques", 2), ("duplicate_column", "E-mail", 4)]
    assert "Courriel" in warnings[1]["message"]


@pytest.mark.parametrize("title", ["Courriel", "E-mail", "Email", "Mail", "Adresse e-mail",
                                   "Adresse électronique", "Mél", "e-mail du contact"])
def test_the_usual_names_of_an_email_column_map_to_the_contact_email(title):
    assert spreadsheets.map_columns([title])[0] == ["email"]


@pytest.mark.parametrize("title", ["Téléphone", "Tél.", "Tel", "Phone", "Portable",
                                   "N° de téléphone"])
def test_the_usual_names_of_a_phone_column_map_to_the_contact_phone(title):
    assert spreadsheets.map_columns([title])[0] == ["phone"]


def test_a_file_without_a_name_column_is_refused_whole():
    with pytest.raises(DomainError) as raised:
        spreadsheets.read_rows("Couleur;Commune\r\nbleu;Trévoux\r\n".encode())
    assert "name (Nom)" in raised.value.details["fields"]["file"][0]


def test_a_column_without_a_title_is_named_only_when_it_holds_something():
    _, warnings = spreadsheets.read_rows("Nom;;\r\nA;;note\r\n".encode())
    assert [(w["code"], w["position"]) for w in warnings] == [("untitled_column", 3)]


def test_a_row_splits_into_the_organisation_and_its_contact():
    organisation, contact = spreadsheets.split_contact(
        {"name": "Ferme", "commune": "Trévoux", "email": "a@b.fr", "phone": "474551234"})
    assert organisation == {"name": "Ferme", "commune": "Trévoux"}
    assert contact == {"name": "Ferme", "email": "a@b.fr", "phone": "0474551234",
                       "consent_to_contact": False}
    _, named = spreadsheets.split_contact({"name": "Ferme", "contact_name": "Léa Martin",
                                           "phone": "+33 4 74 55 12 34"})
    assert (named["name"], named["phone"]) == ("Léa Martin", "+33 4 74 55 12 34")
    assert spreadsheets.split_contact({"name": "Ferme"}) == ({"name": "Ferme"}, None)


def test_an_export_reads_back_as_an_import():
    exported = spreadsheets.export([{"name": "A;B", "legal_form": "scop", "siret": None,
                                     "postal_code": "01600", "commune": "Trévoux",
                                     "headcount_fte": 2.5}])
    [(_, row, _)], _ = spreadsheets.read_rows(exported)
    assert spreadsheets.to_payload(row)["name"] == "A;B"
    assert spreadsheets.to_payload(row)["headcount_fte"] == 2.5


def test_an_export_never_writes_a_cell_a_spreadsheet_would_run_as_a_formula():
    exported = spreadsheets.export([{"name": '=HYPERLINK("https://evil.example","clic")',
                                     "legal_form": "scop", "street": "@SUM(1+1)",
                                     "postal_code": "01600", "commune": "+33 Trévoux",
                                     "sector": "-2+3", "headcount_fte": 2.5}])
    [(_, row, _)], _ = spreadsheets.read_rows(exported)
    assert row["name"] == '\'=HYPERLINK("https://evil.example","clic")'
    assert (row["street"], row["commune"], row["sector"]) == (
        "'@SUM(1+1)", "'+33 Trévoux", "'-2+3")
    assert row["postal_code"] == "01600" and row["headcount_fte"] == "2,50"


@pytest.mark.parametrize("total, paid, status, left", [
    (30_000, 0, "unpaid", 30_000), (30_000, 1, "partly_paid", 29_999),
    (30_000, 29_999, "partly_paid", 1), (30_000, 30_000, "paid", 0), (0, 0, "paid", 0)])
def test_an_invoice_is_unpaid_partly_paid_or_paid(total, paid, status, left):
    assert mutualisation.invoice_status(total, paid) == status
    assert mutualisation.left_to_pay(total, paid) == left


def test_an_invoice_takes_payments_up_to_what_is_left_and_no_more():
    mutualisation.check_invoice_payment(10_000, 30_000, 20_000)  # the rest, exactly
    with pytest.raises(DomainError) as refused:
        mutualisation.check_invoice_payment(10_001, 30_000, 20_000)
    assert (refused.value.kind, refused.value.code) == (CONFLICT, "invoice_overpaid")
    assert refused.value.details["left_cents"] == 10_000
    with pytest.raises(DomainError):
        mutualisation.check_invoice_payment(1, 30_000, 30_000)
