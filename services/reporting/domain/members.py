"""Members' figures: active members per year, by circle, legal form and territory; the
organisations using mutualised services and the jobs (FTE) those services carry; dues
and mutualisation fees.

Membership events carry the organisation, not its legal form or territory: those come
from `organisation_registered`, kept in a lookup and joined when a report is read, so a
membership counted before its organisation's registration arrived still lands in the
right place.
"""
from collections import defaultdict
from datetime import date

from services.reporting.domain.changes import Keep, Upsert, emitted_stamp, hundredths
from services.reporting.domain.reports import last_values, sums, year_span
from services.reporting.domain.resources import cluster_income

ACTIVE = "active"
UNKNOWN = "unknown"  # an organisation whose registration has not arrived (yet)
DIMENSIONS = ("circle", "legal_form", "territory")
STOCKS = ("active_members", "members_using_services", "organisations_using_services",
          "mutualised_fte")
FLOWS = ("dues_paid_cents", "mutualisation_invoiced_cents")


def _id(value) -> str:
    return str(value)


def organisation_registered(data, occurred_at):
    return [Keep("report_organisations", {"organisation_id": _id(data["organisation_id"])},
                 values={"legal_form": data["legal_form"], "territory": data["territory"]},
                 version=data.get("version", 1))]


def organisation_updated(data, occurred_at):
    """An edit's legal form and territory, unless a later edit's arrived first."""
    return organisation_registered(data, occurred_at)


def _membership(data, active):
    return [Upsert("report_memberships", {"membership_id": _id(data["membership_id"])},
                   set={"organisation_id": _id(data["organisation_id"]), "year": data["year"],
                        "circle": data["circle"]},
                   add={"active": active})]


def membership_applied(data, occurred_at):
    return _membership(data, 0)


def membership_renewed(data, occurred_at):
    return _membership(data, 1)  # a renewal is active at once, with no status event


def membership_status_changed(data, occurred_at):
    return _membership(data, (data["to_status"] == ACTIVE) - (data["from_status"] == ACTIVE))


def _money(data, column, amount):
    return [Upsert("report_member_money",
                   {"organisation_id": _id(data["organisation_id"]), "year": data["year"]},
                   add={column: amount})]


def dues_paid(data, occurred_at):
    """A member's dues, and the same money in the cluster's resources."""
    return [*_money(data, "dues_paid_cents", data["amount_cents"]),
            cluster_income(data["year"], "dues_cents", data["amount_cents"])]


def mutualisation_invoiced(data, occurred_at):
    """A member's mutualisation invoice, and the same money in the cluster's resources:
    the mutualisation income of the resources table is what members are invoiced."""
    return [*_money(data, "mutualisation_invoiced_cents", data["total_cents"]),
            cluster_income(data["year"], "mutualisation_cents", data["total_cents"])]


def mutualised_service_added(data, occurred_at):
    return [Upsert("report_mutualised_services", {"service_id": _id(data["service_id"])},
                   set={"fte_hundredths": hundredths(data["fte_carried"])})]


def subscription_started(data, occurred_at):
    return [Upsert("report_subscriptions", {"subscription_id": _id(data["subscription_id"])},
                   set={"organisation_id": _id(data["organisation_id"]),
                        "service_id": _id(data["service_id"]), "starts_on": data["starts_on"],
                        "planned_ends_on": data["ends_on"]})]


def subscription_ended(data, occurred_at):
    # Its own column: whichever of started and ended arrives first, the end given when
    # the subscription was ended wins over the one planned when it started; of two ends,
    # the later one given.
    return [Keep("report_subscriptions", {"subscription_id": _id(data["subscription_id"])},
                 values={"organisation_id": _id(data["organisation_id"]),
                         "service_id": _id(data["service_id"]), "ended_on": data["ends_on"]},
                 version=f"{emitted_stamp(occurred_at)} {data['ends_on'].isoformat()}",
                 version_column="ended_version")]


PROJECTIONS = {
    "members.organisation_registered": organisation_registered,
    "members.organisation_updated": organisation_updated,
    "members.membership_applied": membership_applied,
    "members.membership_renewed": membership_renewed,
    "members.membership_status_changed": membership_status_changed,
    "members.dues_paid": dues_paid,
    "members.mutualisation_invoiced": mutualisation_invoiced,
    "members.mutualised_service_added": mutualised_service_added,
    "members.subscription_started": subscription_started,
    "members.subscription_ended": subscription_ended,
}


# --- reading -------------------------------------------------------------------------

def subscription_years(starts_on: date, ends_on, this_year: int) -> range:
    """The years a subscription runs in; an open one runs until this year."""
    last = ends_on.year if ends_on is not None else max(this_year, starts_on.year)
    return range(starts_on.year, last + 1)


def members_years(memberships, subscriptions, services_fte, money, from_year, to_year,
                  this_year):
    """The members table, one item per year, and its totals.

    memberships: dicts (year, organisation_id) of the active ones; subscriptions: dicts
    (organisation_id, service_id, starts_on, ends_on); services_fte: FTE in hundredths by
    service id; money: dicts (year, dues_paid_cents, mutualisation_invoiced_cents).
    An organisation uses the services in a year when one of its subscriptions runs in it;
    the FTE of a year are those of the services someone uses that year.
    """
    active = defaultdict(set)
    for membership in memberships:
        active[membership["year"]].add(membership["organisation_id"])
    users, used = defaultdict(set), defaultdict(set)
    for sub in subscriptions:
        for year in subscription_years(sub["starts_on"], sub["ends_on"], this_year):
            users[year].add(sub["organisation_id"])
            used[year].add(sub["service_id"])
    paid = defaultdict(lambda: dict.fromkeys(FLOWS, 0))
    for row in money:
        for name in FLOWS:
            paid[row["year"]][name] += row[name]
    items = [{"year": year, "active_members": len(active[year]),
              "members_using_services": len(active[year] & users[year]),
              "organisations_using_services": len(users[year]),
              "mutualised_fte": sum(services_fte.get(service, 0) for service in used[year]),
              **paid[year]}
             for year in year_span({*active, *users, *paid}, from_year, to_year)]
    return {"items": items, "totals": {**last_values(items, STOCKS), **sums(items, FLOWS)}}


def members_breakdown(memberships, from_year, to_year):
    """Active members per year by circle, by legal form and by territory: one item per
    (year, dimension, category). memberships: dicts (year, organisation_id, circle,
    legal_form, territory) of the active ones; a missing legal form or territory is
    `unknown`."""
    counts = defaultdict(set)
    for membership in memberships:
        if not (from_year is None or membership["year"] >= from_year) or \
                not (to_year is None or membership["year"] <= to_year):
            continue
        for dimension in DIMENSIONS:
            category = membership[dimension] or UNKNOWN
            counts[(membership["year"], dimension, category)].add(membership["organisation_id"])
    order = {dimension: index for index, dimension in enumerate(DIMENSIONS)}
    return {"items": [{"year": year, "dimension": dimension, "category": category,
                       "active_members": len(organisations)}
                      for (year, dimension, category), organisations in
                      sorted(counts.items(), key=lambda item: (item[0][0], order[item[0][1]],
                                                               item[0][2]))]}
