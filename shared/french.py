"""French numbers, money, dates and durations, with babel (CLDR): written once for the
pages (gateway/web/formats.py) and the emails (services/notifications).

Money arrives as integer cents and is divided as a Decimal, never as a float. Babel puts
a narrow no-break space between thousands and a no-break space before "€" and "%", so a
figure never breaks across two lines on a phone or in a mail reader.
"""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

LOCALE = "fr_FR"
PARIS = ZoneInfo("Europe/Paris")  # the cluster's days: a deadline is read in its time zone


def euros(cents) -> str:
    """1 234,50 € — or 1 234 € when there are no cents to show."""
    if cents is None:
        return "—"
    amount = Decimal(int(cents)) / 100
    if cents % 100 == 0:
        return format_currency(amount, "EUR", format="#,##0\u00a0¤", locale=LOCALE,
                               currency_digits=False)
    return format_currency(amount, "EUR", locale=LOCALE)


def euros_short(cents) -> str:
    """150 k€, 1,5 M€: a chart's value axis, where room is short."""
    return format_compact_currency(Decimal(int(cents)) / 100, "EUR", locale=LOCALE,
                                   fraction_digits=1)


def number(value) -> str:
    """1 234 or 12,5: as many decimals as the value has (FTE and hours have two)."""
    if value is None:
        return "—"
    return format_decimal(value, locale=LOCALE)


def percent(ratio, decimals=0) -> str:
    """0.4567 -> 46 % (or 45,7 % with one decimal); None (nothing decided yet) -> —."""
    if ratio is None:
        return "—"
    pattern = "#,##0" + ("." + "#" * decimals if decimals else "") + "\u00a0%"
    return format_percent(ratio, format=pattern, locale=LOCALE)


def local_date(value) -> date:
    """The day of the cluster on which an instant (or an ISO 8601 text) falls."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value.astimezone(PARIS).date()
    return value


def long_date(value) -> str:
    """27 novembre 2026; the first of a month is "1er", as French writes it."""
    if value is None:
        return "—"
    day = local_date(value)
    text = format_date(day, format="long", locale=LOCALE)
    return text.replace("1 ", "1er ", 1) if day.day == 1 else text


def month_year(value) -> str:
    """mars 2027: a date known to the month (a reward's estimated delivery)."""
    return format_date(local_date(value), format="MMMM y", locale=LOCALE)


def long_date_time(value) -> str:
    """27 novembre 2026 à 14 h 05, in the cluster's time zone (an instant, or ISO 8601)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(PARIS)
    return f"{long_date(local)} à {local.hour}\u00a0h\u00a0{local.minute:02d}"


def days_left(deadline, today: date) -> str:
    """What a campaign card says of its deadline, counted in the cluster's days."""
    days = (local_date(deadline) - today).days
    if days < 0:
        return "Terminée"
    if days == 0:
        return "Dernier jour"
    if days == 1:
        return "Plus qu'un jour"
    return f"Plus que {number(days)} jours"


def today() -> date:
    return datetime.now(PARIS).date()
