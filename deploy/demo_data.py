"""The demo data set: Domb'Innov as its own description tells it
(../shared/domain/fiche-dombinnov.txt), for `python -m deploy.demo` to load through the
public API. Plain data first, then the few functions that derive from it (identifiers,
job reports, the figures to expect). Nothing is random: SIRETs and SIRENs are derived from
names, and the figures below hold whatever the day it is loaded. Memberships, invoices
and campaigns are the current year's; the history of resources and volunteering runs to
2025, the last full year when this was written.

The description's figures, and where they come from here:
- "une vingtaine de structures adhèrent": the 20 ORGANISATIONS, each a member for the
  current year in a circle (core members, project partners, occasional allies), dues paid;
- "la moitié d'entre elles bénéficient de services mutualisés (représentant neuf emplois)":
  10 of them subscribe to the MUTUALISED_SERVICES, which carry 9 FTE in all;
- "depuis 2005, une entreprise sociale est créée chaque année": one of ENTERPRISE_PROJECTS
  per year from 2005 to the current year, each moved through the pipeline to the
  enterprise it created, that year;
- "300 emplois ont été consolidés": the latest job reports of those projects add up to
  300 FTE consolidated (the projects of 2005-2020 carry them; younger ones create jobs);
- "financements liés au projet": RESOURCES (sales, mutualisation, the Region's support
  of the animation until 2017, project grants such as the CDDRA, foundations, calls for
  projects, private investors), CAMPAIGNS paid through the payment provider
  (crowdfunding) and VOLUNTEERING (a non-monetary resource).
"""
import hashlib
import hmac
from datetime import date
from typing import NamedTuple

from stdnum import luhn

from services.funding.domain.investors import KNOWLEDGE_TEST

FIRST_ENTERPRISE_YEAR = 2005
EXPECTED_MEMBERS = 20
EXPECTED_SUBSCRIBERS = 10
EXPECTED_FTE = 9
EXPECTED_JOBS_CONSOLIDATED = 300
REGION_SUPPORT_LAST_YEAR = 2017  # "jusque fin 2017, animation du PTCE soutenue par la Région"


class Organisation(NamedTuple):
    name: str
    legal_form: str
    postal_code: str
    commune: str
    territory: str
    sector: str
    headcount_fte: float
    circle: str  # of its membership this year
    street: str


class Project(NamedTuple):
    """A project of the pipeline that created its social enterprise in its year."""

    title: str
    summary: str
    field: str
    commune: str
    territory: str
    carrier: str  # an organisation's key, or the founders' names
    enterprise: object  # (name, legal form, month, day), or the key of the member it became
    created_fte: float  # its jobs today (its latest report)
    consolidated_fte: float
    insertion_fte: float  # of those, insertion jobs
    partners: list  # [(organisation key, circle, formalisation, role)]


class Resource(NamedTuple):
    kind: str  # grant, sale or mutualisation
    year: int
    euros: int
    # a year of ENTERPRISE_PROJECTS, a title of PIPELINE_PROJECTS, or None: the cluster's
    project: object
    funder: str | None = None  # a grant's
    funder_type: str | None = None  # a grant's: shared.cluster.FUNDER_TYPES
    programme: str | None = None
    description: str = ""


# --- member organisations ------------------------------------------------------------
# The key names an organisation everywhere else in this module.

Org = Organisation
ORGANISATIONS = {
    # core members ("le cercle des adhérents")
    "val-horizon": Org("Val Horizon", "association", "01600", "Trévoux", "val_de_saone",
                       "Animation socio-culturelle, petite enfance, insertion", 142.5, "core",
                       "12 rue du Palais"),
    "passerelle": Org("Centre social La Passerelle", "association", "01480", "Jassans-Riottier",
                      "val_de_saone", "Animation socio-culturelle", 18.4, "core",
                      "3 place de la Mairie"),
    "ptits-momes": Org("Crèche parentale Les P'tits Mômes", "association", "01600", "Reyrieux",
                       "val_de_saone", "Petite enfance", 9.5, "core", "45 chemin des Écoliers"),
    "recyclerie": Org("Recyclerie de la Dombes", "association", "01400",
                      "Châtillon-sur-Chalaronne", "dombes", "Réemploi et économie circulaire",
                      11.0, "core", "ZA de Chanteins"),
    "espaces-verts": Org("Val de Saône Espaces Verts", "integration_enterprise", "01090",
                         "Montmerle-sur-Saône", "val_de_saone",
                         "Insertion par l'activité économique, espaces verts", 24.0, "core",
                         "8 route de Lurcy"),
    "bois-compagnie": Org("Bois & Compagnie", "scop", "01330", "Villars-les-Dombes", "dombes",
                          "Menuiserie, écoconstruction", 7.0, "core", "5 impasse des Étangs"),
    "energies-dombes": Org("Énergies Citoyennes de la Dombes", "scic", "01320", "Chalamont",
                           "dombes", "Énergies renouvelables citoyennes", 2.5, "core",
                           "1 place de l'Église"),
    "la-halte": Org("Épicerie solidaire La Halte", "association", "01120", "Montluel", "cotiere",
                    "Aide alimentaire, économie de proximité", 4.0, "core", "22 rue de Lyon"),
    "garage-cotiere": Org("Garage solidaire de la Côtière", "integration_enterprise", "01700",
                          "Beynost", "cotiere", "Mobilité solidaire", 12.0, "core",
                          "150 route de Genève"),
    "ccdsv": Org("Communauté de communes Dombes Saône Vallée", "local_authority", "01600",
                 "Trévoux", "val_de_saone", "Collectivité", 180.0, "core",
                 "627 route de Jassans"),
    # project partners ("les structures impliquées sur des projets")
    "amap-etangs": Org("AMAP des Étangs", "association", "01330", "Ambérieux-en-Dombes",
                       "dombes", "Agriculture paysanne", 0.0, "project", "Salle des fêtes"),
    "cae-ain": Org("Ain Entreprendre Solidaire", "scic", "01800", "Meximieux", "cotiere",
                   "Coopérative d'activité et d'emploi", 6.0, "project", "2 rue de la Gare"),
    "roue-libre": Org("Atelier vélo La Roue Libre", "association", "01800", "Meximieux",
                      "cotiere", "Mobilité douce, réparation de vélos", 1.5, "project",
                      "14 avenue de la Victoire"),
    "fabrique": Org("La Fabrique de Dagneux", "esus_company", "01120", "Dagneux", "cotiere",
                    "Tiers-lieu, coworking, fablab", 3.0, "project", "Rue des Frères Lumière"),
    "solidain": Org("Imprimerie Solid'Ain", "esus_company", "01700", "Miribel", "cotiere",
                    "Imprimerie, entreprise adaptée", 16.0, "project", "31 chemin du Pollet"),
    "trois-rivieres": Org("Les Jardins des Trois Rivières", "association", "01140", "Thoissey",
                          "val_de_saone", "Maraîchage d'insertion", 8.0, "project",
                          "Chemin de la Chalaronne"),
    # occasional allies ("les structures impliquées ponctuellement")
    "cuma-dombes": Org("CUMA de la Dombes", "other", "01240", "Marlieux", "dombes",
                       "Coopérative agricole", 1.0, "ally", "Le Bourg"),
    "reyrieux": Org("Commune de Reyrieux", "local_authority", "01600", "Reyrieux",
                    "val_de_saone", "Collectivité", 45.0, "ally", "Place de la Mairie"),
    "chatillon-tourisme": Org("Office de tourisme Dombes Chalaronne", "association", "01400",
                              "Châtillon-sur-Chalaronne", "dombes", "Tourisme", 5.0, "ally",
                              "Place du Champ de Foire"),
    "mutuelle": Org("Mutuelle solidaire de l'Ain", "other", "01700", "Miribel", "cotiere",
                    "Protection sociale", 22.0, "ally", "4 rue Joseph Carre"),
}

CIRCLE_LABELS = {"core": "cœur / core", "project": "partenaires de projet / project partners",
                 "ally": "alliés ponctuels / occasional allies"}

# --- mutualised services: 9 FTE in all -------------------------------------------------


class Service(NamedTuple):
    name: str
    description: str
    fte_carried: float
    pricing: str  # monthly or hourly
    price_cents: int  # a month, or an hour


MUTUALISED_SERVICES = {
    "compta": Service("Comptabilité et paie mutualisées",
                      "Tenue des comptes, bulletins de paie et déclarations sociales.", 2.5,
                      "monthly", 42_000),
    "secretariat": Service("Secrétariat et accueil partagés",
                           "Accueil téléphonique, courrier, agendas.", 2.0, "hourly", 2_800),
    "entretien": Service("Entretien des locaux", "Ménage et petite maintenance, par une "
                         "équipe en insertion.", 2.0, "hourly", 2_400),
    "communication": Service("Communication et numérique",
                             "Site web, réseaux sociaux, supports imprimés.", 1.5, "monthly",
                             25_000),
    "rh": Service("Ressources humaines et formation",
                  "Recrutement, plan de formation, entretiens professionnels.", 1.0, "monthly",
                  18_000),
}

# organisation -> [(service, hours a month for an hourly one)]: the 10 organisations that
# use the mutualised services
SUBSCRIPTIONS = {
    "passerelle": [("compta", None), ("secretariat", 40), ("rh", None)],
    "ptits-momes": [("compta", None), ("entretien", 30)],
    "recyclerie": [("compta", None), ("communication", None)],
    "bois-compagnie": [("compta", None), ("secretariat", 16)],
    "energies-dombes": [("secretariat", 24), ("communication", None)],
    "la-halte": [("compta", None), ("entretien", 12)],
    "garage-cotiere": [("rh", None), ("communication", None)],
    "amap-etangs": [("secretariat", 8)],
    "roue-libre": [("compta", None), ("entretien", 10)],
    "trois-rivieres": [("compta", None), ("rh", None), ("entretien", 20)],
}

# --- the incubation pipeline: one social enterprise a year since 2005 ------------------
# The year its enterprise was created: the project.

P = Project
ENTERPRISE_PROJECTS = {
    2005: P("Chantier d'insertion des espaces verts",
            "Remettre au travail des personnes éloignées de l'emploi en entretenant les "
            "espaces verts des communes du Val de Saône.", "proximity_economy",
            "Montmerle-sur-Saône", "val_de_saone", "val-horizon", "espaces-verts",
            12, 37.5, 20, [("ccdsv", "core", "contract", "Donneur d'ordre")]),
    2006: P("Restauration collective bio et locale",
            "Une cuisine centrale qui sert les crèches et écoles avec les produits de la "
            "Dombes.", "proximity_economy", "Trévoux", "val_de_saone", "val-horizon",
            ("Saveurs du Val", "scic", 9, 4), 8, 30.5, 4,
            [("ptits-momes", "core", "agreement", "Client")]),
    2007: P("Service d'aide à domicile en milieu rural",
            "Aide à domicile pour les personnes âgées des villages de la Dombes.",
            "proximity_economy", "Villars-les-Dombes", "dombes", "Marie Perrin et Luc Gauthier",
            ("Dombes Services à la Personne", "association", 3, 1), 6, 26, 0, []),
    2008: P("Ressourcerie de la Dombes",
            "Collecter, réparer et revendre les objets dont on ne veut plus.",
            "circular_economy", "Châtillon-sur-Chalaronne", "dombes", "val-horizon",
            "recyclerie", 9, 24, 6, [("cuma-dombes", "ally", "informal", "Prêt de matériel")]),
    2009: P("Menuiserie coopérative et écoconstruction",
            "Des artisans associés en SCOP pour construire en bois local.",
            "circular_economy", "Villars-les-Dombes", "dombes", "Jean Brun, Sophie Morel",
            "bois-compagnie", 5, 22, 0, []),
    2010: P("Garage solidaire",
            "Réparer les voitures des personnes en insertion à prix coûtant.",
            "proximity_economy", "Beynost", "cotiere", "val-horizon", "garage-cotiere",
            7, 24, 5, [("mutuelle", "ally", "agreement", "Financeur")]),
    2011: P("Épicerie solidaire de la Côtière",
            "Des produits de qualité à petits prix pour les familles aux revenus modestes.",
            "proximity_economy", "Montluel", "cotiere", "Nadia Haddad", "la-halte",
            6, 20, 2, [("amap-etangs", "project", "agreement", "Fournisseur")]),
    2012: P("Maraîchage biologique d'insertion",
            "Des jardins de Cocagne sur les bords de Saône.", "circular_economy",
            "Thoissey", "val_de_saone", "val-horizon", "trois-rivieres", 4.5, 18, 4,
            [("amap-etangs", "project", "contract", "Débouché des paniers")]),
    2013: P("Centrale villageoise photovoltaïque",
            "Les habitants financent et possèdent les panneaux solaires de leurs toits.",
            "citizen_economy", "Chalamont", "dombes", "Collectif des habitants de Chalamont",
            "energies-dombes", 5, 20, 0, [("cuma-dombes", "ally", "informal", "Toitures")]),
    2014: P("Atelier vélo participatif",
            "Apprendre à réparer son vélo, récupérer les vélos abandonnés.",
            "circular_economy", "Meximieux", "cotiere", "Tom Girard et Inès Faure",
            "roue-libre", 3, 16, 0, []),
    2015: P("Coopérative d'activité et d'emploi",
            "Tester son activité en étant salarié d'une coopérative.", "citizen_economy",
            "Meximieux", "cotiere", "val-horizon", "cae-ain", 4, 14, 0,
            [("passerelle", "core", "agreement", "Orientation des porteurs")]),
    2016: P("Tiers-lieu et fablab de Dagneux",
            "Un lieu de travail partagé, un atelier de fabrication numérique.",
            "citizen_economy", "Dagneux", "cotiere", "Julie Carrel", "fabrique", 3.5, 14, 0,
            [("solidain", "project", "informal", "Voisin")]),
    2017: P("Imprimerie adaptée",
            "Une imprimerie qui emploie des travailleurs handicapés.", "proximity_economy",
            "Miribel", "cotiere", "Karim Benali", "solidain", 3, 12, 3, []),
    2018: P("Conciergerie solidaire de zone d'activité",
            "Des services aux salariés de la zone, rendus par des personnes en insertion.",
            "proximity_economy", "Reyrieux", "val_de_saone", "val-horizon",
            ("Conciergerie du Val", "integration_enterprise", 5, 14), 2.5, 10, 2,
            [("reyrieux", "ally", "agreement", "Mise à disposition d'un local")]),
    2019: P("Légumerie pour la restauration collective",
            "Laver, éplucher et couper les légumes des maraîchers pour les cantines.",
            "circular_economy", "Saint-Trivier-sur-Moignans", "dombes", "trois-rivieres",
            ("Légumerie de la Dombes", "scic", 3, 4), 3, 8, 2, []),
    2020: P("Plateforme de mobilité solidaire",
            "Location de véhicules, auto-école sociale et conseil en mobilité.",
            "proximity_economy", "Miribel", "cotiere", "garage-cotiere",
            ("Mobil'Ain", "association", 9, 1), 2, 4, 1,
            [("roue-libre", "project", "agreement", "Vélos en location")]),
    2021: P("Café associatif de village",
            "Un café, une épicerie de dépannage et des animations à Fareins.",
            "citizen_economy", "Fareins", "val_de_saone", "Anne Lefèvre et Paul Roux",
            ("Le Café des Possibles", "association", 6, 12), 3, 0, 0, []),
    2022: P("Recyclerie du bâtiment",
            "Récupérer et revendre les matériaux de chantier.", "circular_economy",
            "La Boisse", "cotiere", "bois-compagnie", ("Matériaux Réemploi Côtière", "scic",
                                                      3, 8), 2.5, 0, 0,
            [("recyclerie", "core", "agreement", "Savoir-faire du réemploi")]),
    2023: P("Habitat partagé pour seniors",
            "Une maison de colocation pour personnes âgées autonomes.", "citizen_economy",
            "Saint-André-de-Corcy", "dombes", "Hélène Vidal", ("Les Toits Partagés", "scic",
                                                                10, 2), 2, 0, 0, []),
    2024: P("Couches lavables pour les crèches",
            "Un service de location et de lavage de couches lavables.", "circular_economy",
            "Reyrieux", "val_de_saone", "ptits-momes", ("Lange & Compagnie", "esus_company",
                                                       2, 5), 1.5, 0, 0,
            [("espaces-verts", "core", "informal", "Blanchisserie en insertion")]),
    2025: P("Brasserie coopérative de la Dombes",
            "Une bière brassée avec l'orge des agriculteurs de la Dombes.", "proximity_economy",
            "Marlieux", "dombes", "Lucas Besson et Emma Girod", ("Brasserie des Étangs",
                                                              "scop", 4, 3), 2, 0, 0,
            [("cuma-dombes", "ally", "agreement", "Orge locale")]),
    2026: P("Repair café permanent",
            "Un atelier de réparation ouvert à tous, toute la semaine.", "circular_economy",
            "Jassans-Riottier", "val_de_saone", "passerelle", ("Répar'Acteurs", "association",
                                                              3, 2), 1, 0, 0, []),
    2027: P("Conserverie de fruits et légumes",
            "Transformer les invendus des maraîchers en conserves.", "circular_economy",
            "Thoissey", "val_de_saone", "trois-rivieres", ("Bocaux du Val", "scic", 4, 6),
            1.5, 0, 0, []),
    2028: P("Ferme pédagogique", "Une ferme ouverte aux écoles de la Côtière.",
            "proximity_economy", "Niévroz", "cotiere", "Chloé Mercier",
            ("La Ferme des Possibles", "association", 3, 9), 1, 0, 0, []),
    2029: P("Recyclerie textile", "Collecter, trier et revaloriser les textiles.",
            "circular_economy", "Meximieux", "cotiere", "recyclerie",
            ("Fil en Dombes", "integration_enterprise", 5, 4), 2, 0, 0, []),
    2030: P("Tiers-lieu nourricier", "Cuisine partagée, marché de producteurs, jardin.",
            "citizen_economy", "Villars-les-Dombes", "dombes", "amap-etangs",
            ("La Table des Étangs", "scic", 6, 1), 1, 0, 0, []),
}
CONSOLIDATED_STAGE_AFTER_YEARS = 3  # a launched project is consolidated three years on

# Projects still in the pipeline (no enterprise yet): title -> (summary, field, commune,
# territory, carrier, stage)
PIPELINE_PROJECTS = {
    "Jardin partagé et potager pédagogique": (
        "Un jardin cultivé par les familles du centre social et les écoles.",
        "citizen_economy", "Jassans-Riottier", "val_de_saone", "passerelle", "emergence"),
    "Paniers de conserves solidaires": (
        "Des conserves des légumes invendus, vendues en paniers aux habitants.",
        "circular_economy", "Thoissey", "val_de_saone", "trois-rivieres", "incubation"),
    "Toitures solaires citoyennes de Chalamont": (
        "De nouvelles toitures photovoltaïques, financées par des parts de la SCIC.",
        "citizen_economy", "Chalamont", "dombes", "energies-dombes", "incubation"),
    "Laverie solidaire": (
        "Une laverie à prix solidaire tenue par des salariés en insertion.",
        "proximity_economy", "Montluel", "cotiere", "la-halte", "idea"),
}

SUPPORT_GIVEN_BY = "Équipe d'animation Domb'Innov"

# --- resources -------------------------------------------------------------------------

SALES = [Resource("sale", year, euros, None, description="Ventes de prestations : "
                  "accompagnement de porteurs de projet, formations, festival")
         for year, euros in ((2012, 18_000), (2013, 24_500), (2014, 31_000), (2015, 38_000),
                             (2016, 42_500), (2017, 47_000), (2018, 55_000), (2019, 58_500),
                             (2020, 41_000), (2021, 52_000), (2022, 61_000), (2023, 64_500),
                             (2024, 68_000), (2025, 71_500))]
MUTUALISATION = [Resource("mutualisation", year, euros, None,
                          description="Refacturation des services mutualisés aux adhérents")
                 for year, euros in ((2013, 35_000), (2014, 52_000), (2015, 68_000),
                                     (2016, 79_000), (2017, 88_000), (2018, 96_000),
                                     (2019, 104_000), (2020, 108_000), (2021, 112_000),
                                     (2022, 118_000), (2023, 124_000), (2024, 129_000),
                                     (2025, 133_000))]
# "Jusque fin 2017, animation du PTCE soutenue par la Région"
REGION_ANIMATION = [Resource("grant", year, euros, None, region, "public",
                             "Soutien régional aux pôles territoriaux de coopération "
                             "économique", "Animation du PTCE")
                    for year, euros, region in (
                        (2012, 25_000, "Région Rhône-Alpes"),
                        (2013, 30_000, "Région Rhône-Alpes"),
                        (2014, 30_000, "Région Rhône-Alpes"),
                        (2015, 30_000, "Région Rhône-Alpes"),
                        (2016, 25_000, "Région Auvergne-Rhône-Alpes"),
                        (2017, 20_000, "Région Auvergne-Rhône-Alpes"))]


def _grants(funder_type, rows):
    """Grants for projects: (year, euros, project, funder, programme, description)."""
    return [Resource("grant", year, euros, project, funder, funder_type, programme, description)
            for year, euros, project, funder, programme, description in rows]


CDDRA = "Contrat de développement durable Rhône-Alpes (CDDRA) Dombes Saône"
PROJECT_PUBLIC_GRANTS = _grants("public", [
    (2008, 35_000, 2008, "Département de l'Ain", "Insertion par l'activité économique",
     "Démarrage de la ressourcerie"),
    (2011, 40_000, 2011, "Région Rhône-Alpes", CDDRA,
     "Axe « économie de proximité » : épicerie solidaire"),
    (2012, 55_000, 2012, "Région Rhône-Alpes", CDDRA,
     "Axe « économie circulaire » : maraîchage d'insertion"),
    (2013, 30_000, 2013, "Région Rhône-Alpes", CDDRA,
     "Axe « transition énergétique » : centrale villageoise"),
    (2018, 20_000, 2018, "Communauté de communes Dombes Saône Vallée",
     "Développement économique", "Local de la conciergerie"),
    (2020, 25_000, 2020, "État (DDETS de l'Ain)", "Plan de relance : mobilité solidaire",
     "Plateforme de mobilité"),
    (2022, 45_000, 2022, "ADEME Auvergne-Rhône-Alpes", "Fonds économie circulaire",
     "Recyclerie du bâtiment"),
])
# "Des financements privés : fondations, appels à projet, investisseurs privés"
FOUNDATIONS = _grants("foundation", [
    (2013, 15_000, 2013, "Fondation de France", "Appel à projets « Transition énergétique »",
     "Centrale villageoise"),
    (2016, 10_000, 2016, "Fondation Crédit Coopératif",
     "Prix de l'initiative en économie sociale", "Tiers-lieu de Dagneux"),
    (2019, 20_000, 2019, "Fondation Macif", "Appel à projets « Alimentation durable »",
     "Légumerie"),
    (2021, 8_000, 2021, "Fondation Carasso",
     "Appel à projets « Alimentation durable et citoyenne »", "Café associatif"),
])
PRIVATE_INVESTORS = _grants("private_investor", [
    (2014, 12_000, 2014, "Club Cigales Dombes-Saône",
     "Investisseurs privés : entrée au capital", "Atelier vélo"),
    (2023, 30_000, 2023, "France Active Auvergne-Rhône-Alpes",
     "Investissement solidaire (titres associatifs)", "Habitat partagé"),
    (2025, 25_000, 2025, "Club Cigales Dombes-Saône",
     "Investisseurs privés : entrée au capital", "Brasserie coopérative"),
])
PRIVATE_FUNDING = FOUNDATIONS + PRIVATE_INVESTORS
RESOURCES = SALES + MUTUALISATION + REGION_ANIMATION + PROJECT_PUBLIC_GRANTS + PRIVATE_FUNDING

# --- volunteering: a non-monetary resource --------------------------------------------


class Volunteering(NamedTuple):
    done_on: date
    hours: float  # at most 1,000 a record
    activity: str
    project: object = None  # as for a Resource


FESTIVAL = "Festival « Économie du troisième type » : organisation et accueil"
VOLUNTEERING = (
    [Volunteering(date(year, 10, 10), 420 + 15 * (year - 2009), FESTIVAL)
     for year in range(2009, 2026)]
    + [Volunteering(date(year, 12, 15), 260 + 20 * (year - 2015),
                    "Conseil d'administration, bureau et commissions de Domb'Innov")
       for year in range(2015, 2026)]
    + [Volunteering(date(2008, 6, 14), 180, "Rénovation du local de la ressourcerie", 2008),
       Volunteering(date(2013, 9, 21), 240, "Pose des panneaux et réunions publiques", 2013),
       Volunteering(date(2014, 5, 17), 150, "Collecte et remise en état des vélos", 2014),
       Volunteering(date(2021, 4, 10), 320, "Travaux du café associatif", 2021),
       Volunteering(date(2024, 3, 16), 95.5, "Ateliers de couture des couches lavables",
                    2024)]
)

# --- crowdfunding --------------------------------------------------------------------
# The campaigns run now (a deadline must be in the future). Contributions are paid on the
# provider's payer page; donations and rewards count at once, shares once the investor's
# 4-day reflection period is over (Regulation (EU) 2020/1503 art. 22).

CITIZENS = {  # key: (display name, legal identity and postal address for tax receipts)
    "camille": ("Camille Martin", ("Camille", "Martin", "12 rue de la Mairie", "01600",
                                   "Reyrieux")),
    "dominique": ("Dominique Bernard", ("Dominique", "Bernard", "4 impasse des Saules",
                                        "01480", "Jassans-Riottier")),
    "claude": ("Claude Thomas", ("Claude", "Thomas", "27 route de Bourg", "01330",
                                 "Villars-les-Dombes")),
    "sacha": ("Sacha Petit", ("Sacha", "Petit", "9 place du Marché", "01400",
                              "Châtillon-sur-Chalaronne")),
    "alix": ("Alix Robert", ("Alix", "Robert", "3 chemin des Vignes", "01600", "Trévoux")),
    "maxime": ("Maxime Richard", ("Maxime", "Richard", "18 rue Centrale", "01120",
                                  "Montluel")),
    "lou": ("Lou Durand", ("Lou", "Durand", "6 allée des Tilleuls", "01700", "Miribel")),
    "yanis": ("Yanis Moreau", ("Yanis", "Moreau", "2 rue du Lavoir", "01320", "Chalamont")),
}
CITIZEN_EMAIL_DOMAIN = "citoyens.dombinnov.example"

DONATION_BENEFICIARY = ("passerelle", "Association d'intérêt général : animation sociale et "
                        "familiale, éducation à l'environnement")
DONATION_SIGNATORY = ("Hélène Garnier", "présidente")  # signs the receipts



class Campaign(NamedTuple):
    project: str  # a title of PIPELINE_PROJECTS
    fields: dict  # as POST /campaigns takes them, without project and deadline
    contributions: list  # [(citizen, euros, index of the reward or None)]


CAMPAIGNS = {
    "donation": Campaign("Jardin partagé et potager pédagogique", {
        "title": "Un jardin pour apprendre à cultiver ensemble",
        "description": "Clôture, cabane à outils, récupérateurs d'eau et bacs surélevés "
                       "accessibles aux personnes en fauteuil.",
        "kind": "donation", "model": "keep_it_all", "goal_cents": 600_000,
        "matchfunding": {"funder": "Fondation Macif", "per_contribution_cap_cents": 2_000,
                         "per_contributor_cap_cents": 4_000, "total_cap_cents": 100_000},
    }, [("camille", 50, None), ("dominique", 30, None), ("claude", 100, None),
        ("sacha", 20, None), ("alix", 40, None), ("camille", 25, None)]),
    "reward": Campaign("Paniers de conserves solidaires", {
        "title": "Précommandez vos paniers de conserves",
        "description": "Aidez-nous à acheter l'autoclave : chaque contrepartie est un panier "
                       "de conserves des légumes du Val de Saône.",
        "kind": "reward", "model": "keep_it_all", "goal_cents": 800_000,
        "rewards": [
            {"title": "Un grand merci et votre nom sur le mur", "min_amount_cents": 1_000,
             "stock": None},
            {"title": "Panier de 6 bocaux", "min_amount_cents": 3_000, "stock": 100},
            {"title": "Atelier conserves et panier de 12 bocaux", "min_amount_cents": 6_000,
             "stock": 20},
        ],
    }, [("maxime", 30, 1), ("lou", 60, 2), ("yanis", 10, 0), ("dominique", 30, 1),
        ("sacha", 35, 1)]),
    "shares": Campaign("Toitures solaires citoyennes de Chalamont", {
        "title": "Devenez sociétaire des toitures solaires",
        "description": "Des parts sociales de la SCIC Énergies Citoyennes de la Dombes pour "
                       "équiper six toitures publiques de Chalamont.",
        "kind": "shares", "model": "keep_it_all", "goal_cents": 3_000_000,
        "people_goal": 40,
        # the key information sheet; the loader adds the issuer's SIREN and the deadline
        "key_information": {
            "issuer_legal_name": "Énergies Citoyennes de la Dombes",
            "issuer_legal_form": "SCIC SAS à capital variable",
            "issuer_address": "1 place de l'Église, 01320 Chalamont",
            "project_description": "Six toitures photovoltaïques sur les bâtiments publics "
                                   "de Chalamont (180 kWc), l'électricité vendue au réseau.",
            "main_risks": ["Perte totale ou partielle du capital investi.",
                           "Parts remboursées à leur valeur nominale au mieux, après "
                           "cinq ans et selon les réserves de la coopérative.",
                           "Production plus faible que prévu (ensoleillement, pannes)."],
            "target_amount_cents": 3_000_000, "minimum_target_cents": 1_500_000,
            "investor_fees": "Aucun frais pour l'investisseur.",
            "use_of_funds": "Achat et pose des panneaux, raccordement au réseau.",
            "share_price_cents": 5_000,
            "rights_attached": "Une voix en assemblée générale, quel que soit le nombre de "
                               "parts ; intérêts aux parts plafonnés par la loi.",
            "exit_conditions": "Remboursement à la valeur nominale sur demande, après cinq "
                               "ans, sous réserve de l'accord du conseil.",
        },
    }, [("claude", 200, None), ("yanis", 100, None), ("alix", 500, None)]),
}
INVESTOR_NET_WORTH_CENTS = 8_000_000  # what each demo investor declares
CAMPAIGN_DAYS = 90  # each campaign's deadline, from the day it is loaded

KNOWLEDGE_TEST_ANSWERS = {question["id"]: question["correct"] for question in KNOWLEDGE_TEST}


# --- what derives from the data -------------------------------------------------------

def _digits(seed: str, count: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    return str(number % 10 ** count).zfill(count)


def siren(seed: str) -> str:
    """A Luhn-valid SIREN that always comes out the same for `seed` (first digit 7 to 9,
    as associations and companies of the register; never La Poste's)."""
    base = str(7 + int(_digits(seed, 1)) % 3) + _digits("siren:" + seed, 7)
    return base + luhn.calc_check_digit(base)


def siret(seed: str) -> str:
    """The head office's SIRET of `siren(seed)`: NIC 0001 and its Luhn check digit."""
    base = siren(seed) + "0001"
    return base + luhn.calc_check_digit(base)


def enterprise_years(year: int) -> range:
    """The years an enterprise is created in: each from 2005 to `year`."""
    if year not in ENTERPRISE_PROJECTS:
        raise SystemExit(f"deploy/demo_data.py has enterprise projects up to "
                         f"{max(ENTERPRISE_PROJECTS)}: add one for {year}.")
    return range(FIRST_ENTERPRISE_YEAR, year + 1)


def enterprise_of(project_year: int, today: date) -> dict:
    """The enterprise a project created, as POST /projects/{id}/enterprise takes it (this
    year's not after today)."""
    enterprise = ENTERPRISE_PROJECTS[project_year].enterprise
    if isinstance(enterprise, str):  # it became one of the member organisations
        organisation = ORGANISATIONS[enterprise]
        name, legal_form, month, day = organisation.name, organisation.legal_form, 3, 1
        seed = enterprise
    else:
        name, legal_form, month, day = enterprise
        seed = f"enterprise:{name}"
    return {"name": name, "legal_form": legal_form, "siren": siren(seed),
            "created_on": min(date(project_year, month, day), today).isoformat()}


def _hundredths(value) -> int:
    return round(value * 100)


# A project's job reports: (years after its creation, share of its final jobs created,
# share of its final jobs consolidated), in percent. The last is its figure today.
JOB_REPORT_STEPS = ((0, 50, 25), (2, 75, 60), (4, 100, 100))


def job_reports(project_year: int, today: date) -> list[dict]:
    """A project's job reports (FTE in hundredths), each at the end of a year of
    JOB_REPORT_STEPS. A report that would fall on or after today is made today, with the
    final figures, and is the last."""
    project = ENTERPRISE_PROJECTS[project_year]
    final = {"created_fte": _hundredths(project.created_fte),
             "consolidated_fte": _hundredths(project.consolidated_fte),
             "insertion_fte": _hundredths(project.insertion_fte)}
    reports = []
    for years_on, created_pct, consolidated_pct in JOB_REPORT_STEPS:
        reported_on = date(project_year + years_on, 12, 31)
        if reported_on >= today or created_pct == 100:
            return [*reports, {"reported_on": min(reported_on, today), **final}]
        reports.append({
            "reported_on": reported_on,
            "created_fte": final["created_fte"] * created_pct // 100,
            "consolidated_fte": final["consolidated_fte"] * consolidated_pct // 100,
            "insertion_fte": final["insertion_fte"] * created_pct // 100})
    return reports


def citizen_password(staff_password: str, email: str) -> str:
    """The demo citizens' password: derived from the staff password that loads them, so
    that loading again with it signs them in, and no fixed password exists."""
    return hmac.new(staff_password.encode(), email.encode(), hashlib.sha256).hexdigest()[:32]


def citizen_email(key: str) -> str:
    return f"{key}.demo@{CITIZEN_EMAIL_DOMAIN}"


def matched_cents(contributions, matchfunding) -> int:
    """What the matchfunder adds to these contributions [(citizen, euros, _)], within its
    caps (all of them counted)."""
    by_citizen, total = {}, 0
    for citizen, euros, _ in contributions:
        added = max(0, min(euros * 100, matchfunding["per_contribution_cap_cents"],
                           matchfunding["per_contributor_cap_cents"] - by_citizen.get(citizen, 0),
                           matchfunding["total_cap_cents"] - total))
        by_citizen[citizen] = by_citizen.get(citizen, 0) + added
        total += added
    return total


def _paid_cents(campaign: str) -> int:
    return sum(euros for _, euros, _ in CAMPAIGNS[campaign].contributions) * 100


def expected(year: int, today: date) -> dict:
    """The figures the data set gives in `year` (the current one), for the summary and
    the tests. Money in cents, FTE and hours in hundredths."""
    years = enterprise_years(year)
    latest = [job_reports(project_year, today)[-1] for project_year in years]
    by_kind = {"sale": 0, "mutualisation": 0, "public_grant": 0, "private_grant": 0}
    for resource in RESOURCES:
        kind = resource.kind if resource.kind != "grant" else \
            "public_grant" if resource.funder_type == "public" else "private_grant"
        by_kind[kind] += resource.euros * 100
    circles = {}
    for organisation in ORGANISATIONS.values():
        circles[organisation.circle] = circles.get(organisation.circle, 0) + 1
    return {
        "members": len(ORGANISATIONS), "circles": circles,
        "subscribers": len(SUBSCRIPTIONS),
        "fte_hundredths": sum(_hundredths(s.fte_carried) for s in MUTUALISED_SERVICES.values()),
        "enterprises": len(years), "first_year": FIRST_ENTERPRISE_YEAR, "last_year": year,
        "jobs_consolidated_hundredths": sum(r["consolidated_fte"] for r in latest),
        "jobs_created_hundredths": sum(r["created_fte"] for r in latest),
        "resources_cents": by_kind,
        "region_animation_cents": sum(r.euros for r in REGION_ANIMATION) * 100,
        "region_animation_years": (REGION_ANIMATION[0].year, REGION_ANIMATION[-1].year),
        "crowdfunding_cents": _paid_cents("donation") + _paid_cents("reward"),
        "matchfunding_cents": matched_cents(CAMPAIGNS["donation"].contributions,
                                            CAMPAIGNS["donation"].fields["matchfunding"]),
        "shares_cents": _paid_cents("shares"),
        "volunteering_hundredths": sum(_hundredths(v.hours) for v in VOLUNTEERING),
    }


def _check():
    """The data says what the description says; a slip here fails at import."""
    assert len(ORGANISATIONS) == EXPECTED_MEMBERS
    assert len(SUBSCRIPTIONS) == EXPECTED_SUBSCRIBERS and set(SUBSCRIPTIONS) <= set(ORGANISATIONS)
    assert sum(_hundredths(s.fte_carried) for s in MUTUALISED_SERVICES.values()) == \
        EXPECTED_FTE * 100
    assert {service for subs in SUBSCRIPTIONS.values() for service, _ in subs} == \
        set(MUTUALISED_SERVICES), "every service is used, so that all 9 FTE are carried"
    assert sum(_hundredths(p.consolidated_fte) for p in ENTERPRISE_PROJECTS.values()) == \
        EXPECTED_JOBS_CONSOLIDATED * 100
    assert all(p.consolidated_fte == 0 for year, p in ENTERPRISE_PROJECTS.items()
               if year > 2020), "only 2005-2020 consolidate jobs: 300 whatever the year"
    assert all(r.year <= REGION_SUPPORT_LAST_YEAR for r in REGION_ANIMATION)
    identifiers = [siren(key) for key in ORGANISATIONS] + [
        siren(f"enterprise:{p.enterprise[0]}") for p in ENTERPRISE_PROJECTS.values()
        if not isinstance(p.enterprise, str)]
    assert len(set(identifiers)) == len(identifiers), "a SIREN came out twice"


_check()
