"""How the pages write numbers, money, dates and durations: French, with babel (CLDR).

The functions live in shared/french.py, which the emails use too; this module gives
them to the templates as filters.
"""
from shared.french import (  # noqa: F401  (the pages' vocabulary, imported from here)
    LOCALE,
    PARIS,
    days_left,
    euros,
    euros_short,
    local_date,
    long_date,
    long_date_time,
    month_year,
    number,
    percent,
    today,
)

FILTERS = {"euros": euros, "number": number, "percent": percent, "long_date": long_date}
