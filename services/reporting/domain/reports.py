"""What every report shares: its filters, the years a table shows, and its totals."""
from shared.errors import invalid

MIN_YEAR, MAX_YEAR = 1900, 2100
ALL = "all"


def funder_key(name: str) -> str:
    """How a funder's name is compared: case and spacing don't make another funder."""
    return " ".join(name.split()).casefold()


def check_years(from_year, to_year) -> None:
    if from_year is not None and to_year is not None and from_year > to_year:
        raise invalid({"to_year": [f"The range ends before it starts ({from_year})."]})


def contributor_scope(territory=None, funder=None) -> str:
    """The scope distinct contributors are counted in for these filters (a funder by its
    key). The projector keeps every scope a project belongs to up to date."""
    if funder is not None and territory is not None:
        return f"funder:{funder}|territory:{territory}"
    if funder is not None:
        return f"funder:{funder}"
    if territory is not None:
        return f"territory:{territory}"
    return ALL


def project_scopes(project_id: str, territory, funders) -> list:
    """Every scope a project's contributors count in: its own, the platform's, its
    territory's (once known), each of its funders', and each funder's in the territory."""
    scopes = [f"project:{project_id}", ALL]
    if territory is not None:
        scopes.append(contributor_scope(territory=territory))
    for funder in sorted(funders):
        scopes.append(contributor_scope(funder=funder))
        if territory is not None:
            scopes.append(contributor_scope(territory, funder))
    return scopes


def in_range(year, from_year, to_year) -> bool:
    return (from_year is None or year >= from_year) and (to_year is None or year <= to_year)


def year_span(data_years, from_year=None, to_year=None) -> list:
    """The years a table shows: every year from the first to the last that has data,
    within the range asked (a year with no data inside shows zeros); none when no data
    falls in the range."""
    years = [year for year in data_years if in_range(year, from_year, to_year)]
    return list(range(min(years), max(years) + 1)) if years else []


def sums(items, names) -> dict:
    return {name: sum(item[name] for item in items) for name in names}


def last_values(items, names) -> dict:
    """The figures of the last year shown (stocks: members, jobs, cumulated totals)."""
    return {name: items[-1][name] if items else 0 for name in names}


def success_rate(succeeded: int, failed: int):
    """The share of decided campaigns that succeeded, from 0 to 1; None before any."""
    decided = succeeded + failed
    return round(succeeded / decided, 4) if decided else None
