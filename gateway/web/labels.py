"""The words the pages use for the platform's codes (kinds, models, circles, fields)."""
from shared.cluster import (
    CAMPAIGN_KIND_LABELS,
    CAMPAIGN_MODEL_LABELS,
    CIRCLE_LABELS,
    FIELD_LABELS,
    LEGAL_FORM_LABELS,
    TERRITORY_LABELS,
)

CAMPAIGN_KINDS, CAMPAIGN_MODELS = CAMPAIGN_KIND_LABELS, CAMPAIGN_MODEL_LABELS
CIRCLES, FIELDS = CIRCLE_LABELS, FIELD_LABELS
MODEL_HINTS = {
    "all_or_nothing": "Si l'objectif n'est pas atteint, chacun est remboursé.",
    "keep_it_all": "Chaque contribution va au projet, objectif atteint ou non.",
}
RESOURCES = {  # the monetary resources of the reporting API, in the table's order
    "sales_cents": "Ventes de prestations",
    "dues_cents": "Cotisations des adhérents",
    "mutualisation_cents": "Mutualisation",
    "region_cents": "Région : animation du pôle",
    "project_grants_cents": "Subventions publiques de projets",
    "foundations_cents": "Fondations",
    "private_investors_cents": "Investisseurs privés",
    "other_private_cents": "Autres financements privés",
    "crowdfunding_cents": "Financement participatif",
    "matchfunding_cents": "Abondement",
}
# The chart groups them, so that a phone shows few colours: (label, kinds).
RESOURCE_GROUPS = (
    ("Ventes de prestations", ("sales_cents",)),
    ("Cotisations et mutualisation", ("dues_cents", "mutualisation_cents")),
    ("Argent public : Région, projets", ("region_cents", "project_grants_cents")),
    ("Financements privés", ("foundations_cents", "private_investors_cents",
                             "other_private_cents")),
    ("Financement participatif et abondement", ("crowdfunding_cents", "matchfunding_cents")),
)


def label(labels: dict, code) -> str:
    """The word for a code; a code we have no word for yet shows as itself (a circle
    added by configuration, say), `unknown` as "Inconnu"."""
    if code == "unknown":
        return "Inconnu"
    return labels.get(code, str(code))


__all__ = ["CAMPAIGN_KINDS", "CAMPAIGN_MODELS", "CIRCLES", "FIELDS", "LEGAL_FORM_LABELS",
           "MODEL_HINTS", "RESOURCES", "RESOURCE_GROUPS", "TERRITORY_LABELS", "label"]
