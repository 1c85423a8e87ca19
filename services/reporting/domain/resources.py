"""The cluster's resources per year, in the kinds its description lists: sales of
services, members' dues, mutualisation income, the Region's support of the cluster's
animation, public grants to projects, foundations, private investors, other private
money, crowdfunding and its matchfunding (from the funding rules), and volunteering
valued in euros, shown apart as a non-monetary resource as French association accounts
do.

Dues and mutualisation income are those members pay and are invoiced (members' events),
so this table and the members' one give the same figures; mutualisation income recorded
by hand in funding (years before invoicing was on the platform) adds to it.

A resource no project carries (the cluster's own: its sales, dues, mutualisation, the
public support of its animation) is kept under the project key `cluster`: it counts in
the cluster's figures, not in a territory's or a funder's, which cover projects. A
public grant without a project supports the cluster's animation (the Region's, in the
description); one with a project is a project grant. A grant's funder and project tell
which projects a funder funded.
"""
from services.reporting.domain.changes import Keep, Upsert
from services.reporting.domain.funding import CLUSTER
from services.reporting.domain.reports import funder_key, sums, year_span

# The kinds of monetary resource, in the order of the table; they add up to the total.
MONETARY = ("sales_cents", "dues_cents", "mutualisation_cents", "region_cents",
            "project_grants_cents", "foundations_cents", "private_investors_cents",
            "other_private_cents", "crowdfunding_cents", "matchfunding_cents")
# Subtotals kept for the readers of the first version of the report (not in the total).
SUBTOTALS = {"public_grants_cents": ("region_cents", "project_grants_cents"),
             "private_grants_cents": ("foundations_cents", "private_investors_cents",
                                      "other_private_cents")}
NON_MONETARY = ("volunteering_hours", "volunteering_cents")
# What the projection keeps per (project, year): a grant adds to its public or private
# column, and a foundation's or investors' grant to its own column too.
STORED = ("sales_cents", "dues_cents", "mutualisation_cents", "public_grants_cents",
          "private_grants_cents", "foundations_cents", "private_investors_cents",
          "crowdfunding_cents", "matchfunding_cents")
COLUMN_BY_KIND = {"sale": "sales_cents", "mutualisation": "mutualisation_cents"}
PRIVATE_DETAIL = {"foundation": "foundations_cents",
                  "private_investor": "private_investors_cents"}


def _project(data) -> str:
    return str(data["project_id"]) if data.get("project_id") else CLUSTER


def columns(data) -> list:
    """The columns a recorded resource adds to: a grant is public or private money (a
    grant without a funder type is counted as other private money), a foundation's or
    private investors' grant adds to its own column too."""
    if data["kind"] != "grant":
        return [COLUMN_BY_KIND[data["kind"]]]
    funder_type = data.get("funder_type")
    if funder_type == "public":
        return ["public_grants_cents"]
    return ["private_grants_cents", *([PRIVATE_DETAIL[funder_type]]
                                      if funder_type in PRIVATE_DETAIL else [])]


def cluster_income(year: int, column: str, amount_cents: int) -> Upsert:
    """Income of the cluster itself (members' dues, mutualisation invoiced) in a year."""
    return Upsert("report_resources", {"project_id": CLUSTER, "year": year},
                  add={column: amount_cents})


def funder_of(data):
    """(key, name) of the funder a recorded grant names, or None."""
    name = data.get("funder")
    if data["kind"] != "grant" or not name or not name.strip():
        return None
    return funder_key(name), " ".join(name.split())


def resource_recorded(data, occurred_at):
    changes = [Upsert("report_resources", {"project_id": _project(data), "year": data["year"]},
                      add=dict.fromkeys(columns(data), data["amount_cents"]))]
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

def kinds(row, cluster_public_cents) -> dict:
    """The kinds of MONETARY resource from the STORED columns summed over a year, and the
    public grants of the cluster's own row (those that support its animation)."""
    return {"sales_cents": row["sales_cents"], "dues_cents": row["dues_cents"],
            "mutualisation_cents": row["mutualisation_cents"],
            "region_cents": cluster_public_cents,
            "project_grants_cents": row["public_grants_cents"] - cluster_public_cents,
            "foundations_cents": row["foundations_cents"],
            "private_investors_cents": row["private_investors_cents"],
            "other_private_cents": row["private_grants_cents"] - row["foundations_cents"]
            - row["private_investors_cents"],
            "crowdfunding_cents": row["crowdfunding_cents"],
            "matchfunding_cents": row["matchfunding_cents"]}


def resources_years(rows, from_year, to_year):
    """The resources table, one item per year. rows: dicts (year, cluster, *STORED,
    volunteering_hours_hundredths, volunteering_cents) summed per year and per whether
    they are the cluster's own row (`cluster`) or projects' rows."""
    by_year, cluster_public = {}, {}
    for row in rows:
        if not any(row[name] for name in (*STORED, "volunteering_hours_hundredths",
                                          "volunteering_cents")):
            continue
        summed = by_year.setdefault(row["year"], dict.fromkeys(
            (*STORED, "volunteering_hours_hundredths", "volunteering_cents"), 0))
        for name in summed:
            summed[name] += row[name]
        if row.get("cluster"):
            cluster_public[row["year"]] = cluster_public.get(row["year"], 0) + \
                row["public_grants_cents"]
    items = []
    for year in year_span(by_year, from_year, to_year):
        row = by_year.get(year)
        item = {"year": year, **(kinds(row, cluster_public.get(year, 0)) if row
                                 else dict.fromkeys(MONETARY, 0))}
        item["monetary_total_cents"] = sum(item[name] for name in MONETARY)
        for subtotal, parts in SUBTOTALS.items():
            item[subtotal] = sum(item[name] for name in parts)
        item["volunteering_hours"] = row["volunteering_hours_hundredths"] if row else 0
        item["volunteering_cents"] = row["volunteering_cents"] if row else 0
        items.append(item)
    return {"items": items,
            "totals": sums(items, (*MONETARY, *SUBTOTALS, "monetary_total_cents",
                                   *NON_MONETARY))}
