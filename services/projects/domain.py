"""Projects' rules: the incubation pipeline from idea to social enterprise, its partners,
support, milestones and outcomes. Pure Python."""
import uuid

from shared.cluster import TERRITORIES  # noqa: F401  (projects' vocabulary)
from shared.errors import FORBIDDEN, DomainError, check_done_by, conflict, invalid

FIELDS = ("circular_economy", "proximity_economy", "citizen_economy")
PIPELINE = ("idea", "emergence", "incubation", "launched", "consolidated")
STAGES = (*PIPELINE, "abandoned")
FIRST_STAGE = "idea"
# Going back one step is a documented return: it needs a reason. Launch has its own door.
RETURNS = {("emergence", "idea"), ("incubation", "emergence"), ("consolidated", "launched")}
PARTNER_CIRCLES = ("core", "project", "ally", "outside")
FORMALISATIONS = ("informal", "agreement", "contract")
SUPPORT_KINDS = ("diagnostic", "business_plan", "training", "mentoring", "networking")
VISIBILITIES = ("public", "contributors")
STAFF = frozenset({"animator", "operator"})
# One support entry is the hours given to a project on one day: a day has 24 of them.
MAX_SUPPORT_HOURS_A_DAY = 24


def new_project(data: dict, carrier_organisation_id) -> dict:
    """The values of a project entering the pipeline, from validated input. It is carried
    by a member organisation, or by founders who are not one yet: one or the other."""
    founders = " ".join((data.get("founders") or "").split()) or None
    if bool(carrier_organisation_id) == bool(founders):
        raise invalid({"carrier_organisation_id": [
            "A project is carried by an organisation, or by founders (names): one of them."]})
    return {
        "id": str(uuid.uuid4()),
        "title": " ".join(data["title"].split()),
        "summary": data["summary"].strip(),
        "field": data["field"],
        "commune": data["commune"].strip(),
        "territory": data.get("territory") or "outside",
        "carrier_organisation_id": carrier_organisation_id,
        "founders": founders,
        "animator_account_id": str(data["animator_account_id"])
        if data.get("animator_account_id") else None,
        "tags": sorted({tag.strip().lower() for tag in data.get("tags") or [] if tag.strip()}),
        "stage": FIRST_STAGE,
    }


def check_can_edit(carrier_organisation_id, actor: dict) -> None:
    """Animators and operators edit every project; a member admin only those its
    organisation carries."""
    roles = set(actor.get("roles") or ())
    if roles & STAFF:
        return
    if "member_admin" in roles and carrier_organisation_id \
            and actor.get("organisation_id") == carrier_organisation_id:
        return
    raise DomainError(FORBIDDEN, "not_your_project",
                      "Only animators and the carrying organisation's admins may do this.")


def check_may_carry(carrier_organisation_id, actor: dict) -> None:
    """A member admin submits only projects its own organisation carries."""
    roles = set(actor.get("roles") or ())
    if roles & STAFF or not carrier_organisation_id:
        return
    if carrier_organisation_id != actor.get("organisation_id"):
        raise invalid({"carrier_organisation_id": [
            "A member admin submits projects its own organisation carries."]})


def check_stage_move(current: str, target: str, reason) -> None:
    """Forward one step, a documented return with a reason, or abandon with a reason."""
    if current == "abandoned":
        raise conflict("project_abandoned", "An abandoned project moves no more.")
    if target == "abandoned":
        if not reason:
            raise invalid({"reason": ["Say why the project is abandoned."]})
        return
    if target == "launched" and current != "consolidated":
        raise conflict("launch_needs_enterprise",
                       "A project is launched by recording the enterprise it created.")
    if (current, target) in RETURNS:
        if not reason:
            raise invalid({"reason": ["A step back needs a reason."]})
        return
    if target in PIPELINE and PIPELINE.index(target) == PIPELINE.index(current) + 1:
        return
    raise conflict("stage_move_not_allowed",
                   f"A project can't go from {current} to {target}.", current=current,
                   target=target)


def check_launch(current: str) -> None:
    if current not in ("idea", "emergence", "incubation"):
        raise conflict("already_launched_or_closed",
                       f"A project that is {current} can't create its enterprise now.")


def check_job_report(data: dict) -> None:
    """Of the jobs reported, the insertion jobs are a part, not an addition."""
    if data["insertion_fte"] > data["created_fte"] + data["consolidated_fte"]:
        raise invalid({"insertion_fte": [
            "Insertion jobs are part of the jobs created and consolidated."]})


def check_support(hours_hundredths: int, given_on, today) -> None:
    """Hours of support given on one day: more than none, no more than the day holds,
    and on a day that has come."""
    if not 0 < hours_hundredths <= MAX_SUPPORT_HOURS_A_DAY * 100:
        raise invalid({"hours": [
            f"Hours given on one day: more than 0, at most {MAX_SUPPORT_HOURS_A_DAY}."]})
    check_done_by("given_on", given_on, today)


def days_in_stage(entered_at, now) -> int:
    return (now - entered_at).days


def board(projects, now) -> list:
    """Projects by stage, in pipeline order, each with how long it has been there; the
    longest-waiting first."""
    columns = {stage: [] for stage in STAGES}
    for project in projects:
        columns[project["stage"]].append({**project, "days_in_stage": days_in_stage(
            project["stage_entered_at"], now)})
    return [{"stage": stage, "projects": sorted(items, key=lambda p: -p["days_in_stage"])}
            for stage, items in columns.items()]


# --- edits ---------------------------------------------------------------------------

def _changed(current: dict, after: dict) -> dict:
    """The columns of `after` whose value differs from `current`'s."""
    return {column: value for column, value in after.items() if current.get(column) != value}


def edit_project(current: dict, changes: dict) -> dict:
    """The columns an edit of a project changes, normalised as at submission. Founders
    carry a project only when no organisation does: one or the other, still. Its
    territory and carrier are not edited here: funders' reports are scoped by them."""
    after = {}
    if "title" in changes:
        after["title"] = " ".join(changes["title"].split())
    if "summary" in changes:
        after["summary"] = changes["summary"].strip()
    if "field" in changes:
        after["field"] = changes["field"]
    if "commune" in changes:
        after["commune"] = changes["commune"].strip()
    if "tags" in changes:
        after["tags"] = sorted({tag.strip().lower() for tag in changes["tags"] or []
                                if tag.strip()})
    if "animator_account_id" in changes:
        animator = changes["animator_account_id"]
        after["animator_account_id"] = str(animator) if animator else None
    if "founders" in changes:
        founders = " ".join((changes["founders"] or "").split()) or None
        if bool(current.get("carrier_organisation_id")) == bool(founders):
            raise invalid({"founders": [
                "A project is carried by an organisation, or by founders (names): one of "
                "them."]})
        after["founders"] = founders
    for name in ("title", "summary", "commune"):
        if name in after and not after[name]:
            raise invalid({name: ["This may not be blank."]})
    return _changed(current, after)


def edit_partner(current: dict, changes: dict) -> dict:
    """The columns an edit of a partner changes: its circle, how formal the tie is, its
    role, its dates (an end not before the start), whether it is shown publicly."""
    after = {name: changes[name] for name in ("circle", "formalisation", "starts_on",
                                               "ends_on", "shown_publicly") if name in changes}
    if "role" in changes:
        after["role"] = (changes["role"] or "").strip() or None
    starts_on = after.get("starts_on", current.get("starts_on"))
    ends_on = after.get("ends_on", current.get("ends_on"))
    if starts_on and ends_on and ends_on < starts_on:
        raise invalid({"ends_on": ["A partnership ends on or after the day it starts."]})
    return _changed(current, after)


def edit_milestone(current: dict, changes: dict) -> dict:
    """The columns an edit of a milestone changes: its title and due date."""
    after = {}
    if "title" in changes:
        after["title"] = " ".join(changes["title"].split())
        if not after["title"]:
            raise invalid({"title": ["This may not be blank."]})
    if "due_on" in changes:
        after["due_on"] = changes["due_on"]
    return _changed(current, after)


def _reason(changes: dict) -> str:
    reason = " ".join((changes.get("reason") or "").split())
    if not reason:
        raise invalid({"reason": ["Say why the figure is corrected: it is kept in the "
                                  "project's history."]})
    return reason


HUNDREDTHS = "_hundredths"


def _as_text(column, value):
    if value is None:
        return None
    if column.endswith(HUNDREDTHS):
        return f"{value / 100:g}"  # hours and FTE as read: 450 is "4.5"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def history_of(current: dict, changes: dict) -> list:
    """(field, before, after) of each column a correction changes, as text, named and
    written as the API names and writes them (hours, not hundredths)."""
    return [(column.removesuffix(HUNDREDTHS),
             _as_text(column, current.get(column)), _as_text(column, value))
            for column, value in sorted(changes.items())]


def _corrected(changes: dict) -> None:
    if not changes:
        raise invalid({"_schema": ["A correction changes a figure: give one that differs "
                                   "from the one recorded."]})


def correct_support(current: dict, changes: dict, today) -> tuple:
    """A staff correction of support given: (columns changed, reason). Its hours and day
    obey the rules of a new entry; a correction says why, and changes something."""
    reason = _reason(changes)
    after = {name: changes[name] for name in ("kind", "given_on") if name in changes}
    if "hours" in changes:
        after["hours_hundredths"] = changes["hours"]
    if "given_by" in changes:
        after["given_by"] = " ".join(changes["given_by"].split())
    check_support(after.get("hours_hundredths", current["hours_hundredths"]),
                  after.get("given_on", current["given_on"]), today)
    after = _changed(current, after)
    _corrected(after)
    return after, reason


def correct_jobs(current: dict, changes: dict) -> tuple:
    """A staff correction of a job report's figures: (columns changed, reason). The day
    of the report stays (a figure at another day is another report); insertion jobs stay
    a part of the jobs created and consolidated."""
    reason = _reason(changes)
    figures = ("created_fte", "consolidated_fte", "insertion_fte")
    merged = {name: changes.get(name, current[f"{name}_hundredths"]) for name in figures}
    check_job_report(merged)
    after = _changed(current, {f"{name}_hundredths": merged[name] for name in figures})
    _corrected(after)
    return after, reason
