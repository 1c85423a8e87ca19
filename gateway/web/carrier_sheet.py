"""The key investment information sheet of a carrier's loan or shares campaign, as its
form at /mon-organisation/campagnes asks for it: each field the sheet has
(services.funding.domain.investors.KEY_INFORMATION_FIELDS), with a French label and what
it means. The service checks the sheet with the same rules as the API's
(`investors.key_information_errors`); the page only reads French figures (a rate in
percent, a price in euros) and says the service's refusals next to each field.

The figures the campaign itself holds (the amount sought, the minimum, the closing date)
are not asked twice: the sheet takes the campaign's goal and deadline, as the sheet an
investor reads does (`investors.sheet_as_offered`). Pure functions: no request."""
import re
from dataclasses import dataclass
from decimal import Decimal

from gateway.web import forms
from services.funding.domain.investors import (
    INVESTMENT_KINDS,
    KEY_INFORMATION_FIELDS,
    LOAN,
    MAX_LOAN_MONTHS,
    MAX_RISK_LENGTH,
    MAX_RISKS,
    SHARES,
    TEXT_LIMITS,
)

TEXT, LONG_TEXT, LINES, PERCENT, EUROS, MONTHS = ("text", "long_text", "lines", "percent",
                                                 "euros", "months")


@dataclass(frozen=True)
class SheetField:
    typed: str  # the form's field name
    name: str  # the sheet's field name
    kind: str | None  # LOAN, SHARES, or None: both
    widget: str
    label: str
    hint: str


FIELDS = (
    SheetField("fiche-denomination", "issuer_legal_name", None, TEXT,
               "Dénomination du porteur de projet",
               "Le nom officiel de la structure qui emprunte ou émet les parts, tel "
               "qu'inscrit au répertoire Sirene."),
    SheetField("fiche-forme", "issuer_legal_form", None, TEXT, "Forme juridique",
               "Par exemple : SCIC SAS à capital variable, SCOP SARL, SAS."),
    SheetField("fiche-siren", "issuer_siren", None, TEXT, "Numéro SIREN",
               "Les 9 chiffres qui identifient la structure (le début de son SIRET)."),
    SheetField("fiche-adresse", "issuer_address", None, TEXT, "Adresse du siège",
               "L'adresse du siège social, avec le code postal et la commune."),
    SheetField("fiche-description", "project_description", None, LONG_TEXT,
               "Description du projet",
               "Ce que financent les investisseurs, en quelques phrases : l'activité, où en "
               "est le projet, ce qui est prévu."),
    SheetField("fiche-risques", "main_risks", None, LINES, "Principaux risques",
               f"Un risque par ligne, {MAX_RISKS} au plus. Par exemple : perte de tout ou "
               "partie de la somme investie ; retard ou défaut de remboursement ; "
               "difficulté à revendre ou à se faire rembourser."),
    SheetField("fiche-frais", "investor_fees", None, LONG_TEXT,
               "Frais à la charge de l'investisseur",
               "Ce que l'investisseur paie en plus de la somme investie (frais de dossier, "
               "de tenue de compte…). Écrivez « Aucun frais » s'il n'y en a pas."),
    SheetField("fiche-fonds", "use_of_funds", None, LONG_TEXT, "Utilisation des fonds",
               "À quoi servira l'argent collecté : achats, travaux, embauches…"),
    SheetField("fiche-taux", "annual_interest_rate_bps", LOAN, PERCENT,
               "Taux d'intérêt annuel (en %)",
               "Ce que le prêt rapporte chaque année au prêteur, avant impôts, en "
               "pourcentage de la somme prêtée : par exemple 3 ou 2,5 ; 0 pour un prêt "
               "sans intérêt."),
    SheetField("fiche-duree", "duration_months", LOAN, MONTHS, "Durée du prêt (en mois)",
               "Du versement du prêt à son dernier remboursement : par exemple 60 pour "
               f"cinq ans ({MAX_LOAN_MONTHS} au plus)."),
    SheetField("fiche-remboursement", "repayment_schedule", LOAN, LONG_TEXT,
               "Modalités de remboursement",
               "Quand et comment le capital et les intérêts sont remboursés : mensualités "
               "constantes, différé d'un an, tout à l'échéance…"),
    SheetField("fiche-prix-part", "share_price_cents", SHARES, EUROS,
               "Valeur nominale d'une part (en euros)",
               "Le prix d'une part sociale. Chaque souscription achète un nombre entier de "
               "parts : avec des parts à 50 €, on souscrit 50, 100, 150 €…"),
    SheetField("fiche-droits", "rights_attached", SHARES, LONG_TEXT,
               "Droits attachés aux parts",
               "Ce que donne une part : une voix en assemblée générale (une par sociétaire "
               "dans une coopérative, quel que soit le nombre de parts), une rémunération "
               "éventuelle des parts, plafonnée par la loi…"),
    SheetField("fiche-sortie", "exit_conditions", SHARES, LONG_TEXT,
               "Conditions de cession ou de retrait",
               "Quand et à quelle valeur un sociétaire récupère son argent : remboursement "
               "à la valeur nominale au plus, délai, accord du conseil…"),
)
TYPED_NAMES = tuple(field.typed for field in FIELDS)
# The form's parts of the sheet: what both kinds ask, then each kind's own.
GROUPS = {group: tuple(field for field in FIELDS if field.kind == kind)
          for group, kind in (("common", None), (LOAN, LOAN), (SHARES, SHARES))}
# The sheet's figures the campaign holds, and the campaign's field (the form's) they are.
FROM_THE_CAMPAIGN = {"target_amount_cents": "objectif", "minimum_target_cents": "objectif",
                     "deadline": "date_limite"}

_MESSAGES_BY_WIDGET = {
    LINES: f"Indiquez au moins un risque, un par ligne ({MAX_RISKS} au plus, de "
           f"{MAX_RISK_LENGTH} caractères chacun au plus).",
    PERCENT: "Indiquez un taux entre 0 et 100 %, par exemple 3 ou 2,5.",
    EUROS: "Indiquez la valeur d'une part en euros, par exemple 50.",
    MONTHS: f"Indiquez une durée en mois : un nombre entier de 1 à {MAX_LOAN_MONTHS}.",
}
# What the page says when the service refuses a field of the sheet, by the form's name.
MESSAGES = {field.typed: _MESSAGES_BY_WIDGET.get(field.widget) or (
    f"Remplissez ce champ, en {TEXT_LIMITS[field.name]:,} caractères au plus."
    .replace(",", "\u202f")
    if field.name in TEXT_LIMITS else
    "Ce SIREN n'est pas valide : indiquez les 9 chiffres du SIREN de la structure, tels "
    "que les donne son avis de situation Sirene (le dernier chiffre est une clé de "
    "contrôle des huit autres).")
    for field in FIELDS}
ALIASES = {**{f"key_information.{field.name}": field.typed for field in FIELDS},
           **{f"key_information.{name}": typed for name, typed in FROM_THE_CAMPAIGN.items()}}
_PERCENT = re.compile(r"^\d+(?:[.,]\d{1,2})?$")


def fields_of(kind: str) -> tuple:
    """The sheet's fields a campaign of this kind asks for (none but for loans and
    shares)."""
    if kind not in INVESTMENT_KINDS:
        return ()
    return tuple(field for field in FIELDS if field.name in KEY_INFORMATION_FIELDS[kind])


def percent_to_bps(typed: str) -> int:
    """'2,5' or '3 %' as basis points (250, 300); a ValueError in French otherwise."""
    digits = re.sub(r"[\s%]", "", typed or "")
    if not _PERCENT.match(digits):
        raise ValueError(_MESSAGES_BY_WIDGET[PERCENT])
    return int(Decimal(digits.replace(",", ".")) * 100)


def bps_to_typed(bps: int) -> str:
    """Basis points as one would type the rate back: '3' or '2,5'."""
    whole, part = divmod(bps, 100)
    return f"{whole},{part:02d}".rstrip("0") if part else str(whole)


def sheet_of(form, kind: str, goal_cents, deadline_day: str) -> tuple[dict | None, dict]:
    """The sheet the form holds for a campaign of this kind (None for a gift or rewards),
    with the campaign's goal and closing day, and the French errors of what the page
    cannot read (the service checks the rest)."""
    if kind not in INVESTMENT_KINDS:
        return None, {}
    sheet, errors = {"target_amount_cents": goal_cents, "minimum_target_cents": goal_cents,
                     "deadline": deadline_day}, {}
    for field in fields_of(kind):
        typed = forms.text(form, field.typed)
        try:
            sheet[field.name] = _read(field.widget, typed, form.get(field.typed, ""))
        except ValueError as exc:
            errors[field.typed] = str(exc)
    return sheet, errors


def _read(widget: str, typed: str, raw: str):
    if widget == LINES:
        return [line.strip() for line in raw.splitlines() if line.strip()] or None
    if not typed:
        return None  # the service says it is required
    if widget == PERCENT:
        return percent_to_bps(typed)
    if widget == EUROS:
        try:
            return forms.euros_to_cents(typed)
        except ValueError:
            raise ValueError(_MESSAGES_BY_WIDGET[EUROS]) from None
    if widget == MONTHS:
        return forms.integer(typed)  # a word stays a word: the service refuses it
    return typed


def typed_from(kind: str, sheet: dict | None) -> dict:
    """The form's sheet fields filled with a campaign's sheet as it is."""
    typed = {}
    for field in fields_of(kind):
        value = (sheet or {}).get(field.name)
        if value is None:
            continue
        if field.widget == LINES:
            value = "\n".join(value)
        elif field.widget == PERCENT:
            value = bps_to_typed(value)
        elif field.widget == EUROS:
            value = forms.cents_to_typed(value)
        typed[field.typed] = str(value)
    return typed
