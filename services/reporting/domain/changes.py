"""What an event does to the projections, as plain values the projector applies.

A projection rule is a pure function from an event to a list of these. Each one either
adds to counters (increments commute: the order events arrive in does not matter), sets
facts an event is the only one to carry, or keeps the latest of several versions. The
inbox makes sure each event is applied once.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

ALL_YEARS = 0  # the year of a tally or a count that covers every year
FRENCH_WINTER_OFFSET = timedelta(hours=1)


@dataclass(frozen=True)
class Upsert:
    """The row of `table` with `key`, made at zero if missing; then each `set` column
    takes its value and each `add` column grows by its amount."""

    table: str
    key: dict
    set: dict = field(default_factory=dict)
    add: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Keep:
    """`values` in the row of `table` with `key`, unless the row holds a greater
    `version` (in `version_column`): the latest report wins, whatever order the reports
    arrive in."""

    table: str
    key: dict
    values: dict
    version: str
    version_column: str = "version"


@dataclass(frozen=True)
class Tally:
    """One more (or, negative, one less) counted contribution of `account_id` in `scope`
    and `year`. The number of distinct contributors of (scope, year) moves when a tally
    crosses zero (see `crossing`)."""

    scope: str
    year: int
    account_id: str
    delta: int


def crossing(new_tally: int, delta: int) -> int:
    """+1 when a tally became positive, -1 when it stopped being, else 0. A tally that
    went below zero first (a refund seen before its confirmation) counts nobody until
    it is back above zero, so the count ends the same in any order."""
    return (new_tally > 0) - (new_tally - delta > 0)


def net_tallies(tallies) -> dict:
    """The tallies of one event summed per (scope, year, account_id), in key order, the
    ones that cancel out left out: the crossing of a sum is the sum of the crossings."""
    net = {}
    for tally in tallies:
        key = (tally.scope, tally.year, tally.account_id)
        net[key] = net.get(key, 0) + tally.delta
    return {key: delta for key, delta in sorted(net.items()) if delta}


def hundredths(value) -> int:
    """An FTE or hours figure of an event (a number with two decimals) in hundredths."""
    return int((Decimal(str(value)) * 100).to_integral_value(ROUND_HALF_UP))


def year_of(moment: datetime) -> int:
    """The cluster's year of a moment: years start at midnight in France, and New Year is
    always in winter time (UTC+1), so this needs no time zone database."""
    return (moment.astimezone(timezone.utc) + FRENCH_WINTER_OFFSET).year


def emitted_stamp(occurred_at: datetime) -> str:
    """When an event was emitted, as text that sorts in time order."""
    return occurred_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


def version_stamp(day: date, occurred_at: datetime, tiebreak: str) -> str:
    """A text that sorts as (day, when the event was emitted, tiebreak): of two reports of
    a day, the later one (a correction) wins; `tiebreak` (an id) settles the last ties."""
    return f"{day.isoformat()} {emitted_stamp(occurred_at)} {tiebreak}"


def apply_order(change) -> tuple:
    """The order the projector writes rows in, the same in every transaction, so that two
    handlers that touch the same rows lock them in the same order."""
    if isinstance(change, Tally):
        return ("~tally", change.scope, change.year, change.account_id)
    return (change.table, *(str(change.key[name]) for name in sorted(change.key)))
