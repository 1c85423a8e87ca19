"""The EU 2020/1503 protections of investors in loan and shares campaigns, alone."""
from datetime import datetime, timedelta, timezone

import pytest

from services.funding.domain import investors
from shared.errors import DomainError

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
EUR = 100  # cents

ALL_RIGHT = {item["id"]: item["correct"] for item in investors.KNOWLEDGE_TEST}


def field_errors(call):
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.kind == "invalid"
    assert raised.value.code == "validation_failed"
    return raised.value.details["fields"]


def conflict_of(call):
    with pytest.raises(DomainError) as raised:
        call()
    assert raised.value.kind == "conflict"
    return raised.value


def a_wrong_option(question_id):
    item = next(item for item in investors.KNOWLEDGE_TEST if item["id"] == question_id)
    return next(option["id"] for option in item["options"] if option["id"] != item["correct"])


# --- the knowledge test --------------------------------------------------------------

def test_the_test_covers_the_risks_the_brief_lists_in_french():
    assert len(investors.KNOWLEDGE_TEST) == 6
    ids = [item["id"] for item in investors.KNOWLEDGE_TEST]
    assert len(set(ids)) == 6
    assert ids == ["loss", "guarantee", "liquidity", "diversification", "instruments",
                   "platform"]
    for item in investors.KNOWLEDGE_TEST:
        options = [option["id"] for option in item["options"]]
        assert 3 <= len(options) <= 4 and len(set(options)) == len(options)
        assert item["correct"] in options
        assert item["question"].endswith("?")
    # the right answer is not always in the same place
    assert len({item["correct"] for item in investors.KNOWLEDGE_TEST}) > 2


def test_the_questions_never_carry_the_answers_and_cannot_change_the_test():
    questions = investors.knowledge_test_questions()
    assert [q["id"] for q in questions] == [item["id"] for item in investors.KNOWLEDGE_TEST]
    assert all(set(q) == {"id", "question", "options"} for q in questions)
    assert "correct" not in repr(questions)
    questions[0]["options"][0]["label"] = "changed"
    assert investors.KNOWLEDGE_TEST[0]["options"][0]["label"] != "changed"


def test_all_right_passes_with_full_marks():
    assert investors.grade_knowledge_test(ALL_RIGHT) == {
        "passed": True, "score": 6, "out_of": 6, "wrong": []}


def test_one_mistake_still_passes_and_is_named():
    answers = {**ALL_RIGHT, "liquidity": a_wrong_option("liquidity")}
    assert investors.grade_knowledge_test(answers) == {
        "passed": True, "score": 5, "out_of": 6, "wrong": ["liquidity"]}


def test_two_mistakes_fail_listed_in_test_order():
    answers = {**ALL_RIGHT, "platform": a_wrong_option("platform"),
               "loss": a_wrong_option("loss")}
    assert investors.grade_knowledge_test(answers) == {
        "passed": False, "score": 4, "out_of": 6, "wrong": ["loss", "platform"]}


def test_missing_unknown_and_impossible_answers_are_each_named():
    answers = {**ALL_RIGHT, "bitcoin": "a", "guarantee": "z"}
    del answers["platform"]
    errors = field_errors(lambda: investors.grade_knowledge_test(answers))
    assert set(errors) == {"answers.bitcoin", "answers.guarantee", "answers.platform"}
    assert "no question 'bitcoin'" in errors["answers.bitcoin"][0]
    assert "not an option" in errors["answers.guarantee"][0]
    assert errors["answers.platform"] == ["This question has no answer."]


def test_answers_must_be_an_object():
    assert "answers" in field_errors(lambda: investors.grade_knowledge_test(["c", "b"]))


def test_a_pass_lasts_730_days():
    assert investors.KNOWLEDGE_TEST_VALIDITY == timedelta(days=730)
    passed = NOW - timedelta(days=729, hours=23)
    assert investors.knowledge_test_valid(passed, NOW)
    assert not investors.knowledge_test_valid(NOW - timedelta(days=730), NOW)
    assert not investors.knowledge_test_valid(NOW - timedelta(days=800), NOW)
    assert not investors.knowledge_test_valid(None, NOW)


HOUR = timedelta(hours=1)


def test_three_failures_within_24_hours_refuse_the_test_until_the_oldest_leaves_the_window():
    failures = [NOW - 23 * HOUR, NOW - 2 * HOUR]
    assert investors.knowledge_test_attempts_left(failures, NOW) == 1
    investors.check_knowledge_test_allowed(failures, NOW)  # a third attempt is allowed
    failures = investors.failures_after(failures, {"passed": False}, NOW)
    assert investors.knowledge_test_attempts_left(failures, NOW) == 0
    with pytest.raises(DomainError) as raised:
        investors.check_knowledge_test_allowed(failures, NOW)
    error = raised.value
    assert (error.kind, error.code) == ("too_many_requests", "knowledge_test_attempts_exhausted")
    # The oldest failure leaves the window an hour later: then one attempt is back.
    assert error.details == {"retry_after": 3600, "retry_at": (NOW + HOUR).isoformat()}
    assert investors.knowledge_test_retry_at(failures, NOW + HOUR - timedelta(seconds=1)) \
        == NOW + HOUR
    assert investors.knowledge_test_retry_at(failures, NOW + HOUR) is None
    assert investors.knowledge_test_attempts_left(failures, NOW + HOUR) == 1
    investors.check_knowledge_test_allowed(failures, NOW + HOUR)


def test_failures_older_than_the_window_are_forgotten_and_a_pass_clears_them():
    old = [NOW - 25 * HOUR, NOW - 24 * HOUR, NOW - 30 * HOUR]
    assert investors.knowledge_test_attempts_left(old, NOW) == 3
    assert investors.knowledge_test_retry_at(old, NOW) is None
    assert investors.failures_after(old, {"passed": False}, NOW) == [NOW]
    assert investors.failures_after([NOW - HOUR, NOW - 2 * HOUR], {"passed": True}, NOW) == []
    assert investors.failures_after([], {"passed": False}, NOW) == [NOW]


def test_a_failure_recorded_after_now_still_counts():
    """Concurrent attempts read the clock before the profile's lock: the one graded last
    may find failures recorded a moment after its own `now`."""
    just_after = [NOW + timedelta(milliseconds=5), NOW + timedelta(milliseconds=9)]
    assert investors.knowledge_test_attempts_left(just_after, NOW) == 1
    failures = investors.failures_after(just_after, {"passed": False}, NOW)
    assert investors.knowledge_test_retry_at(failures, NOW) == NOW + timedelta(hours=24)


# --- loss capacity and the large investment threshold --------------------------------

def test_loss_capacity_is_ten_percent_rounded_down_to_the_cent():
    assert investors.loss_capacity_cents(10_000 * EUR) == 1_000 * EUR
    assert investors.loss_capacity_cents(12_345) == 1_234
    assert investors.loss_capacity_cents(0) == 0


@pytest.mark.parametrize("worth", [-1, 100_000_000_001, 12.5, "1000", True, None])
def test_a_negative_absurd_or_non_integer_net_worth_is_refused(worth):
    assert "net_worth_cents" in field_errors(lambda: investors.loss_capacity_cents(worth))
    assert "net_worth_cents" in field_errors(
        lambda: investors.large_investment_threshold_cents(worth))


def test_threshold_is_the_higher_of_1000_euros_and_5_percent():
    assert investors.large_investment_threshold_cents(10_000 * EUR) == 1_000 * EUR
    assert investors.large_investment_threshold_cents(100_000 * EUR) == 5_000 * EUR
    assert investors.large_investment_threshold_cents(0) == 1_000 * EUR
    assert investors.large_investment_threshold_cents(20_000 * EUR) == 1_000 * EUR
    assert investors.large_investment_threshold_cents(20_000 * EUR + 20) == 1_000 * EUR + 1


def test_consent_is_needed_only_strictly_above_the_threshold():
    assert not investors.needs_explicit_consent(1_000 * EUR, 10_000 * EUR)
    assert investors.needs_explicit_consent(1_000 * EUR + 1, 10_000 * EUR)
    assert not investors.needs_explicit_consent(5_000 * EUR, 100_000 * EUR)
    assert investors.needs_explicit_consent(5_000 * EUR + 1, 100_000 * EUR)


def test_simulation_on_a_declared_net_worth():
    result = investors.simulate_loss(100_000 * EUR)
    assert result["basis"] == "declared"
    assert result["net_worth_cents"] == 100_000 * EUR
    assert result["loss_capacity_cents"] == 10_000 * EUR
    assert result["large_investment_threshold_cents"] == 5_000 * EUR
    assert "10\u00a0000\u00a0€" in result["outcome_fr"]
    assert "5\u00a0000\u00a0€" in result["outcome_fr"]


def test_simulation_by_income_liquid_assets_and_commitments():
    result = investors.simulate_loss(None, annual_income_cents=30_000 * EUR,
                                     liquid_assets_cents=25_000 * EUR,
                                     financial_commitments_cents=15_000 * EUR)
    assert result["basis"] == "income_assets_commitments"
    assert result["net_worth_cents"] == 40_000 * EUR
    assert result["loss_capacity_cents"] == 4_000 * EUR
    assert result["large_investment_threshold_cents"] == 2_000 * EUR


def test_the_formula_wins_over_a_declared_figure_and_never_goes_below_zero():
    result = investors.simulate_loss(1_000_000 * EUR, annual_income_cents=10_000 * EUR,
                                     liquid_assets_cents=0,
                                     financial_commitments_cents=12_000 * EUR)
    assert result["net_worth_cents"] == 0
    assert result["loss_capacity_cents"] == 0
    assert result["large_investment_threshold_cents"] == 1_000 * EUR


def test_the_formula_needs_all_three_figures():
    errors = field_errors(lambda: investors.simulate_loss(
        50_000 * EUR, annual_income_cents=30_000 * EUR))
    assert set(errors) == {"liquid_assets_cents", "financial_commitments_cents"}


def test_a_simulation_needs_some_figure_and_refuses_a_negative_one():
    assert "net_worth_cents" in field_errors(lambda: investors.simulate_loss(None))
    assert "net_worth_cents" in field_errors(lambda: investors.simulate_loss(-5))
    errors = field_errors(lambda: investors.simulate_loss(
        None, annual_income_cents=-1, liquid_assets_cents=0, financial_commitments_cents=0))
    assert set(errors) == {"annual_income_cents"}


# --- the risk warning ----------------------------------------------------------------

def test_the_risk_warning_says_what_the_regulation_requires():
    text = investors.RISK_WARNING_FR
    assert text.startswith("Avertissement sur les risques")
    for words in ("ni vérifiée ni approuvée", "totalité de l'argent investi",
                  "garantie des dépôts", "indemnisation des investisseurs",
                  "ne vous rapporte rien", "pas un produit d'épargne",
                  "10 % de votre patrimoine net", "revendre"):
        assert words in text, words


# --- checks before investing ---------------------------------------------------------

def profile(**changes):
    return {"sophisticated": False, "knowledge_test_passed_at": NOW - timedelta(days=30),
            "net_worth_cents": 10_000 * EUR, "loss_simulated_at": NOW - timedelta(days=30),
            **changes}


BASIC = {"risk_warning_accepted": True, "key_information_read": True}
LARGE = {**BASIC, "large_investment_consent": True, "understanding_confirmed": True}


def check(amount=500 * EUR, acknowledgements=BASIC, **changes):
    investors.check_investment(profile=profile(**changes), amount_cents=amount,
                               acknowledgements=acknowledgements, now=NOW)


def test_a_prepared_investor_may_invest_up_to_the_threshold_with_the_basic_acknowledgements():
    check(amount=1_000 * EUR)


def test_without_a_knowledge_test_the_investor_must_take_it():
    error = conflict_of(lambda: check(knowledge_test_passed_at=None))
    assert error.code == "knowledge_test_required"
    assert error.details == {"passed_at": None, "expired": False}


def test_a_test_passed_two_years_ago_must_be_taken_again():
    passed = NOW - timedelta(days=730)
    error = conflict_of(lambda: check(knowledge_test_passed_at=passed))
    assert error.code == "knowledge_test_required"
    assert error.details == {"passed_at": passed.isoformat(), "expired": True}
    check(knowledge_test_passed_at=NOW - timedelta(days=729))


def test_without_a_loss_simulation_the_investor_must_simulate():
    assert conflict_of(lambda: check(loss_simulated_at=None)).code == \
        "loss_simulation_required"
    assert conflict_of(lambda: check(net_worth_cents=None)).code == "loss_simulation_required"


def test_the_test_comes_before_the_simulation():
    error = conflict_of(lambda: check(knowledge_test_passed_at=None, loss_simulated_at=None))
    assert error.code == "knowledge_test_required"


def test_every_missing_acknowledgement_is_named():
    errors = field_errors(lambda: check(acknowledgements={}))
    assert set(errors) == {"acknowledgements.risk_warning_accepted",
                           "acknowledgements.key_information_read"}
    errors = field_errors(lambda: check(acknowledgements={**BASIC,
                                                          "key_information_read": False}))
    assert set(errors) == {"acknowledgements.key_information_read"}


def test_only_true_counts_as_an_acknowledgement():
    errors = field_errors(lambda: check(acknowledgements={"risk_warning_accepted": "yes",
                                                          "key_information_read": 1}))
    assert set(errors) == {"acknowledgements.risk_warning_accepted",
                           "acknowledgements.key_information_read"}


def test_above_the_threshold_consent_and_understanding_are_required():
    errors = field_errors(lambda: check(amount=1_000 * EUR + 1))
    assert set(errors) == {"acknowledgements.large_investment_consent",
                           "acknowledgements.understanding_confirmed"}
    assert "100000 cents" in errors["acknowledgements.large_investment_consent"][0]
    errors = field_errors(lambda: check(amount=1_000 * EUR + 1, acknowledgements={
        **BASIC, "large_investment_consent": True}))
    assert set(errors) == {"acknowledgements.understanding_confirmed"}
    check(amount=1_000 * EUR + 1, acknowledgements=LARGE)


def test_the_threshold_follows_net_worth():
    check(amount=5_000 * EUR, net_worth_cents=100_000 * EUR)
    errors = field_errors(lambda: check(amount=5_000 * EUR + 1,
                                        net_worth_cents=100_000 * EUR))
    assert "acknowledgements.large_investment_consent" in errors


def test_a_sophisticated_investor_skips_test_and_simulation_but_not_the_warning():
    sophisticated = {"sophisticated": True, "knowledge_test_passed_at": None,
                     "net_worth_cents": None, "loss_simulated_at": None}
    investors.check_investment(profile=sophisticated, amount_cents=50_000 * EUR,
                               acknowledgements=BASIC, now=NOW)
    errors = field_errors(lambda: investors.check_investment(
        profile=sophisticated, amount_cents=50_000 * EUR,
        acknowledgements={"key_information_read": True}, now=NOW))
    assert set(errors) == {"acknowledgements.risk_warning_accepted"}


@pytest.mark.parametrize("amount", [0, -100, 12.5, True])
def test_an_investment_is_a_positive_number_of_cents(amount):
    assert set(field_errors(lambda: check(amount=amount))) == {"amount_cents"}


# --- the reflection period -----------------------------------------------------------

OFFERED = datetime(2026, 3, 10, 9, 30, tzinfo=timezone.utc)


def test_reflection_ends_four_days_after_the_offer():
    assert investors.REFLECTION_PERIOD == timedelta(days=4)
    assert investors.reflection_ends_at(OFFERED) == datetime(2026, 3, 14, 9, 30,
                                                             tzinfo=timezone.utc)


def test_withdrawal_is_allowed_on_day_3_and_until_the_last_instant():
    assert investors.can_withdraw(OFFERED, OFFERED)
    assert investors.can_withdraw(OFFERED, OFFERED + timedelta(days=3))
    assert investors.can_withdraw(OFFERED, OFFERED + timedelta(days=4, microseconds=-1))
    investors.check_withdrawal(OFFERED, OFFERED + timedelta(days=3, hours=23))


def test_withdrawal_is_refused_from_the_end_of_day_4():
    assert not investors.can_withdraw(OFFERED, OFFERED + timedelta(days=4))
    assert not investors.can_withdraw(OFFERED, OFFERED + timedelta(days=5))
    for late in (timedelta(days=4), timedelta(days=5)):
        error = conflict_of(lambda late=late: investors.check_withdrawal(OFFERED,
                                                                         OFFERED + late))
        assert error.code == "reflection_period_over"
        assert error.details == {"ends_at": "2026-03-14T09:30:00+00:00"}


# --- the key investment information sheet --------------------------------------------

def sheet(kind="loan", **changes):
    values = {
        "issuer_legal_name": "SCIC Énergies de la Dombes",
        "issuer_legal_form": "SCIC SAS",
        "issuer_siren": "732 829 320",
        "issuer_address": "1 place du Marché, 01400 Châtillon-sur-Chalaronne",
        "project_description": "Des panneaux solaires sur le toit de la salle des fêtes.",
        "main_risks": ["Retard du chantier", "Défaillance de la coopérative"],
        "target_amount_cents": 80_000 * EUR,
        "minimum_target_cents": 50_000 * EUR,
        "deadline": "2027-02-28",
        "investor_fees": "Aucun frais pour l'investisseur.",
        "use_of_funds": "Achat et pose des panneaux.",
    }
    if kind == "loan":
        values.update(annual_interest_rate_bps=450, duration_months=60,
                      repayment_schedule="Mensualités constantes sur 5 ans.")
    else:
        values.update(share_price_cents=50 * EUR,
                      rights_attached="Une voix par associé en assemblée générale.",
                      exit_conditions="Remboursement à la valeur nominale, au plus tard "
                                      "cinq ans après la demande de retrait.")
    values.update(changes)
    return {name: value for name, value in values.items() if value is not None}


def test_complete_sheets_have_no_errors():
    assert investors.key_information_errors("loan", sheet("loan")) == {}
    assert investors.key_information_errors("shares", sheet("shares")) == {}
    assert investors.key_information_errors(
        "loan", sheet(deadline="2027-02-28T18:00:00+01:00")) == {}


def test_each_kind_lists_its_own_fields_and_every_field_has_a_french_label():
    loan, shares = investors.KEY_INFORMATION_FIELDS["loan"], \
        investors.KEY_INFORMATION_FIELDS["shares"]
    assert {"annual_interest_rate_bps", "duration_months", "repayment_schedule"} <= set(loan)
    assert {"share_price_cents", "rights_attached", "exit_conditions"} <= set(shares)
    assert "share_price_cents" not in loan and "duration_months" not in shares
    assert set(loan) | set(shares) == set(investors.KEY_INFORMATION_LABELS_FR)


def test_missing_fields_are_each_named():
    errors = investors.key_information_errors("shares", {})
    assert set(errors) == set(investors.KEY_INFORMATION_FIELDS["shares"])
    assert errors["issuer_siren"] == ["This field is required."]


def test_fields_of_the_other_kind_or_unknown_are_refused():
    errors = investors.key_information_errors("loan", sheet(share_price_cents=100,
                                                            colour="blue"))
    assert set(errors) == {"share_price_cents", "colour"}


def test_wrong_values_are_explained():
    errors = investors.key_information_errors("loan", sheet(
        issuer_siren="732829321", main_risks=[], target_amount_cents="80000",
        deadline="next spring", annual_interest_rate_bps=-1, duration_months=0,
        issuer_legal_name="  ", repayment_schedule=12))
    assert set(errors) == {"issuer_siren", "main_risks", "target_amount_cents", "deadline",
                           "annual_interest_rate_bps", "duration_months",
                           "issuer_legal_name", "repayment_schedule"}
    assert "Luhn" in errors["issuer_siren"][0]


@pytest.mark.parametrize("typed", ["732 829 320", " 732829320 ", "732.829.320",
                                   "732\u00a0829\u00a0320"])
def test_the_issuers_siren_is_kept_as_its_nine_digits_however_typed(typed):
    tidied = investors.tidied_key_information(sheet(issuer_siren=typed))
    assert tidied == {**sheet(), "issuer_siren": "732829320"}


@pytest.mark.parametrize("sent", [
    sheet(issuer_siren="732 829 321"),  # a wrong check digit: refused, not tidied away
    sheet(issuer_siren="123"), sheet(issuer_siren=732829320), sheet(issuer_siren=None),
    None, "a sheet", [],
])
def test_a_sheet_whose_siren_is_no_siren_is_left_for_its_errors_to_name(sent):
    assert investors.tidied_key_information(sent) == sent


def test_the_minimum_target_cannot_exceed_the_amount_sought():
    errors = investors.key_information_errors("shares", sheet(
        "shares", minimum_target_cents=90_000 * EUR))
    assert set(errors) == {"minimum_target_cents"}


def test_only_investment_campaigns_have_a_sheet():
    assert set(investors.key_information_errors("donation", sheet())) == {"kind"}


def test_a_shares_amount_is_a_whole_number_of_shares():
    assert investors.shares_amount_errors(150 * EUR, 50 * EUR) == {}
    errors = investors.shares_amount_errors(120 * EUR, 50 * EUR)
    assert set(errors) == {"amount_cents"}
    assert "10000 or 15000" in errors["amount_cents"][0]
    assert "5000 cents" in investors.shares_amount_errors(20 * EUR, 50 * EUR)["amount_cents"][0]
    assert set(investors.shares_amount_errors(0, 50 * EUR)) == {"amount_cents"}
    with pytest.raises(ValueError):
        investors.shares_amount_errors(100, 0)


def test_the_sheet_offered_carries_the_campaign_s_own_figures():
    typed = {"issuer_legal_name": "Épicerie", "target_amount_cents": 9_999_900,
             "minimum_target_cents": 1, "deadline": "2099-06-30"}
    offered = investors.sheet_as_offered(typed, 2_000_000, True, "2027-01-05T22:59:00+00:00")
    assert offered == {"issuer_legal_name": "Épicerie", "target_amount_cents": 2_000_000,
                       "minimum_target_cents": 2_000_000,
                       "deadline": "2027-01-05T22:59:00+00:00"}
    keep_it_all = investors.sheet_as_offered(typed, 2_000_000, False, "2027-01-05")
    assert keep_it_all["minimum_target_cents"] is None  # nothing to reach: none shown
    assert typed["target_amount_cents"] == 9_999_900  # the carrier's text is kept as typed
