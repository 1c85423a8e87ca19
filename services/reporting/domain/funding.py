"""Funding figures: money raised per year, by campaign kind and model, matchfunding,
money given back, refunds, success rate and distinct contributors.

A contribution counts in the year it was confirmed (`contribution_confirmed`). When it
stops counting (cancelled, failed or refunded with `was_counted`), it is taken off that
same year, so a year's net figure is what that year's contributions finally brought.
The cancellation may arrive before the confirmation: the contribution's state (a row of
`report_contributions`) remembers it, and the confirmation then applies both. Refunds,
as money given back, are counted in the year they happen.

Distinct contributors are accounts (offline contributions without an account count in
`contributions`, not in `contributors`). Each account's counted contributions are
tallied per scope (the platform, a territory, a funder, a funder in a territory) and
year; a contributor counts while their tally is above zero.
"""
from dataclasses import dataclass, replace

from services.funding.domain.campaigns import KINDS, MODELS
from services.reporting.domain.changes import ALL_YEARS, Tally, Upsert, year_of
from services.reporting.domain.reports import success_rate, sums, year_span

CLUSTER = "cluster"  # the project key of what no project carries (the cluster's own)
UNCOUNTING = ("funding.contribution_cancelled", "funding.contribution_failed",
              "funding.contribution_refunded")
COUNTERS = ("contributions", "raised_cents", "matched_cents", "given_back",
            "given_back_cents", "given_back_matched_cents", "refunds", "refunded_cents",
            "campaigns_succeeded", "campaigns_failed")
FLOWS = ("contributions", "raised_cents", "matched_cents", "given_back_cents",
         "net_raised_cents", "net_matched_cents", "refunds", "refunded_cents",
         "campaigns_succeeded", "campaigns_failed")


def _funding_row(data, year, **add):
    return Upsert("report_funding", {"project_id": str(data["project_id"]), "year": year,
                                     "kind": data["kind"], "model": data["model"]}, add=add)


def _decided(column):
    def rule(data, occurred_at):
        return [_funding_row(data, year_of(data["decided_at"]), **{column: 1})]
    return rule


def contribution_refunded(data, occurred_at):
    return [_funding_row(data, year_of(data["at"]), refunds=1, refunded_cents=data["amount_cents"])]


PROJECTIONS = {
    "funding.campaign_succeeded": _decided("campaigns_succeeded"),
    "funding.campaign_failed": _decided("campaigns_failed"),
    "funding.contribution_refunded": contribution_refunded,
}


# --- a contribution counted, and given back -----------------------------------------

@dataclass(frozen=True)
class ContributionState:
    """What reporting remembers of a contribution to count it once and uncount it once,
    in its confirmation's year, whatever order the two arrive in."""

    confirmed_year: int | None = None
    account_id: str | None = None
    uncounted: bool = False
    uncounted_cents: int = 0
    uncounted_matched_cents: int = 0


def _counted(data, year, account_id, scopes, sign):
    amount, matched = data["amount_cents"], data["matched_cents"]
    if sign > 0:
        changes = [_funding_row(data, year, contributions=1, raised_cents=amount,
                                matched_cents=matched)]
    else:
        changes = [_funding_row(data, year, given_back=1, given_back_cents=amount,
                                given_back_matched_cents=matched)]
    changes.append(Upsert("report_resources", {"project_id": str(data["project_id"]),
                                               "year": year},
                          add={"crowdfunding_cents": sign * amount,
                               "matchfunding_cents": sign * matched}))
    if account_id is not None:
        changes += [Tally(scope, tally_year, account_id, sign)
                    for scope in scopes for tally_year in (year, ALL_YEARS)]
    return changes


def confirmed(state: ContributionState, data, scopes):
    """(changes, new state) for `contribution_confirmed`. `scopes`: the project's."""
    if state.confirmed_year is not None:
        return [], state
    year = year_of(data["confirmed_at"])
    account = str(data["contributor_account_id"]) if data["contributor_account_id"] else None
    changes = _counted(data, year, account, scopes, +1)
    if state.uncounted:
        changes += _counted({**data, "amount_cents": state.uncounted_cents,
                             "matched_cents": state.uncounted_matched_cents},
                            year, account, scopes, -1)
    return changes, replace(state, confirmed_year=year, account_id=account)


def uncounted(state: ContributionState, data, scopes):
    """(changes, new state) for a contribution that stopped counting (`was_counted`)."""
    if state.uncounted or not data["was_counted"]:
        return [], state
    new_state = replace(state, uncounted=True, uncounted_cents=data["amount_cents"],
                        uncounted_matched_cents=data["matched_cents"])
    if state.confirmed_year is None:
        return [], new_state  # applied when the confirmation arrives
    return (_counted(data, state.confirmed_year, state.account_id, scopes, -1), new_state)


def merged(project_tallies, new_scopes):
    """When a project joins scopes (its territory became known, a funder funded it), the
    tallies it holds so far join them too. project_tallies: (year, account_id, tally)."""
    return [Tally(scope, year, account, tally)
            for scope in new_scopes for year, account, tally in project_tallies if tally]


# --- reading -------------------------------------------------------------------------

def _with_net(row):
    return {**row, "net_raised_cents": row["raised_cents"] - row["given_back_cents"],
            "net_matched_cents": row["matched_cents"] - row["given_back_matched_cents"],
            "success_rate": success_rate(row["campaigns_succeeded"], row["campaigns_failed"])}


def _totals(items, extra=None):
    totals = sums(items, FLOWS)
    return {**totals, **(extra or {}),
            "success_rate": success_rate(totals["campaigns_succeeded"],
                                         totals["campaigns_failed"])}


def funding_years(rows, contributors, from_year, to_year, all_years_contributors):
    """The funding table, one item per year. rows: dicts (year, *COUNTERS) summed per
    year; contributors: distinct contributors by year; all_years_contributors: over every
    year, or None (distinct counts of several years do not add up)."""
    by_year = {row["year"]: row for row in rows}
    items = [_with_net({"year": year,
                        **{name: by_year.get(year, {}).get(name, 0) for name in COUNTERS},
                        "contributors": contributors.get(year, 0)})
             for year in year_span({*by_year, *contributors}, from_year, to_year)]
    return {"items": [{name: value for name, value in item.items()
                       if name not in ("given_back", "given_back_matched_cents")}
                      for item in items],
            "totals": _totals(items, {"contributors": all_years_contributors})}


def funding_by_kind(rows):
    """One item per (year, kind, model) with money. rows: dicts (year, kind, model,
    *COUNTERS)."""
    order = {name: index for index, name in enumerate((*KINDS, *MODELS))}
    items = [_with_net(row) for row in sorted(
        rows, key=lambda row: (row["year"], order.get(row["kind"], 99), row["kind"],
                               order.get(row["model"], 99), row["model"]))]
    return {"items": [{name: value for name, value in item.items()
                       if name not in ("given_back", "given_back_matched_cents")}
                      for item in items],
            "totals": _totals(items)}
