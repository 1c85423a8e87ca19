"""What every service says the same way about the cluster: its territories and the
legal forms of the social economy it deals with."""

TERRITORIES = ("dombes", "val_de_saone", "cotiere", "outside")
LEGAL_FORMS = (
    "association", "scop", "scic", "esus_company", "integration_enterprise",
    "local_authority", "other",
)

# How people read them, in French (exports, pages).
TERRITORY_LABELS = {"dombes": "Dombes", "val_de_saone": "Val de Saône",
                    "cotiere": "Côtière de l'Ain", "outside": "Hors territoire"}
LEGAL_FORM_LABELS = {
    "association": "Association", "scop": "SCOP", "scic": "SCIC",
    "esus_company": "Entreprise ESUS", "integration_enterprise": "Entreprise d'insertion",
    "local_authority": "Collectivité territoriale", "other": "Autre forme",
}
CIRCLE_LABELS = {"core": "Adhérents (cœur)", "project": "Partenaires de projet",
                 "ally": "Alliés ponctuels", "outside": "Hors cercle"}
FIELD_LABELS = {"circular_economy": "Économie circulaire",
                "proximity_economy": "Économie de proximité",
                "citizen_economy": "Économie citoyenne"}
STAGE_LABELS = {"idea": "Idée", "emergence": "Émergence", "incubation": "Incubation",
                "launched": "Lancé", "consolidated": "Consolidé", "abandoned": "Abandonné"}
CAMPAIGN_KIND_LABELS = {"donation": "Don", "reward": "Don avec contrepartie", "loan": "Prêt",
                        "shares": "Parts sociales"}
CAMPAIGN_MODEL_LABELS = {"all_or_nothing": "Tout ou rien", "keep_it_all": "Tout compte"}

# Who gives a grant, as the cluster's description lists its funding: public money (the
# Region, the State, the département, intercommunalities: for the cluster's animation or
# for projects), foundations (and their calls for projects), private investors, and other
# private money. The report's kinds of resource follow from it (reporting).
FUNDER_TYPES = ("public", "foundation", "private_investor", "private")
FUNDER_TYPE_LABELS = {"public": "Argent public", "foundation": "Fondation",
                      "private_investor": "Investisseurs privés",
                      "private": "Autre argent privé"}
