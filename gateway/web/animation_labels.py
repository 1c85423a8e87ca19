"""The French words of the animators' and member organisations' pages, for the codes of
the pipeline, memberships, dues and resources (labels.py holds the public pages' ones)."""
from shared.cluster import (  # noqa: F401
    CIRCLE_LABELS,
    FUNDER_TYPE_LABELS,
    LEGAL_FORM_LABELS,
    STAGE_LABELS,
)

SUPPORT_KINDS = {"diagnostic": "Diagnostic", "business_plan": "Modèle économique",
                 "training": "Formation", "mentoring": "Parrainage",
                 "networking": "Mise en réseau"}
PARTNER_CIRCLES = CIRCLE_LABELS
# What staff correct, as the project's history says it (projects' `corrections`).
CORRECTED_RECORDS = {"support_session": "Accompagnement", "job_report": "Bilan d'emplois"}
CORRECTED_FIELDS = {"hours": "Heures", "given_on": "Date", "kind": "Type",
                    "given_by": "Par", "created_fte": "Emplois créés (ETP)",
                    "consolidated_fte": "Emplois consolidés (ETP)",
                    "insertion_fte": "Emplois d'insertion (ETP)"}
FORMALISATIONS = {"informal": "Informel", "agreement": "Convention", "contract": "Contrat"}
MEMBERSHIP_STATUSES = {"applied": "Candidature", "active": "Active",
                       "lapsed": "Échue (cotisation impayée)", "resigned": "Démission"}
PAYMENT_METHODS = {"transfer": "Virement", "cheque": "Chèque", "cash": "Espèces",
                   "card": "Carte bancaire", "direct_debit": "Prélèvement"}
RESOURCE_KINDS = {"grant": "Subvention", "sale": "Vente de prestations",
                  "mutualisation": "Mutualisation"}
FUNDER_TYPES = FUNDER_TYPE_LABELS
IMPORT_MODES = {
    "valid_rows": "Importer les lignes valides et signaler les autres",
    "all_or_nothing": "Tout ou rien : n'importer que si toutes les lignes sont valides",
}
IMPORT_STATUSES = {"imported": "Importée", "invalid": "Refusée",
                   "not_imported": "Non importée (fichier refusé)"}
PRICINGS = {"hourly": "à l'heure", "monthly": "au mois"}
INVOICE_STATUSES = {"unpaid": "À payer", "partly_paid": "Payée en partie", "paid": "Payée"}
# The columns of the animators' spreadsheet, as the import's errors name their fields.
IMPORT_COLUMNS = {"name": "Nom", "legal_form": "Forme juridique", "siret": "SIRET",
                  "siren": "SIREN", "rna": "N° RNA", "street": "Adresse",
                  "postal_code": "Code postal", "commune": "Commune", "territory": "Territoire",
                  "sector": "Secteur", "headcount_fte": "ETP", "email": "Courriel",
                  "phone": "Téléphone", "contact_name": "Contact", "_row": "Ligne"}
