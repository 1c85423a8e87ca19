"""Memberships: one per organisation and calendar year, in a circle, with a lifecycle,
and dues that follow a scale. Dates are UTC."""
import uuid
from datetime import datetime, timedelta, timezone

from shared.errors import conflict, invalid

STATUSES = ("applied", "active", "lapsed", "resigned")
ALLOWED_MOVES = {
    "applied": ("active", "resigned"),
    "active": ("lapsed", "resigned"),
    "lapsed": ("active", "resigned"),   # active again when the dues are paid, or on renewal
    "resigned": (),
}
DEFAULT_CIRCLES = ("core", "project", "ally")

# Yearly dues in cents by legal form, then by headcount band: the first band whose upper
# bound (FTE, in hundredths; None for no bound) is not below the organisation's headcount.
DEFAULT_DUES_SCALE = {
    "local_authority": [(None, 50_000)],
    "default": [(500, 5_000), (2_000, 15_000), (None, 30_000)],
}


def check_circle(circle: str, circles) -> None:
    if circle not in circles:
        raise invalid({"circle": [f"A circle is one of: {', '.join(circles)}."]})


def check_move(current: str, target: str) -> None:
    """Only the moves of ALLOWED_MOVES pass."""
    if target not in STATUSES:
        raise invalid({"status": [f"A status is one of: {', '.join(STATUSES)}."]})
    if target not in ALLOWED_MOVES[current]:
        raise conflict("membership_move_not_allowed",
                       f"A membership can't go from {current} to {target}.",
                       current=current, target=target)


def dues_for(scale: dict, legal_form: str, headcount_hundredths: int) -> int:
    for upper, cents in scale.get(legal_form, scale["default"]):
        if upper is None or headcount_hundredths <= upper:
            return cents
    raise ValueError(f"the dues scale for {legal_form} has no open-ended last band")


def new_membership(organisation: dict, year: int, circle: str, status: str, scale: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "organisation_id": organisation["id"],
        "year": year,
        "circle": circle,
        "status": status,
        "dues_cents": dues_for(scale, organisation["legal_form"],
                               organisation["headcount_fte_hundredths"]),
        "paid_cents": 0,
    }


def renewal_start(year: int) -> datetime:
    """A renewed membership is active from the first day of its year."""
    return datetime(year, 1, 1, tzinfo=timezone.utc)


def dues_deadline(year: int, activated_at: datetime, grace: timedelta) -> datetime:
    """Dues are owed from the start of the year, or from activation if later."""
    start = max(datetime(year, 1, 1, tzinfo=timezone.utc), activated_at)
    return start + grace


def lapses(status: str, dues_cents: int, paid_cents: int, year: int, activated_at,
           now: datetime, grace: timedelta) -> bool:
    """An active membership whose dues are still unpaid after the grace period lapses."""
    return (status == "active" and paid_cents < dues_cents and activated_at is not None
            and now >= dues_deadline(year, activated_at, grace))


def after_payment(status: str, dues_cents: int, paid_cents: int) -> str:
    """A lapsed membership whose dues are now paid in full is active again."""
    return "active" if status == "lapsed" and paid_cents >= dues_cents else status


def renewal_opens(year: int, month_day: tuple) -> datetime:
    month, day = month_day
    return datetime(year, month, day, tzinfo=timezone.utc)


def years_to_renew(now: datetime, opens_on: tuple) -> list:
    """The years whose active memberships are renewed into the next year by now: last
    year's (a renewal missed in December still happens), and this year's once the renewal
    date has come."""
    years = [now.year - 1]
    if now >= renewal_opens(now.year, opens_on):
        years.append(now.year)
    return years


def check_payment(amount_cents: int, dues_cents: int, paid_cents: int) -> None:
    if amount_cents > dues_cents - paid_cents:
        raise invalid({"amount_cents": [
            f"Only {dues_cents - paid_cents} cents of dues remain to be paid."]})
