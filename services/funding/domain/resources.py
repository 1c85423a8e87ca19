"""The cluster's other resources, for funders' reporting: grants, sales of services,
mutualisation income, and volunteering valued at a reference hourly rate."""
import uuid

from shared.cluster import FUNDER_TYPES  # noqa: F401 (the kinds of grant funder)
from shared.errors import check_done_by, invalid

GRANT, SALE, MUTUALISATION = "grant", "sale", "mutualisation"
RESOURCE_KINDS = (GRANT, SALE, MUTUALISATION)


def new_resource(data: dict, recorded_by) -> dict:
    """A grant names its funder and its type (public money, a foundation, private
    investors, other private money: shared.cluster.FUNDER_TYPES); other resources don't
    have a funder type."""
    errors = {}
    if data["kind"] == GRANT:
        if not data.get("funder"):
            errors["funder"] = ["A grant names its funder."]
        if not data.get("funder_type"):
            errors["funder_type"] = ["Say whether the grant is public or private money."]
    elif data.get("funder_type"):
        errors["funder_type"] = ["Only a grant has a funder type."]
    if errors:
        raise invalid(errors)
    return {"id": str(uuid.uuid4()), **data, "recorded_by": recorded_by,
            "project_id": str(data["project_id"]) if data.get("project_id") else None}


def valued_cents(hours_hundredths: int, hour_value_cents: int) -> int:
    """Volunteer hours in euros, rounded to the nearest cent (half up)."""
    return (hours_hundredths * hour_value_cents + 50) // 100


def new_volunteering(data: dict, hour_value_cents: int, recorded_by, today) -> dict:
    """Volunteering done on a day that has come (`today`: the cluster's day)."""
    if data["hours"] <= 0:
        raise invalid({"hours": ["Volunteering takes some time: more than 0 hours."]})
    check_done_by("done_on", data["done_on"], today)
    return {
        "id": str(uuid.uuid4()),
        "hours_hundredths": data["hours"],
        "done_on": data["done_on"],
        "activity": " ".join(data["activity"].split()),
        "project_id": str(data["project_id"]) if data.get("project_id") else None,
        "hour_value_cents": hour_value_cents,
        "valued_cents": valued_cents(data["hours"], hour_value_cents),
        "recorded_by": recorded_by,
    }
