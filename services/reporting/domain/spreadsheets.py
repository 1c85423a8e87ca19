"""Each report table as CSV that a French spreadsheet (Excel, LibreOffice) opens as it
is: UTF-8 with a BOM, semicolons, a decimal comma, amounts in euros with two decimals,
FTE and hours with two decimals, rates in percent, no thousands separator (one would
make the cell text), French column names and labels."""
import csv
import io

from shared.cells import inert
from shared.cluster import (
    CAMPAIGN_KIND_LABELS,
    CAMPAIGN_MODEL_LABELS,
    CIRCLE_LABELS,
    LEGAL_FORM_LABELS,
    STAGE_LABELS,
    TERRITORY_LABELS,
)

KIND_LABELS, MODEL_LABELS = CAMPAIGN_KIND_LABELS, CAMPAIGN_MODEL_LABELS
UNKNOWN_LABEL = "Inconnu"
DIMENSION_LABELS = {"circle": "Cercle", "legal_form": "Forme juridique",
                    "territory": "Territoire"}
CATEGORY_LABELS = {"circle": CIRCLE_LABELS, "legal_form": LEGAL_FORM_LABELS,
                   "territory": TERRITORY_LABELS}


def decimal_comma(hundredths: int) -> str:
    """12345 (cents or hundredths) is "123,45"; -5 is "-0,05". Integers only: exact."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole},{part:02d}"


def percent(rate) -> str:
    """A rate from 0 to 1 in percent, two decimals ("66,67"); empty when there is none."""
    if rate is None:
        return ""
    return decimal_comma(round(rate * 10_000))


def text(value) -> str:
    """Text as it is, except that a cell a spreadsheet would run as a formula is not."""
    return inert(value)


def _label(labels):
    return lambda value, row: text(labels.get(value, UNKNOWN_LABEL if value == "unknown"
                                              else value))


def _category(value, row):
    return _label(CATEGORY_LABELS.get(row["dimension"], {}))(value, row)


def _number(value, row):
    return str(value)


def _cents(value, row):
    return decimal_comma(value)


def _rate(value, row):
    return percent(value)


YEAR = ("year", "Année", _number)
MONEY_FLOWS = (
    ("raised_cents", "Collecté (€)", _cents),
    ("matched_cents", "Abondement (€)", _cents),
    ("given_back_cents", "Rendu aux contributeurs (€)", _cents),
    ("net_raised_cents", "Collecté net (€)", _cents),
    ("net_matched_cents", "Abondement net (€)", _cents),
    ("refunds", "Remboursements", _number),
    ("refunded_cents", "Remboursé (€)", _cents),
    ("campaigns_succeeded", "Campagnes réussies", _number),
    ("campaigns_failed", "Campagnes échouées", _number),
    ("success_rate", "Taux de réussite (%)", _rate),
)

# Each table: (field, French column name, how a value is written).
COLUMNS = {
    "members": (
        YEAR,
        ("active_members", "Adhérents actifs", _number),
        ("members_using_services", "Adhérents utilisant des services mutualisés", _number),
        ("organisations_using_services", "Structures utilisant des services mutualisés",
         _number),
        ("mutualised_fte", "ETP portés par les services mutualisés", _cents),
        ("dues_paid_cents", "Cotisations payées (€)", _cents),
        ("mutualisation_invoiced_cents", "Mutualisation facturée (€)", _cents),
    ),
    "members-breakdown": (
        YEAR,
        ("dimension", "Répartition", _label(DIMENSION_LABELS)),
        ("category", "Catégorie", _category),
        ("active_members", "Adhérents actifs", _number),
    ),
    "incubation": (
        YEAR,
        ("projects_submitted", "Projets déposés", _number),
        ("enterprises_created", "Entreprises créées", _number),
        ("enterprises_total", "Entreprises créées (cumul)", _number),
        ("jobs_created_fte", "Emplois créés dans l'année (ETP)", _cents),
        ("jobs_created_fte_total", "Emplois créés, cumul (ETP)", _cents),
        ("jobs_consolidated_fte", "Emplois consolidés dans l'année (ETP)", _cents),
        ("jobs_consolidated_fte_total", "Emplois consolidés, cumul (ETP)", _cents),
        ("support_hours", "Heures d'accompagnement", _cents),
    ),
    "incubation-stages": (
        ("stage", "Étape", _label(STAGE_LABELS)),
        ("projects", "Projets", _number),
    ),
    "funding": (
        YEAR,
        ("contributions", "Contributions", _number),
        ("contributors", "Contributeurs distincts", _number),
        *MONEY_FLOWS,
    ),
    "funding-by-kind": (
        YEAR,
        ("kind", "Type de campagne", _label(KIND_LABELS)),
        ("model", "Modèle", _label(MODEL_LABELS)),
        ("contributions", "Contributions", _number),
        *MONEY_FLOWS,
    ),
    "resources": (
        YEAR,
        ("sales_cents", "Ventes de prestations (€)", _cents),
        ("dues_cents", "Cotisations des adhérents (€)", _cents),
        ("mutualisation_cents", "Mutualisation (€)", _cents),
        ("region_cents", "Région : animation du pôle (€)", _cents),
        ("project_grants_cents", "Subventions publiques de projets (€)", _cents),
        ("foundations_cents", "Fondations (€)", _cents),
        ("private_investors_cents", "Investisseurs privés (€)", _cents),
        ("other_private_cents", "Autres financements privés (€)", _cents),
        ("crowdfunding_cents", "Financement participatif (€)", _cents),
        ("matchfunding_cents", "Abondement du financement participatif (€)", _cents),
        ("monetary_total_cents", "Total des ressources monétaires (€)", _cents),
        ("volunteering_hours", "Bénévolat (heures)", _cents),
        ("volunteering_cents", "Bénévolat valorisé, ressource non monétaire (€)", _cents),
    ),
}


def to_csv(table: str, items) -> bytes:
    """The items of a report table (as its query gives them: cents and hundredths as
    integers) as the bytes of a CSV file."""
    columns = COLUMNS[table]
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _, header, _ in columns])
    for item in items:
        writer.writerow([write(item[name], item) for name, _, write in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
