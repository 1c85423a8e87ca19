"""The funders' dashboard (/tableau-de-bord): key figures, then a chart per subject with
its table under it. For staff and funder accounts, as the reports API.

It reads the reporting projections through the same RPC as
`GET /api/v1/reports/dashboard` (gateway/report_routes.py): its five tables in one
answer, with the filters of its form: years, territory, funder. Members' tables are the
whole cluster's: the funder filters only the projects' tables. A funder account that
names its funder sees that funder's view only (gateway/report_routes.py): its funder
field is filled and fixed; another funder's view is refused.
"""
import base64
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, render_template, request, url_for

from gateway.calls import call
from gateway.report_routes import TABLES, own_funder
from gateway.web import formats, labels
from gateway.web.blueprint import READERS, web
from gateway.web.charts import Series, bar_chart, line_chart
from gateway.web.security import signed_in
from shared.cluster import TERRITORIES
from services.reporting.domain.reports import funder_key
from shared.errors import FORBIDDEN, INVALID, NOT_FOUND, DomainError

FILTERS = ("from_year", "to_year", "territory", "funder")
FILTER_MESSAGES = {
    "from_year": "Une année en chiffres, de 1900 à 2100.",
    "to_year": "Une année en chiffres, de 1900 à 2100.",
    "territory": "Choisissez un territoire dans la liste.",
    "funder": "Le nom d'un financeur, en 200 caractères au plus.",
}


@dataclass
class Block:
    """A chart and the table of the same figures under it."""
    id: str
    title: str
    chart: object
    columns: list                       # headers after "Année"
    rows: list                          # (year, [cells])
    totals: list | None = None          # cells of the "Total" row, if it has one
    note: str = ""
    table: str = ""                     # the report it shows, downloadable as CSV

    @property
    def wide(self) -> bool:
        """A table too wide for a laptop's screen scrolls sideways at every width, and
        says so."""
        return len(self.columns) > WIDE_COLUMNS


WIDE_COLUMNS = 7  # past this many columns after the year, a table scrolls at 1366 px


# Each report's CSV file name (as the API's `.csv` routes), and those that take no funder.
CSV_FILES = {table: filename for table, _path, _summary, _query, _answer, filename in TABLES}
MEMBERS_TABLES = frozenset(table for table, *_rest in TABLES if table.startswith("members"))


@web.get("/tableau-de-bord")
@signed_in(READERS)
def dashboard(principal):
    asked = confined(principal, {name: request.args.get(name, "").strip()
                                 for name in FILTERS})
    query = {name: value for name, value in asked.items() if value}
    reports, errors = None, {}
    try:
        reports = call("reporting", "dashboard", query)
    except DomainError as exc:
        errors = filter_errors(exc, asked)
    reference_year = _reference_year(asked["to_year"])
    return render_template(
        "web/dashboard.html", active="dashboard", asked=asked, errors=errors,
        territories=[(code, labels.TERRITORY_LABELS[code]) for code in TERRITORIES],
        reference_year=reference_year,
        figures=key_figures(reports, reference_year, since_start=not asked["from_year"])
        if reports else [],
        blocks=blocks(reports) if reports else [],
        own_funder=own_funder(principal),
        csv_link=lambda table: csv_link(table, asked))


@web.get("/tableau-de-bord/<table>.csv")
@signed_in(READERS)
def dashboard_csv(principal, table):
    """A table of the dashboard for a spreadsheet, with the page's filters: the same file
    as the API's `GET /reports/<table>.csv`, for a reader signed in on the pages."""
    if table not in CSV_FILES:
        abort(404)
    asked = confined(principal, {name: request.args.get(name, "").strip()
                                 for name in FILTERS})
    query = {name: value for name, value in asked.items()
             if value and not (name == "funder" and table in MEMBERS_TABLES)}
    csv = base64.b64decode(call("reporting", "report_csv", table, query))
    return csv, {"Content-Type": "text/csv; charset=utf-8",
                 "Content-Disposition": f'attachment; filename="{CSV_FILES[table]}.csv"'}


def confined(principal, asked: dict) -> dict:
    """The filters asked, with the funder of a funder account confined to its view; another
    funder's view is refused, in French."""
    own = own_funder(principal)
    if own is None:
        return asked
    if asked["funder"] and funder_key(asked["funder"]) != funder_key(own):
        raise DomainError(FORBIDDEN, "page_forbidden",
                          f"Votre compte montre les chiffres de votre financeur seulement : "
                          f"{own}.")
    return {**asked, "funder": own}


def csv_link(table: str, asked: dict) -> str:
    """Where a block's table downloads, with the filters the page shows."""
    chosen = {name: value for name, value in asked.items() if value}
    address = url_for("web.dashboard_csv", table=table)
    return f"{address}?{urlencode(chosen)}" if chosen else address


def _reference_year(to_year):
    """The year of the members' figures: this year, or the range's end if earlier."""
    this_year = formats.today().year
    return min(int(to_year), this_year) if to_year.isdigit() else this_year


def filter_errors(exc, asked):
    """The refusal of a filter, in French, next to its field."""
    if exc.kind == NOT_FOUND and exc.code == "funder_not_found":
        return {"funder": "Aucune subvention enregistrée ne nomme ce financeur."}
    if exc.kind != INVALID:
        raise exc
    fields = exc.details.get("fields", {}) if isinstance(exc.details, dict) else {}
    errors = {name: FILTER_MESSAGES.get(name, "Valeur non valide.") for name in fields}
    if "to_year" in errors and asked["from_year"].isdigit() and asked["to_year"].isdigit():
        errors["to_year"] = "La période se termine avant de commencer."
    return errors or {"form": "Ces filtres ne sont pas valides."}


# --- the key figures -----------------------------------------------------------------

def key_figures(reports, reference_year, since_start=True):
    """The figures at the top. Stocks (members, enterprises, jobs) are those at the end
    of the range; flows (money) are summed over it."""
    members = _members_year(reports["members"]["items"], reference_year)
    incubation = reports["incubation"]["totals"]
    funding = reports["funding"]["totals"]
    resources = reports["resources"]["totals"]
    return [
        (f"Structures adhérentes en {reference_year}", formats.number(members["active_members"]),
         f"dont {formats.number(members['members_using_services'])} utilisent des services "
         f"mutualisés"),
        ("Emplois portés par les services mutualisés",
         f"{formats.number(members['mutualised_fte'])} ETP", "équivalents temps plein"),
        ("Entreprises sociales créées", formats.number(incubation["enterprises_total"]),
         _enterprises_note(reports["incubation"]["items"], since_start)),
        ("Emplois consolidés", f"{formats.number(incubation['jobs_consolidated_fte_total'])} ETP",
         f"et {formats.number(incubation['jobs_created_fte_total'])} ETP créés"),
        ("Collecté auprès des citoyens", formats.euros(funding["net_raised_cents"]),
         f"et {formats.euros(funding['net_matched_cents'])} d'abondement"),
        ("Ressources monétaires", formats.euros(resources["monetary_total_cents"]),
         f"plus {formats.euros(resources['volunteering_cents'])} de bénévolat valorisé"),
    ]


def _enterprises_note(items, since_start):
    created = [item for item in items if item["enterprises_created"]]
    if not since_start:  # the total counts the years before the range too
        return f"dont {formats.number(sum(i['enterprises_created'] for i in created))} " \
               f"sur la période"
    return f"depuis {created[0]['year']}" if created else "aucune pour l'instant"


def _members_year(items, year):
    """The members' item of `year`, or of the last year before it that has one."""
    before = [item for item in items if item["year"] <= year]
    if before:
        return before[-1]
    return {"active_members": 0, "members_using_services": 0, "mutualised_fte": 0}


# --- the charts and their tables -----------------------------------------------------

def blocks(reports):
    """Each block from its report, which its table downloads as."""
    built = []
    for build, table in ((members_block, "members"), (enterprises_block, "incubation"),
                         (jobs_block, "incubation"), (money_block, "funding"),
                         (resources_block, "resources"), (circles_block, "members-breakdown")):
        block = build(reports[table.replace("-", "_")])
        block.table = table
        built.append(block)
    return built


def _years(items):
    return [item["year"] for item in items]


def _fte(value):
    return f"{formats.number(value)}"


def enterprises_block(report):
    items = report["items"]
    chart = bar_chart(_years(items), [Series("Entreprises créées", [item["enterprises_created"]
                                                                     for item in items])],
                      formats.number, integers=True)
    return Block("entreprises", "Entreprises sociales créées, par année", chart,
                 ["Créées dans l'année", "Total depuis le début"],
                 [(item["year"], [formats.number(item["enterprises_created"]),
                                  formats.number(item["enterprises_total"])]) for item in items],
                 [formats.number(report["totals"]["enterprises_created"]),
                  formats.number(report["totals"]["enterprises_total"])] if items else None)


def jobs_block(report):
    items = report["items"]
    chart = line_chart(_years(items), [
        Series("Emplois créés (cumul)", [item["jobs_created_fte_total"] for item in items]),
        Series("Emplois consolidés (cumul)", [item["jobs_consolidated_fte_total"]
                                              for item in items])], _fte)
    return Block("emplois", "Emplois créés et consolidés, en équivalents temps plein", chart,
                 ["Créés dans l'année", "Créés (cumul)", "Consolidés dans l'année",
                  "Consolidés (cumul)"],
                 [(item["year"], [_fte(item["jobs_created_fte"]),
                                  _fte(item["jobs_created_fte_total"]),
                                  _fte(item["jobs_consolidated_fte"]),
                                  _fte(item["jobs_consolidated_fte_total"])]) for item in items],
                 note="Chaque projet compte pour son dernier bilan d'emplois de l'année ; une "
                      "correction remplace le bilan qu'elle corrige.")


def money_block(report):
    items, totals = report["items"], report["totals"]
    chart = bar_chart(_years(items), [
        Series("Contributions des citoyens", [item["net_raised_cents"] for item in items]),
        Series("Abondement", [item["net_matched_cents"] for item in items])],
        formats.euros, formats.euros_short, integers=True)

    def cells(row):
        return [formats.number(row["contributions"]), formats.euros(row["net_raised_cents"]),
                formats.euros(row["net_matched_cents"]), formats.number(row["contributors"]),
                formats.percent(row["success_rate"])]

    return Block("collecte", "Argent collecté en financement participatif, par année", chart,
                 ["Contributions", "Collecté", "Abondement", "Contributeurs",
                  "Campagnes réussies"],
                 [(item["year"], cells(item)) for item in items],
                 cells(totals) if items else None,
                 note="Montants nets : sans les contributions annulées ou remboursées. "
                      "Campagnes réussies : part des campagnes terminées qui ont atteint leur "
                      "objectif.")


def members_block(report):
    items, totals = report["items"], report["totals"]
    chart = line_chart(_years(items), [
        Series("Structures adhérentes", [item["active_members"] for item in items]),
        Series("dont utilisant des services mutualisés",
               [item["members_using_services"] for item in items])],
        formats.number, integers=True)

    def cells(row):
        return [formats.number(row["active_members"]),
                formats.number(row["members_using_services"]),
                f"{_fte(row['mutualised_fte'])} ETP", formats.euros(row["dues_paid_cents"]),
                formats.euros(row["mutualisation_invoiced_cents"])]

    return Block("adherents", "Adhérents, services mutualisés, cotisations et mutualisation",
                 chart, ["Structures adhérentes", "Utilisant des services mutualisés",
                         "Emplois portés par les services", "Cotisations payées",
                         "Mutualisation facturée"],
                 [(item["year"], cells(item)) for item in items],
                 note="Les cotisations payées et la mutualisation facturée aux adhérents "
                      "sont les mêmes sommes dans le tableau des ressources.")


def resources_block(report):
    items, totals = report["items"], report["totals"]
    series = [Series(name, [sum(item[key] for key in keys) for item in items])
              for name, keys in labels.RESOURCE_GROUPS]
    chart = bar_chart(_years(items), series, formats.euros, formats.euros_short, integers=True)

    def cells(row):
        return [*(formats.euros(row[key]) for key in labels.RESOURCES),
                formats.euros(row["monetary_total_cents"]),
                formats.number(row["volunteering_hours"]),
                formats.euros(row["volunteering_cents"])]

    return Block("ressources", "Ressources du pôle et de ses projets, par année", chart,
                 [*labels.RESOURCES.values(), "Total monétaire", "Bénévolat (heures)",
                  "Bénévolat valorisé"],
                 [(item["year"], cells(item)) for item in items],
                 cells(totals) if items else None,
                 note="Cotisations et mutualisation : ce que les adhérents paient et ce qui "
                      "leur est facturé, comme dans le tableau des adhérents. Région : les "
                      "subventions publiques à l'animation du pôle ; subventions de projets : "
                      "celles qui nomment un projet. Le bénévolat est une ressource non "
                      "monétaire : il est valorisé à part, au SMIC horaire brut, et n'entre "
                      "pas dans le total monétaire.")


def circles_block(report):
    counts, circles = {}, []
    for item in report["items"]:
        if item["dimension"] != "circle":
            continue
        counts[(item["year"], item["category"])] = item["active_members"]
        if item["category"] not in circles:
            circles.append(item["category"])
    known = [code for code in labels.CIRCLES if code in circles]
    circles = known + sorted(code for code in circles if code not in known)
    years = sorted({year for year, _ in counts})
    series = [Series(labels.label(labels.CIRCLES, circle),
                     [counts.get((year, circle), 0) for year in years]) for circle in circles]
    chart = bar_chart(years, series, formats.number, integers=True)
    return Block("cercles", "Structures adhérentes par cercle, par année", chart,
                 [*(one.label for one in series), "Total"],
                 [(year, [*(formats.number(counts.get((year, circle), 0)) for circle in circles),
                          formats.number(sum(counts.get((year, circle), 0)
                                             for circle in circles))])
                  for year in years],
                 note="Les adhésions actives de chaque année, selon le cercle choisi à "
                      "l'adhésion.")
