"""Donation receipts: numbers, tax reductions, amounts in French words, the donor's legal
identity, the signatory, days in France, cancellation, the PDF."""
from datetime import date, datetime, timezone

import pytest

from services.funding.domain import receipts
from services.funding.receipt_pdf import latin1, render_receipt_pdf
from shared.errors import DomainError
from tests.support.funding import receipt_text

BENEFICIARY = {"legal_name": "Recyclerie de la Dombes", "siren": "732 829 320",
               "address": "12 rue du Commerce, 01400 Châtillon-sur-Chalaronne",
               "purpose": "Réemploi, réparation et insertion par l’activité économique"}
DONOR = {"name": "Camille Durand", "address": "3 chemin des Étangs, 01330 Villars-les-Dombes"}
SIGNATORY = {"name": "Marie Dupont", "capacity": "présidente"}


def document(**changes):
    values = {"number": "2026-000042", "beneficiary": BENEFICIARY, "donor": DONOR,
              "signatory": SIGNATORY,
              "amount_cents": 12_550, "donated_on": date(2026, 3, 1),
              "payment_method": "cheque", "issued_on": date(2026, 3, 14), **changes}
    return receipts.receipt_document(**values)


def field_errors(call):
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.kind == "invalid"
    return raised.value.details["fields"]


pdf_text = receipt_text

# --- numbers and reductions ----------------------------------------------------------

def test_receipt_numbers_are_the_year_and_a_six_digit_rank():
    assert receipts.receipt_number(2026, 42) == "2026-000042"
    assert receipts.receipt_number(2027, 1) == "2027-000001"
    assert receipts.receipt_number(2026, 999_999) == "2026-999999"


@pytest.mark.parametrize("year, sequence", [(2026, 0), (2026, 1_000_000), (26, 1),
                                            (2026, -3), ("2026", 1), (2026, True)])
def test_impossible_receipt_numbers_are_refused(year, sequence):
    with pytest.raises(ValueError):
        receipts.receipt_number(year, sequence)


def test_reduction_rates_follow_the_tax_code():
    assert receipts.REDUCTION_RATES == {"individual": 66, "company": 60}
    assert receipts.tax_reduction_cents(10_000) == 6_600
    assert receipts.tax_reduction_cents(10_000, "company") == 6_000


def test_reductions_are_rounded_down_to_the_cent():
    assert receipts.tax_reduction_cents(12_550) == 8_283  # 8 283.0
    assert receipts.tax_reduction_cents(1) == 0  # 0.66
    assert receipts.tax_reduction_cents(99) == 65  # 65.34
    assert receipts.tax_reduction_cents(101) == 66  # 66.66, not 67
    assert receipts.tax_reduction_cents(101, "company") == 60  # 60.6, not 61
    assert receipts.tax_reduction_cents(0) == 0


def test_an_unknown_donor_type_or_a_negative_gift_is_refused():
    assert set(field_errors(lambda: receipts.tax_reduction_cents(100, "charity"))) == {"donor"}
    assert set(field_errors(lambda: receipts.tax_reduction_cents(-1))) == {"amount_cents"}


# --- French words --------------------------------------------------------------------

@pytest.mark.parametrize("number, words", [
    (0, "zéro"), (1, "un"), (16, "seize"), (17, "dix-sept"), (21, "vingt et un"),
    (22, "vingt-deux"), (31, "trente et un"), (61, "soixante et un"), (70, "soixante-dix"),
    (71, "soixante et onze"), (72, "soixante-douze"), (79, "soixante-dix-neuf"),
    (80, "quatre-vingts"), (81, "quatre-vingt-un"), (90, "quatre-vingt-dix"),
    (91, "quatre-vingt-onze"), (99, "quatre-vingt-dix-neuf"), (100, "cent"),
    (101, "cent un"), (180, "cent quatre-vingts"), (200, "deux cents"),
    (201, "deux cent un"), (999, "neuf cent quatre-vingt-dix-neuf"), (1_000, "mille"),
    (1_001, "mille un"), (2_000, "deux mille"), (21_000, "vingt et un mille"),
    (80_000, "quatre-vingt mille"), (200_000, "deux cent mille"),
    (1_000_000, "un million"), (1_001_000, "un million mille"),
    (2_000_000, "deux millions"), (80_000_000, "quatre-vingts millions"),
    (200_000_000, "deux cents millions"), (1_000_000_000, "un milliard"),
    (3_200_080_081, "trois milliards deux cents millions quatre-vingt mille quatre-vingt-un"),
])
def test_numbers_in_french_words(number, words):
    assert receipts.number_in_words(number) == words


@pytest.mark.parametrize("cents, words", [
    (0, "zéro euro"),
    (100, "un euro"),
    (1, "un centime"),
    (50, "cinquante centimes"),
    (12_550, "cent vingt-cinq euros et cinquante centimes"),
    (8_000, "quatre-vingts euros"),
    (8_100, "quatre-vingt-un euros"),
    (7_100, "soixante et onze euros"),
    (9_100, "quatre-vingt-onze euros"),
    (2_100, "vingt et un euros"),
    (10_000, "cent euros"),
    (20_000, "deux cents euros"),
    (20_100, "deux cent un euros"),
    (100_000, "mille euros"),
    (200_000, "deux mille euros"),
    (100_100_000, "un million mille euros"),
    (100_000_000, "un million d'euros"),
    (300_000_001, "trois millions d'euros et un centime"),
    (100_099, "mille euros et quatre-vingt-dix-neuf centimes"),
])
def test_amounts_in_french_words(cents, words):
    assert receipts.amount_in_words(cents) == words


@pytest.mark.parametrize("bad", [-1, 10**12, 1.5, True])
def test_words_only_for_whole_numbers_in_range(bad):
    with pytest.raises(ValueError):
        receipts.number_in_words(bad)


def test_amounts_in_figures_the_french_way():
    assert receipts.amount_in_figures(12_550) == "125,50\u00a0euros"
    assert receipts.amount_in_figures(123_456_789) == "1\u00a0234\u00a0567,89\u00a0euros"
    assert receipts.amount_in_figures(5) == "0,05\u00a0euros"


# --- the document --------------------------------------------------------------------

def test_the_document_has_what_a_cerfa_11580_receipt_shows():
    doc = document()
    assert doc["number"] == "2026-000042"
    assert doc["title"] == "Reçu au titre des dons à certains organismes d'intérêt général"
    assert doc["beneficiary"] == {**BENEFICIARY, "siren": "732829320"}
    assert doc["donor"] == {**DONOR, "type": "individual"}
    assert doc["amount_cents"] == 12_550
    assert doc["amount_in_figures"] == "125,50\u00a0euros"
    assert doc["amount_in_words"] == "cent vingt-cinq euros et cinquante centimes"
    assert doc["donated_on"] == "2026-03-01" and doc["issued_on"] == "2026-03-14"
    assert doc["form_label"] == "Déclaration de don manuel"
    assert doc["nature_label"] == "Numéraire"
    assert doc["payment_method_label"] == "Chèque"
    assert doc["cgi_article"] == "200"
    assert doc["reduction_rate_percent"] == 66
    assert doc["tax_reduction_cents"] == 8_283
    assert "article 200 du code général des impôts" in doc["certification"]
    assert "20 % du revenu imposable" in doc["note"]


def test_a_company_gets_the_238_bis_reduction():
    doc = document(donor={**DONOR, "type": "company"}, amount_cents=100_001)
    assert doc["cgi_article"] == "238 bis"
    assert doc["reduction_rate_percent"] == 60
    assert doc["tax_reduction_cents"] == 60_000
    assert "238 bis" in doc["certification"]
    assert "chiffre d'affaires" in doc["note"]


def test_the_document_is_plain_json():
    import json
    doc = document()
    assert json.loads(json.dumps(doc)) == doc


def test_names_and_addresses_are_tidied_and_siren_is_optional():
    doc = document(donor={"name": "  Camille   Durand ", "address": DONOR["address"]},
                   beneficiary={**BENEFICIARY, "siren": None})
    assert doc["donor"]["name"] == "Camille Durand"
    assert doc["beneficiary"]["siren"] is None


def test_every_missing_or_wrong_field_is_named():
    errors = field_errors(lambda: document(
        number="42", beneficiary={"legal_name": "", "siren": "732829321"},
        donor={"name": "Camille", "type": "association"}, amount_cents=0,
        payment_method="bitcoin", form="oral"))
    assert set(errors) == {"number", "beneficiary.legal_name", "beneficiary.address",
                           "beneficiary.purpose", "beneficiary.siren", "donor.address",
                           "donor.type", "amount_cents", "payment_method", "form"}


def test_a_receipt_is_never_issued_unsigned():
    assert set(field_errors(lambda: document(signatory=None))) == {"signatory.name",
                                                                    "signatory.capacity"}
    assert set(field_errors(lambda: document(signatory={"name": "Marie Dupont"}))) == {
        "signatory.capacity"}
    assert document()["signatory"] == SIGNATORY


def test_a_receipt_is_not_issued_before_the_gift():
    errors = field_errors(lambda: document(donated_on=date(2026, 3, 15)))
    assert set(errors) == {"donated_on"}


# --- the PDF -------------------------------------------------------------------------

def test_the_pdf_shows_the_receipt():
    data = render_receipt_pdf(document())
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    for words in ("Reçu au titre des dons à certains organismes d'intérêt général",
                  "2026-000042", "Recyclerie de la Dombes", "732829320",
                  "Châtillon-sur-Chalaronne", "Camille Durand", "Villars-les-Dombes",
                  "125,50 euros", "cent vingt-cinq euros et cinquante centimes",
                  "01/03/2026", "66 %", "82,83 euros", "article 200 du code général des impôts",
                  "Déclaration de don manuel", "Chèque",
                  "Fait le 14/03/2026. Signataire : Marie Dupont, présidente."):
        assert words in text, words
    assert "ANNUL" not in text
    # the typographic apostrophe of the purpose is printed as a plain one
    assert "insertion par l'activité économique" in text


def test_the_pdf_of_a_company_gift_shows_its_article_and_rate():
    text = pdf_text(render_receipt_pdf(document(donor={**DONOR, "type": "company"},
                                                amount_cents=1_001_000_00)))
    for words in ("238 bis", "60 %", "un million mille euros", "1 001 000,00 euros",
                  "600 600,00 euros"):
        assert words in text, words


def test_the_pdf_is_the_same_for_the_same_document_and_fits_one_page_at_full_length():
    long = document(beneficiary={"legal_name": "A" * 200, "address": "rue " * 75,
                                 "purpose": "objet " * 83, "siren": None},
                    donor={"name": "N" * 200, "address": "chemin " * 42, "type": "company"},
                    signatory={"name": "S" * 120, "capacity": "qualité " * 12},
                    amount_cents=97_797_797_797, payment_method="online")
    assert render_receipt_pdf(long) == render_receipt_pdf(long)
    pdf_text(render_receipt_pdf(long))  # one page
    cancelled = receipts.cancellation("campaign_failed", datetime(2026, 4, 2,
                                                                  tzinfo=timezone.utc))
    pdf_text(render_receipt_pdf(long, cancelled))  # one page, cancelled too


def test_text_beyond_latin1_is_rewritten_for_the_builtin_fonts():
    assert latin1("l’œuvre “Dombes” – 5 €") == "l'oeuvre \"Dombes\" - 5 euros"
    assert latin1("Ω") == "?"


def test_a_cancelled_receipt_says_annule_with_its_day_and_reason_and_keeps_its_number():
    issued = document()
    cancelled = receipts.cancellation("refunded", datetime(2026, 3, 31, 22, 15,
                                                           tzinfo=timezone.utc))
    assert cancelled == {"cancelled_on": "2026-04-01", "reason": "refunded",
                         "reason_label": "don remboursé"}
    text = pdf_text(render_receipt_pdf(issued, cancelled))
    assert "Reçu ANNULÉ le 01/04/2026 (don remboursé)" in text
    assert "2026-000042 - ANNULÉ" in text  # the footer, on the number
    assert "Camille Durand" in text  # the same receipt, not another
    assert render_receipt_pdf(issued, cancelled) != render_receipt_pdf(issued)
    failed = receipts.cancellation("campaign_failed", datetime(2026, 4, 2, tzinfo=timezone.utc))
    assert "objectif" in failed["reason_label"]
    assert receipts.cancellation(None, datetime(2026, 4, 2, tzinfo=timezone.utc))["reason"] \
        == "refunded"


def test_a_receipt_issued_before_signatories_still_prints():
    legacy = document()
    del legacy["signatory"]
    assert "Fait le 14/03/2026" in pdf_text(render_receipt_pdf(legacy))


# --- days in France --------------------------------------------------------------------

@pytest.mark.parametrize(("instant", "day"), [
    (datetime(2026, 6, 30, 22, 30, tzinfo=timezone.utc), date(2026, 7, 1)),  # CEST, +2
    (datetime(2026, 6, 30, 21, 59, tzinfo=timezone.utc), date(2026, 6, 30)),
    (datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), date(2027, 1, 1)),  # CET, +1
    (datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc), date(2026, 12, 31)),
])
def test_a_receipt_dates_the_day_in_paris_not_in_utc(instant, day):
    assert receipts.receipt_day(instant) == day


def test_a_naive_instant_has_no_day_in_paris():
    with pytest.raises(ValueError):
        receipts.receipt_day(datetime(2026, 6, 30, 22, 30))


# --- the donor's legal identity, the beneficiary's signatory --------------------------

ADDRESS = {"street": "1 rue du Lavoir", "postal_code": "01600", "commune": "Trévoux"}


def test_an_individual_donor_gives_a_legal_name_and_a_postal_address():
    donor = receipts.receipt_donor({"first_name": " Camille ", "last_name": "Martin",
                                    **ADDRESS})
    assert donor == {"donor_type": "individual", "first_name": "Camille",
                     "last_name": "Martin", **ADDRESS, "country": "France"}
    assert receipts.donor_legal_name(donor) == "Camille Martin"
    assert receipts.donor_postal_address(donor) == "1 rue du Lavoir, 01600 Trévoux"


def test_a_company_gives_its_name_and_its_address_abroad_names_the_country():
    donor = receipts.receipt_donor({"donor_type": "company", "company_name": "Boulangerie SAS",
                                    "siren": "732 829 320", "street": "5 Grand-Rue",
                                    "postal_code": "1204", "commune": "Genève",
                                    "country": "Suisse"})
    assert receipts.donor_legal_name(donor) == "Boulangerie SAS"
    assert donor["siren"] == "732829320"
    assert receipts.donor_postal_address(donor) == "5 Grand-Rue, 1204 Genève, Suisse"


def test_every_missing_part_of_the_legal_identity_is_named():
    assert set(field_errors(lambda: receipts.receipt_donor({}))) == {
        "first_name", "last_name", "street", "postal_code", "commune"}
    assert set(field_errors(lambda: receipts.receipt_donor(
        {"donor_type": "company", "first_name": "Camille", **ADDRESS}))) == {"company_name"}
    assert set(field_errors(lambda: receipts.receipt_donor(
        {"first_name": "Camille", "last_name": "Martin", **ADDRESS,
         "postal_code": "1600"}))) == {"postal_code"}
    assert set(field_errors(lambda: receipts.receipt_donor(
        {"donor_type": "company", "company_name": "X SAS", "siren": "732829321",
         **ADDRESS}))) == {"siren"}


def test_an_organisation_that_issues_receipts_names_its_signatory():
    eligible = {"receipt_eligible": True}
    assert set(receipts.beneficiary_errors(eligible)) == {"signatory_name",
                                                          "signatory_capacity"}
    assert receipts.beneficiary_errors({**eligible, "signatory_name": "Marie Dupont",
                                        "signatory_capacity": "présidente"}) == {}
    assert receipts.beneficiary_errors({"receipt_eligible": False}) == {}
