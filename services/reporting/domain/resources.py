"""The cluster's resources per year: sales of services, mutualisation income, public
grants, private grants (foundations, calls for projects, private investors),
crowdfunding and its matchfunding (from the funding rules), and volunteering valued in
euros, shown apart as a non-monetary resource as French association accounts do.

A resource no project carries (the cluster's own: its sales, the Region's support of its
animation) is kept under the project key `cluster`: it counts in the cluster's figures,
not in a territory's or a funder's, which cover projects. A grant's funder and project
tell which projects a funder funded.
"""
from services.reporting.domain.changes import Keep, Upsert
from services.reporting.domain.funding import CLUSTER
from services.reporting.domain.reports import funder_key, sums, year_span

MONETARY = ("sales_cents", "mutualisation_cents", "public_grants_cents",
            "private_grants_cents", "crowdfunding_cents", "matchfunding_cents")
NON_MONETARY = ("volunteering_hours", "volunteering_cents")
COLUMN_BY_KIND = {"sale": "sales_cents", "mutualisation": "mutualisation_cents"}


def _project(data) -> str:
    return str(data["project_id"]) if data.get("project_id") else CLUSTER


def category(data) -> str:
    """The column a recorded resource adds to: a grant is public or private money (a grant
    without a funder type is counted as private)."""
    if data["kind"] == "grant":
        return "public_grants_cents" if data.get("funder_type") == "public" \
            else "private_grants_cents"
    return COLUMN_BY_KIND[data["kind"]]


def funder_of(data):
    """(key, name) of the funder a recorded grant names, or None."""
    name = data.get("funder")
    if data["kind"] != "grant" or not name or not name.strip():
        return None
    return funder_key(name), " ".join(name.split())


def resource_recorded(data, occurred_at):
    changes = [Upsert("report_resources", {"project_id": _project(data), "year": data["year"]},
                      add={category(data): data["amount_cents"]})]
    funder = funder_of(data)
    if funder is not None:
        # Of names that differ only in case or spacing, one is kept whatever the order
        # grants arrive in: the greatest.
        changes.append(Keep("report_funders", {"funder_key": funder[0]}, values={},
                            version=funder[1], version_column="name"))
    return changes


def volunteering_recorded(data, occurred_at):
    return [Upsert("report_resources", {"project_id": _project(data), "year": data["year"]},
                   add={"volunteering_hours_hundredths": data["hours_hundredths"],
                        "volunteering_cents": data["valued_cents"]})]


PROJECTIONS = {
    "funding.resource_recorded": resource_recorded,
    "funding.volunteering_recorded": volunteering_recorded,
}


# --- reading -------------------------------------------------------------------------

def resources_years(rows, from_year, to_year):
    """The resources table, one item per year. rows: dicts (year, *MONETARY,
    volunteering_hours_hundredths, volunteering_cents) summed per year."""
    by_year = {row["year"]: row for row in rows
               if any(row[name] for name in (*MONETARY, "volunteering_hours_hundredths",
                                             "volunteering_cents"))}
    items = []
    for year in year_span(by_year, from_year, to_year):
        row = by_year.get(year, {})
        item = {"year": year, **{name: row.get(name, 0) for name in MONETARY}}
        item["monetary_total_cents"] = sum(item[name] for name in MONETARY)
        item["volunteering_hours"] = row.get("volunteering_hours_hundredths", 0)
        item["volunteering_cents"] = row.get("volunteering_cents", 0)
        items.append(item)
    return {"items": items,
            "totals": sums(items, (*MONETARY, "monetary_total_cents", *NON_MONETARY))}
