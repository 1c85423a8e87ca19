"""Reporting's rules, pure Python: how each event moves the figures (projections), and
how the figures read back into report tables. One module per subject: `summary`,
`members`, `incubation`, `funding`, `resources`; `changes` holds what a rule gives the
projector, `reports` what every report shares, `spreadsheets` the CSV export."""
from services.reporting.domain import funding, incubation, members, resources
from services.reporting.domain.summary import SUMMARY_FIGURES, summary_changes  # noqa: F401

# Rules that need nothing but the event. The projector adds what needs state it keeps:
# a contribution's confirmation and uncounting, and the scopes a project joins.
PROJECTIONS = {**members.PROJECTIONS, **incubation.PROJECTIONS, **funding.PROJECTIONS,
               **resources.PROJECTIONS}


def changes(event_type: str, data: dict, occurred_at) -> list:
    """What an event does to the projections, beyond the summary (empty if nothing)."""
    rule = PROJECTIONS.get(event_type)
    return rule(data, occurred_at) if rule else []
