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
RESOURCES = {  # the monetary resources of the reporting API, in the order charted
    "sales_cents": "Ventes de prestations",
    "mutualisation_cents": "Mutualisation",
    "public_grants_cents": "Subventions publiques",
    "private_grants_cents": "Financements privés",
    "crowdfunding_cents": "Financement participatif",
    "matchfunding_cents": "Abondement",
}


# How a reward reaches its contributor (RewardInput.handover).
REWARD_HANDOVERS = {"delivery": "Envoyée par la poste", "pick_up": "À retirer sur place"}


def label(labels: dict, code) -> str:
    """The word for a code; a code we have no word for yet shows as itself (a circle
    added by configuration, say), `unknown` as "Inconnu"."""
    if code == "unknown":
        return "Inconnu"
    return labels.get(code, str(code))


__all__ = ["CAMPAIGN_KINDS", "CAMPAIGN_MODELS", "CIRCLES", "FIELDS", "LEGAL_FORM_LABELS",
           "MODEL_HINTS", "RESOURCES", "TERRITORY_LABELS", "label"]
