"""The protections Regulation (EU) 2020/1503 (European crowdfunding service providers)
gives investors in loan and shares campaigns. Pure Python: no database, no clock (`now`
is always a parameter), no I/O.

- Art. 21(1)-(3): before a non-sophisticated investor has full access, an entry knowledge
  test, reviewed every two years. Here the investor must have passed it.
- Art. 21(5)-(6), with Commission Delegated Regulation (EU) 2022/2114 (the regulatory
  technical standards on the test and the simulation): a simulation of the ability to
  bear loss, 10 % of the investor's net worth.
- Art. 21(7): an investment above the higher of EUR 1,000 or 5 % of net worth needs a risk
  warning, the investor's explicit consent and proof that the investor understands it.
- Art. 22: a pre-contractual reflection period of 4 calendar days.
- Art. 23 and its Annex, with Delegated Regulation (EU) 2022/2119 (the model of the key
  investment information sheet, KIIS): the sheet, its disclaimer and its risk warning.

Sophisticated investors (Art. 2(1)(j) and Annex II) skip the test and the simulation;
every investor reads the key information sheet and accepts the risk warning.

Amounts are integer cents of EUR. Messages for people using the API are in English; the
texts shown to investors (questions, warning, simulation outcome) are in French.
"""
import math
from datetime import date, datetime, timedelta

from shared.errors import TOO_MANY_REQUESTS, DomainError, conflict, invalid
from shared.identifiers import check_siren

LOAN, SHARES = "loan", "shares"
INVESTMENT_KINDS = (LOAN, SHARES)
# One billion euros, as campaigns.MAX_AMOUNT_CENTS: beyond, a declared figure is a typing
# mistake rather than a fortune.
MAX_DECLARED_CENTS = 100_000_000_000

# --- the entry knowledge test (Art. 21(1)-(3); DR 2022/2114 Art. 1-3) ----------------

KNOWLEDGE_TEST = (
    {
        "id": "loss",
        "question": "Si le projet que vous financez échoue, que pouvez-vous perdre ?",
        "options": (
            {"id": "a", "label": "Rien : la plateforme rembourse les investisseurs."},
            {"id": "b", "label": "Au plus les intérêts ou les dividendes prévus."},
            {"id": "c", "label": "Une partie ou la totalité de la somme investie."},
            {"id": "d", "label": "Au plus 10 % de la somme investie."},
        ),
        "correct": "c",
    },
    {
        "id": "guarantee",
        "question": "Votre investissement est-il couvert par la garantie des dépôts (comme un "
                    "livret bancaire) ou par un système d'indemnisation des investisseurs ?",
        "options": (
            {"id": "a", "label": "Oui, jusqu'à 100 000 euros, comme un compte en banque."},
            {"id": "b", "label": "Non, ni par l'un ni par l'autre."},
            {"id": "c", "label": "Oui, mais seulement si la plateforme fait faillite."},
        ),
        "correct": "b",
    },
    {
        "id": "liquidity",
        "question": "Pouvez-vous récupérer votre argent quand vous le souhaitez, avant "
                    "l'échéance prévue ?",
        "options": (
            {"id": "a", "label": "Non, pas forcément : il n'existe en général aucun marché "
                                 "pour revendre, et il faudra peut-être attendre l'échéance "
                                 "ou trouver soi-même un acheteur."},
            {"id": "b", "label": "Oui, à tout moment, comme sur un compte courant."},
            {"id": "c", "label": "Oui, la plateforme rachète toujours les titres et les "
                                 "prêts au prix payé."},
        ),
        "correct": "a",
    },
    {
        "id": "diversification",
        "question": "Quelle pratique limite le mieux votre risque ?",
        "options": (
            {"id": "a", "label": "Placer toute votre épargne dans un seul projet que vous "
                                 "connaissez bien."},
            {"id": "b", "label": "Réinvestir davantage dans un projet quand il rencontre des "
                                 "difficultés."},
            {"id": "c", "label": "Emprunter pour investir davantage."},
            {"id": "d", "label": "Répartir de petites sommes entre plusieurs projets, sans y "
                                 "consacrer plus d'une petite part de votre patrimoine."},
        ),
        "correct": "d",
    },
    {
        "id": "instruments",
        "question": "Laquelle de ces affirmations sur les prêts et les parts sociales est "
                    "exacte ?",
        "options": (
            {"id": "a", "label": "Un prêt est toujours remboursé à l'échéance, et des parts "
                                 "sociales rapportent toujours un dividende."},
            {"id": "b", "label": "Un emprunteur peut ne pas rembourser ; des parts sociales "
                                 "peuvent ne verser aucun dividende et être difficiles à "
                                 "céder."},
            {"id": "c", "label": "Les parts sociales d'une coopérative se revendent en bourse "
                                 "à tout moment."},
        ),
        "correct": "b",
    },
    {
        "id": "platform",
        "question": "Quel est le rôle de la plateforme Domb'Innov dans un financement ?",
        "options": (
            {"id": "a", "label": "Elle garantit le remboursement et le rendement des "
                                 "projets."},
            {"id": "b", "label": "Elle est votre conseiller financier et choisit les projets "
                                 "à votre place."},
            {"id": "c", "label": "Elle met en relation porteurs de projet et investisseurs et "
                                 "vérifie un minimum d'informations sur les porteurs, sans "
                                 "garantir ni le succès du projet ni le remboursement."},
        ),
        "correct": "c",
    },
)
KNOWLEDGE_TEST_PASS_MARK = 5  # out of 6: one mistake is allowed
# Art. 21(3): the assessment is reviewed every two years. 730 days rather than two
# calendar years: a calendar-year count would need a time zone and a rule for 29 February,
# and 730 days is never longer than two calendar years (731 when a leap day falls in
# them), so a pass is never kept past what the article allows.
KNOWLEDGE_TEST_VALIDITY = timedelta(days=730)


def knowledge_test_questions() -> list[dict]:
    """The test as the investor sees it: questions and options, never the answers."""
    return [{"id": item["id"], "question": item["question"],
             "options": [dict(option) for option in item["options"]]}
            for item in KNOWLEDGE_TEST]


def grade_knowledge_test(answers: dict[str, str]) -> dict:
    """Grade one answer per question: `answers` maps question ids to option ids.

    Every question must be answered with one of its options, and nothing else may be
    sent; otherwise `invalid`, one message per field (`answers.<question id>`)."""
    if not isinstance(answers, dict):
        raise invalid({"answers": ["Send an object mapping each question id to an option "
                                   "id."]})
    errors = {}
    by_id = {item["id"]: item for item in KNOWLEDGE_TEST}
    for question_id in answers:
        if question_id not in by_id:
            errors[f"answers.{question_id}"] = [
                f"There is no question {question_id!r} in the test; the questions are: "
                f"{', '.join(by_id)}."]
    for question_id, item in by_id.items():
        options = [option["id"] for option in item["options"]]
        if question_id not in answers:
            errors[f"answers.{question_id}"] = ["This question has no answer."]
        elif answers[question_id] not in options:
            errors[f"answers.{question_id}"] = [
                f"{answers[question_id]!r} is not an option of this question; its options "
                f"are: {', '.join(options)}."]
    if errors:
        raise invalid(errors, "The knowledge test's answers are incomplete or unknown.")
    wrong = [item["id"] for item in KNOWLEDGE_TEST if answers[item["id"]] != item["correct"]]
    score = len(KNOWLEDGE_TEST) - len(wrong)
    return {"passed": score >= KNOWLEDGE_TEST_PASS_MARK, "score": score,
            "out_of": len(KNOWLEDGE_TEST), "wrong": wrong}


# The test assesses knowledge (Art. 21(1); DR 2022/2114 Art. 2): answering it again and
# again until the right options are found would assess nothing. After this many failed
# attempts within a rolling window, the test is refused until the oldest of them leaves
# the window. Passing clears the count.
KNOWLEDGE_TEST_MAX_FAILURES = 3
KNOWLEDGE_TEST_FAILURE_WINDOW = timedelta(hours=24)


def recent_failures(failures, now) -> list:
    """The failed attempts (instants) that still count at `now`, oldest first. One
    recorded after `now` counts too: a concurrent attempt read the clock before this
    one but recorded its failure first, or another replica's clock is a little ahead."""
    return sorted(at for at in failures if now - KNOWLEDGE_TEST_FAILURE_WINDOW < at)


def knowledge_test_attempts_left(failures, now) -> int:
    return max(0, KNOWLEDGE_TEST_MAX_FAILURES - len(recent_failures(failures, now)))


def knowledge_test_retry_at(failures, now):
    """When the test may be taken again (None: now). The count falls below the limit
    when the failure at position -MAX of the recent ones leaves the window."""
    recent = recent_failures(failures, now)
    if len(recent) < KNOWLEDGE_TEST_MAX_FAILURES:
        return None
    return recent[-KNOWLEDGE_TEST_MAX_FAILURES] + KNOWLEDGE_TEST_FAILURE_WINDOW


def check_knowledge_test_allowed(failures, now) -> None:
    retry_at = knowledge_test_retry_at(failures, now)
    if retry_at is not None:
        raise DomainError(
            TOO_MANY_REQUESTS, "knowledge_test_attempts_exhausted",
            f"The knowledge test was failed {KNOWLEDGE_TEST_MAX_FAILURES} times within "
            f"{KNOWLEDGE_TEST_FAILURE_WINDOW.days * 24} hours; it can be taken again from "
            f"{retry_at.isoformat()}.",
            {"retry_after": math.ceil((retry_at - now).total_seconds()),
             "retry_at": retry_at.isoformat()})


def failures_after(failures, result, now) -> list:
    """The failures to keep once an attempt is graded: those still in the window, plus
    this one if it failed; none once the test is passed."""
    if result["passed"]:
        return []
    return recent_failures(failures, now) + [now]


def knowledge_test_valid(passed_at, now) -> bool:
    """Whether a test passed at `passed_at` (None: never) still counts at `now`."""
    return passed_at is not None and now < passed_at + KNOWLEDGE_TEST_VALIDITY


# --- the simulation of the ability to bear loss (Art. 21(5)-(6); DR 2022/2114 Art. 5-11)

LOSS_CAPACITY_PERCENT = 10
LARGE_INVESTMENT_FLOOR_CENTS = 100_000  # EUR 1,000
LARGE_INVESTMENT_PERCENT = 5


def _declared_cents(value, field: str) -> dict:
    """The errors of one declared amount, by field (empty when it is acceptable)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return {field: ["An amount is a whole number of cents."]}
    if value < 0:
        return {field: ["An amount cannot be negative."]}
    if value > MAX_DECLARED_CENTS:
        return {field: [f"An amount above {MAX_DECLARED_CENTS} cents (one billion euros) is "
                        "surely a typing mistake."]}
    return {}


def loss_capacity_cents(net_worth_cents: int) -> int:
    """Art. 21(5): the ability to bear loss is 10 % of net worth, rounded down to the cent."""
    errors = _declared_cents(net_worth_cents, "net_worth_cents")
    if errors:
        raise invalid(errors)
    return net_worth_cents * LOSS_CAPACITY_PERCENT // 100


def large_investment_threshold_cents(net_worth_cents: int) -> int:
    """Art. 21(7): the higher of EUR 1,000 or 5 % of net worth (rounded down to the cent)."""
    errors = _declared_cents(net_worth_cents, "net_worth_cents")
    if errors:
        raise invalid(errors)
    return max(LARGE_INVESTMENT_FLOOR_CENTS, net_worth_cents * LARGE_INVESTMENT_PERCENT // 100)


def needs_explicit_consent(amount_cents: int, net_worth_cents: int) -> bool:
    """Art. 21(7): whether one investment strictly exceeds the threshold."""
    return amount_cents > large_investment_threshold_cents(net_worth_cents)


def _euros(cents: int) -> str:
    """French figures: 1 234,56 € (no decimals for whole euros)."""
    whole, rest = divmod(cents, 100)
    figures = f"{whole:,}".replace(",", "\u00a0")
    return f"{figures},{rest:02d}\u00a0€" if rest else f"{figures}\u00a0€"


def simulate_loss(net_worth_cents=None, annual_income_cents=None, liquid_assets_cents=None,
                  financial_commitments_cents=None) -> dict:
    """Art. 21(5): the investor's ability to bear loss, and what it means, in French.

    DR 2022/2114 Art. 7 computes net worth as annual net income plus total liquid assets
    minus annual financial commitments (Art. 8-10 say what each counts: income after tax
    and social contributions; cash and assets sellable within 30 days, not real estate,
    pensions or unlisted shares; rent, loans, insurance, taxes and the like for the year).
    Where the investor declares all three, that formula gives the net worth (a negative
    result counts as zero: nothing can be lost without harm); the declared
    `net_worth_cents` is then not needed and, if sent, ignored. Otherwise the net worth
    is the one the investor declares. Declaring some of the three but not all is refused:
    the formula needs each of them.

    Returns `net_worth_cents`, `basis` ("declared" or "income_assets_commitments"),
    `loss_capacity_cents`, `large_investment_threshold_cents` and `outcome_fr`, the
    outcome the investor confirms having received (Art. 21(6)).
    """
    parts = {"annual_income_cents": annual_income_cents,
             "liquid_assets_cents": liquid_assets_cents,
             "financial_commitments_cents": financial_commitments_cents}
    given = {name: value for name, value in parts.items() if value is not None}
    errors = {}
    if given:
        for name, value in parts.items():
            if value is None:
                errors[name] = ["The simulation by income, liquid assets and commitments "
                                "needs all three."]
            else:
                errors.update(_declared_cents(value, name))
        if errors:
            raise invalid(errors)
        worth = max(0, annual_income_cents + liquid_assets_cents - financial_commitments_cents)
        basis = "income_assets_commitments"
    else:
        if net_worth_cents is None:
            raise invalid({"net_worth_cents": [
                "Declare your net worth, or your annual income, liquid assets and annual "
                "financial commitments."]})
        worth, basis = net_worth_cents, "declared"
    capacity = loss_capacity_cents(worth)
    threshold = large_investment_threshold_cents(worth)
    outcome = (
        f"D'après les informations que vous avez déclarées, votre patrimoine net est estimé "
        f"à {_euros(worth)}. Votre capacité à supporter des pertes, fixée par la "
        f"réglementation européenne à 10 % de ce patrimoine net, est de {_euros(capacity)} : "
        f"c'est la somme que vous pourriez perdre sans mettre en danger votre situation "
        f"financière. Vous restez libre d'investir davantage, mais nous vous le "
        f"déconseillons. Pour tout investissement de plus de {_euros(threshold)} dans un "
        f"même projet, nous vous demanderons de confirmer explicitement que vous en "
        f"comprenez les risques.")
    return {"net_worth_cents": worth, "basis": basis, "loss_capacity_cents": capacity,
            "large_investment_threshold_cents": threshold, "outcome_fr": outcome}


# --- the risk warning (Art. 23(6)(b)-(c), reproduced in the KIIS model of DR 2022/2119) -

RISK_WARNING_FR = (
    "Avertissement sur les risques\n"
    "\n"
    "Cette offre de financement participatif n'a été ni vérifiée ni approuvée par les "
    "autorités compétentes ni par l'Autorité européenne des marchés financiers (AEMF). Le "
    "caractère approprié de vos connaissances et de votre expérience n'a pas forcément été "
    "évalué avant que cet investissement vous soit ouvert. En investissant, vous en assumez "
    "pleinement le risque.\n"
    "\n"
    "Investir dans ce projet de financement participatif comporte des risques, dont celui "
    "de perdre une partie ou la totalité de l'argent investi.\n"
    "- Votre investissement n'est pas couvert par les systèmes de garantie des dépôts "
    "(directive 2014/49/UE), ni par les systèmes d'indemnisation des investisseurs "
    "(directive 97/9/CE).\n"
    "- Il se peut que votre investissement ne vous rapporte rien.\n"
    "- Ce n'est pas un produit d'épargne : nous vous conseillons de ne pas investir plus de "
    "10 % de votre patrimoine net dans des projets de financement participatif.\n"
    "- Vous pourriez ne pas pouvoir revendre vos parts ou votre prêt au moment où vous le "
    "souhaitez ; et si vous y parvenez, vous pourriez tout de même subir des pertes."
)


# --- checks before an investment (Art. 21) -------------------------------------------

def check_investment(*, profile: dict, amount_cents: int, acknowledgements: dict,
                     now) -> None:
    """Refuse an investment the regulation's protections do not allow yet.

    `profile`: {"sophisticated", "knowledge_test_passed_at", "net_worth_cents",
    "loss_simulated_at"}; `acknowledgements`: booleans "risk_warning_accepted",
    "key_information_read" and, for a large investment (Art. 21(7)),
    "large_investment_consent" and "understanding_confirmed". Only `True` counts.

    A non-sophisticated investor needs a knowledge test passed less than two years ago
    (`conflict` knowledge_test_required) and a simulation of the ability to bear loss
    (`conflict` loss_simulation_required). Art. 21(4) would let one who failed the test
    invest after a warning; this platform asks for a pass. Every investor accepts the
    risk warning and confirms reading the key information sheet; a non-sophisticated
    investor investing more than the Art. 21(7) threshold also gives explicit consent and
    confirms understanding the investment (`invalid`, by field `acknowledgements.<name>`).
    """
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise invalid({"amount_cents": ["An investment is a positive whole number of cents."]})
    sophisticated = profile.get("sophisticated") is True
    net_worth = profile.get("net_worth_cents")
    if not sophisticated:
        passed_at = profile.get("knowledge_test_passed_at")
        if not knowledge_test_valid(passed_at, now):
            expired = passed_at is not None
            raise conflict(
                "knowledge_test_required",
                "The knowledge test passed more than two years ago must be taken again "
                "before investing." if expired else
                "Pass the knowledge test before investing in a loan or shares campaign.",
                passed_at=passed_at.isoformat() if expired else None, expired=expired)
        if profile.get("loss_simulated_at") is None or net_worth is None:
            raise conflict("loss_simulation_required",
                           "Simulate your ability to bear loss before investing in a loan or "
                           "shares campaign.")
    acknowledged = acknowledgements or {}
    errors = {}
    if acknowledged.get("risk_warning_accepted") is not True:
        errors["acknowledgements.risk_warning_accepted"] = [
            "Accept the risk warning before investing."]
    if acknowledged.get("key_information_read") is not True:
        errors["acknowledgements.key_information_read"] = [
            "Confirm that you have read the key investment information sheet."]
    if not sophisticated and needs_explicit_consent(amount_cents, net_worth):
        threshold = large_investment_threshold_cents(net_worth)
        why = (f"This investment exceeds {threshold} cents, the higher of EUR 1,000 and 5 % "
               "of your net worth")
        if acknowledged.get("large_investment_consent") is not True:
            errors["acknowledgements.large_investment_consent"] = [
                f"{why}: give your explicit consent to it."]
        if acknowledged.get("understanding_confirmed") is not True:
            errors["acknowledgements.understanding_confirmed"] = [
                f"{why}: confirm that you understand the investment and its risks."]
    if errors:
        raise invalid(errors, "Some acknowledgements an investment needs are missing.")


# --- the reflection period (Art. 22) -------------------------------------------------

# Art. 22(2)-(3): for 4 calendar days from the moment a non-sophisticated investor makes an
# offer to invest, the investor may revoke it without giving a reason or paying a penalty.
# Counted as 4 x 24 hours from the offer. Sophisticated investors have no such period:
# the caller applies these to non-sophisticated investors only.
REFLECTION_PERIOD = timedelta(days=4)


def reflection_ends_at(offered_at):
    """The first instant at which an offer made at `offered_at` can no longer be revoked."""
    return offered_at + REFLECTION_PERIOD


def can_withdraw(offered_at, now) -> bool:
    """Art. 22: true strictly before `offered_at` + 4 days."""
    return now < reflection_ends_at(offered_at)


def check_withdrawal(offered_at, now) -> None:
    if not can_withdraw(offered_at, now):
        ends_at = reflection_ends_at(offered_at)
        raise conflict("reflection_period_over",
                       "The 4-day reflection period of this offer is over: it can no longer "
                       "be withdrawn.", ends_at=ends_at.isoformat())


# --- the key investment information sheet (Art. 23, Annex I; DR 2022/2119) ----------

COMMON_FIELDS = ("issuer_legal_name", "issuer_legal_form", "issuer_siren", "issuer_address",
                 "project_description", "main_risks", "target_amount_cents",
                 "minimum_target_cents", "deadline", "investor_fees", "use_of_funds")
LOAN_FIELDS = ("annual_interest_rate_bps", "duration_months", "repayment_schedule")
SHARES_FIELDS = ("share_price_cents", "rights_attached", "exit_conditions")
# The fields each kind's sheet has, all required; a sheet holds plain JSON values (the
# deadline as an ISO 8601 date or date-time).
KEY_INFORMATION_FIELDS = {LOAN: COMMON_FIELDS + LOAN_FIELDS,
                          SHARES: COMMON_FIELDS + SHARES_FIELDS}
# How the campaign page titles each field.
KEY_INFORMATION_LABELS_FR = {
    "issuer_legal_name": "Dénomination du porteur de projet",
    "issuer_legal_form": "Forme juridique",
    "issuer_siren": "Numéro SIREN",
    "issuer_address": "Adresse du siège",
    "project_description": "Description du projet",
    "main_risks": "Principaux risques",
    "target_amount_cents": "Montant recherché",
    "minimum_target_cents": "Montant minimum à atteindre",
    "deadline": "Date de clôture de l'offre",
    "investor_fees": "Frais à la charge de l'investisseur",
    "use_of_funds": "Utilisation des fonds",
    "annual_interest_rate_bps": "Taux d'intérêt annuel",
    "duration_months": "Durée du prêt (en mois)",
    "repayment_schedule": "Modalités de remboursement",
    "share_price_cents": "Prix d'une part",
    "rights_attached": "Droits attachés aux parts",
    "exit_conditions": "Conditions de cession ou de retrait (remboursement des parts)",
}
def sheet_as_offered(sheet: dict, goal_cents: int, all_or_nothing: bool,
                     deadline: str) -> dict:
    """The key information sheet an investor reads: its figures that the campaign itself
    holds (the amount sought, the minimum, the closing date) are the campaign's, so the
    sheet never says other figures than the campaign's card. A keep-it-all campaign has
    no minimum to reach."""
    return {**sheet, "target_amount_cents": goal_cents, "deadline": deadline,
            "minimum_target_cents": goal_cents if all_or_nothing else None}


# The most characters each text of the sheet holds (the carrier's form says them too).
TEXT_LIMITS = {"issuer_legal_name": 200, "issuer_legal_form": 100, "issuer_address": 300,
               "project_description": 5000, "investor_fees": 1000, "use_of_funds": 2000,
               "repayment_schedule": 2000, "rights_attached": 2000, "exit_conditions": 2000}
MAX_RISKS, MAX_RISK_LENGTH = 10, 1000
MAX_INTEREST_RATE_BPS = 10_000  # 100 % a year
MAX_LOAN_MONTHS = 360


def _text_errors(value, limit) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return ["Write this as text; it cannot be empty."]
    if len(value) > limit:
        return [f"At most {limit} characters."]
    return []


def _whole_errors(value, low, high, unit="") -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int):
        return ["A whole number is expected."]
    if not low <= value <= high:
        return [f"Between {low} and {high}{unit}."]
    return []


def _deadline_errors(value) -> list[str]:
    if isinstance(value, date):  # datetime is a date too
        return []
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
            return []
        except ValueError:
            pass
    return ["An ISO 8601 date or date-time is expected, such as 2026-06-30."]


def key_information_errors(kind: str, sheet: dict) -> dict[str, list[str]]:
    """The missing or wrong fields of a loan or shares campaign's key information sheet,
    by field name (empty when the sheet is complete); for `invalid`."""
    if kind not in KEY_INFORMATION_FIELDS:
        return {"kind": [f"Only {' and '.join(INVESTMENT_KINDS)} campaigns have a key "
                         "information sheet."]}
    if not isinstance(sheet, dict):
        return {"key_information": ["The sheet is an object of fields."]}
    fields = KEY_INFORMATION_FIELDS[kind]
    errors = {name: [f"This field is not part of a {kind} campaign's sheet."]
              for name in sheet if name not in fields}
    for name in fields:
        value = sheet.get(name)
        if value is None:
            errors[name] = ["This field is required."]
            continue
        if name in TEXT_LIMITS:
            problems = _text_errors(value, TEXT_LIMITS[name])
        elif name == "issuer_siren":
            problems = _text_errors(value, 20)
            if not problems:
                try:
                    check_siren(value, field=name)
                except DomainError as error:
                    problems = error.details["fields"][name]
        elif name == "main_risks":
            problems = _risks_errors(value)
        elif name in ("target_amount_cents", "minimum_target_cents", "share_price_cents"):
            problems = _whole_errors(value, 1, MAX_DECLARED_CENTS, " cents")
        elif name == "annual_interest_rate_bps":
            problems = _whole_errors(value, 0, MAX_INTEREST_RATE_BPS,
                                     " basis points (hundredths of a percent)")
        elif name == "duration_months":
            problems = _whole_errors(value, 1, MAX_LOAN_MONTHS, " months")
        else:  # deadline
            problems = _deadline_errors(value)
        if problems:
            errors[name] = problems
    minimum, target = sheet.get("minimum_target_cents"), sheet.get("target_amount_cents")
    if ("minimum_target_cents" not in errors and "target_amount_cents" not in errors
            and minimum > target):
        errors["minimum_target_cents"] = ["The minimum target cannot exceed the amount "
                                          "sought."]
    return errors


def tidied_key_information(sheet):
    """The sheet as it is kept: the issuer's SIREN as its 9 digits, however it was typed
    ("732 829 320"), so that every reader finds it in one form. Anything else, and a
    SIREN that is not one, is left as sent, for key_information_errors to refuse."""
    if not isinstance(sheet, dict) or not isinstance(sheet.get("issuer_siren"), str):
        return sheet
    try:
        return {**sheet, "issuer_siren": check_siren(sheet["issuer_siren"])}
    except DomainError:
        return sheet


def _risks_errors(value) -> list[str]:
    if not isinstance(value, list) or not value:
        return ["List the main risks: at least one."]
    if len(value) > MAX_RISKS:
        return [f"At most {MAX_RISKS} main risks."]
    for risk in value:
        if not isinstance(risk, str) or not risk.strip() or len(risk) > MAX_RISK_LENGTH:
            return [f"Each risk is a text of 1 to {MAX_RISK_LENGTH} characters."]
    return []


def shares_amount_errors(amount_cents: int, share_price_cents: int) -> dict[str, list[str]]:
    """A shares investment buys whole shares: the amount must be a positive multiple of
    the price of one share. Errors by field (empty when the amount is right)."""
    if isinstance(share_price_cents, bool) or not isinstance(share_price_cents, int) \
            or share_price_cents <= 0:
        raise ValueError(f"a share costs a positive number of cents, not {share_price_cents!r}")
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        return {"amount_cents": ["An investment is a positive whole number of cents."]}
    if amount_cents % share_price_cents:
        below = amount_cents - amount_cents % share_price_cents
        above = below + share_price_cents
        closest = f"{below} or {above}" if below else f"{above}"
        return {"amount_cents": [
            f"Shares cost {share_price_cents} cents each: the amount must be a whole number "
            f"of shares, such as {closest} cents."]}
    return {}


def check_email_verified(email_verified: bool) -> None:
    """An investor is reached at a confirmed address (the reflection period, the key
    information, the mails the regulation asks for): a loan or shares need one."""
    if email_verified is not True:
        raise conflict("email_not_verified",
                       "Confirm your e-mail address (the link mailed at sign-up) before "
                       "investing in a loan or shares campaign.")
