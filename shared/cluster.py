"""What every service says the same way about the cluster: its territories and the
legal forms of the social economy it deals with."""

TERRITORIES = ("dombes", "val_de_saone", "cotiere", "outside")
LEGAL_FORMS = (
    "association", "scop", "scic", "esus_company", "integration_enterprise",
    "local_authority", "other",
)
