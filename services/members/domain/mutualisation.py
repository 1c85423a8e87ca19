"""Mutualised services: the staff members share, what each carries, what it costs."""
import calendar
import uuid
from datetime import date

from shared.errors import conflict, invalid

PRICINGS = ("hourly", "monthly")


def new_service(data: dict) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "name": " ".join(data["name"].split()),
        "description": (data.get("description") or "").strip() or None,
        "fte_carried_hundredths": data["fte_carried"],
        "pricing": data["pricing"],
        "price_cents": data["price_cents"],
    }


def new_subscription(organisation_id: str, service: dict, data: dict) -> dict:
    hours = data.get("hours_per_month")
    if service["pricing"] == "hourly" and not hours:
        raise invalid({"hours_per_month": ["An hourly service needs hours per month."]})
    if service["pricing"] == "monthly" and hours:
        raise invalid({"hours_per_month": ["A monthly service is not counted in hours."]})
    if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise invalid({"ends_on": ["A subscription ends after it starts."]})
    return {
        "id": str(uuid.uuid4()),
        "organisation_id": organisation_id,
        "service_id": service["id"],
        "hours_per_month_hundredths": hours,
        "starts_on": data["starts_on"],
        "ends_on": data.get("ends_on"),
    }


def month_bounds(year: int, month: int):
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def runs_during(starts_on: date, ends_on, first: date, last: date) -> bool:
    return starts_on <= last and (ends_on is None or ends_on >= first)


def fee_cents(pricing: str, price_cents: int, hours_per_month_hundredths) -> int:
    """A month's fee: the monthly price, or the hours times the hourly price, rounded to
    the nearest cent (half up), in integers only."""
    if pricing == "monthly":
        return price_cents
    return (hours_per_month_hundredths * price_cents + 50) // 100


def invoice_lines(subscriptions, year: int, month: int) -> list:
    """One line per subscription that ran during the month. Each subscription is a dict
    with its service's `name`, `pricing` and `price_cents`."""
    first, last = month_bounds(year, month)
    return [{"subscription_id": sub["id"], "service_id": sub["service_id"],
             "service": sub["name"],
             "hours_per_month_hundredths": sub["hours_per_month_hundredths"],
             "amount_cents": fee_cents(sub["pricing"], sub["price_cents"],
                                       sub["hours_per_month_hundredths"])}
            for sub in subscriptions
            if runs_during(sub["starts_on"], sub["ends_on"], first, last)]


def left_to_pay(total_cents: int, paid_cents: int) -> int:
    return max(total_cents - paid_cents, 0)


def invoice_status(total_cents: int, paid_cents: int) -> str:
    """unpaid, partly_paid or paid: what the invoice's payments add up to."""
    if paid_cents <= 0 and total_cents > 0:
        return "unpaid"
    return "paid" if paid_cents >= total_cents else "partly_paid"


def check_invoice_payment(amount_cents: int, total_cents: int, paid_cents: int) -> None:
    """A payment never takes an invoice beyond its total: more is refused (the state of
    the invoice forbids it, whatever the amount's form)."""
    left = left_to_pay(total_cents, paid_cents)
    if amount_cents > left:
        raise conflict("invoice_overpaid",
                       f"Only {left} cents of this invoice remain to be paid.",
                       left_cents=left)
