"""Applies an event to every projection: the same rules for the live handler (in the
archive's transaction, behind the inbox) and for the rebuild.

The rules are pure (services.reporting.domain). What they need besides the event (a
project's territory and funders, a contribution's state, a project's tallies) they ask
of a *state*: `Tables` here, the database in the caller's transaction, for the live
handler; `services.reporting.memory.Memory`, every projection in dicts, for a rebuild,
which writes it at its end. Both answer the same questions the same way, so a rebuild
gives the live tables row by row (tests/integration/test_reporting.py).

In the database, the rows that serialise the changes of one project or one contribution
are locked first (so that a confirmation and its refund, or a contribution and the grant
that brings its project into a funder's view, never miss each other), and the writes
come in one fixed order so that concurrent handlers lock rows in the same order.
"""
import logging
from functools import lru_cache
from typing import Callable, NamedTuple

import sqlalchemy as sa

from services.reporting import domain, models, schemas
from services.reporting.domain import funding
from services.reporting.domain.changes import Keep, Upsert, apply_order, crossing, net_tallies
from services.reporting.domain.reports import project_scopes
from services.reporting.domain.resources import funder_of
from shared.database import dialect_insert, insert_ignoring_duplicate

log = logging.getLogger(__name__)

TABLES = models.metadata.tables
CONFIRMED = "funding.contribution_confirmed"


class Plan(NamedTuple):
    """What an event does, decided from the event alone (no state read): the summary's
    increments, its data as the rules read it (None if not projected), the changes its
    own rule gives, and the rule that asks the state for more (None if none)."""
    summary: dict
    data: dict | None
    changes: list
    asking: Callable | None

    @property
    def moves_anything(self) -> bool:
        """False for an event reporting only archives (a pledge, a question asked)."""
        return bool(self.summary or self.changes or self.asking)


def plan(envelope) -> Plan:
    event_type = envelope["type"]
    summary = domain.summary_changes(event_type, envelope["data"])
    spec = schemas.CONSUMED.get(event_type)
    if spec is None:
        return Plan(summary, None, [], None)
    if envelope["version"] < spec.version:
        # An older version lacks fields the rules read: archived, not projected.
        log.warning("event older than the version reporting reads: not projected",
                    extra={"event_id": str(envelope["event_id"]), "type": event_type,
                           "version": envelope["version"]})
        return Plan(summary, None, [], None)
    data = spec.read(envelope["data"])
    return Plan(summary, data, domain.changes(event_type, data, envelope["occurred_at"]),
                _asking_rule(event_type, data))


def _asking_rule(event_type, data):
    """The rule of this event that needs state (state -> changes), if it has one."""
    if event_type == CONFIRMED or (event_type in funding.UNCOUNTING and data["was_counted"]):
        return lambda state: _count(state, event_type, data)
    if event_type == "projects.project_submitted":
        return lambda state: _project_in_territory(state, str(data["project_id"]),
                                                   data["territory"])
    if event_type == "funding.resource_recorded":
        return lambda state: _funder_of_project(state, data)
    return None


def project(session, envelope, planned: Plan | None = None) -> None:
    """Move every projection by one event (an envelope as shared.envelope reads it), in
    the session's transaction."""
    project_into(Tables(session), envelope, planned)


def project_into(state, envelope, planned: Plan | None = None) -> None:
    """Move every projection of `state` (Tables or memory.Memory) by one event."""
    summary, data, changes, asking = planned or plan(envelope)
    if summary:
        state.add_to_summary(summary)
    if data is None:
        return
    state.apply(changes + asking(state) if asking else changes)


# --- what needs state, asked of the state --------------------------------------------

def _scopes(state, project_id):
    """(the project's territory, its funders, the scopes its contributors count in)."""
    territory, funders = state.project(project_id)
    return territory, funders, project_scopes(project_id, territory, funders)


def _count(state, event_type, data):
    """A contribution counted, or no longer: under its project's lock, then its own."""
    _, _, scopes = _scopes(state, str(data["project_id"]))
    contribution_id = str(data["contribution_id"])
    current = state.contribution(contribution_id)
    rule = funding.confirmed if event_type == CONFIRMED else funding.uncounted
    changes, new_state = rule(current, data, scopes)
    if new_state != current:
        state.set_contribution(contribution_id, new_state)
    return changes


def _joined(state, project_id, before, after):
    """The project's tallies so far, added to each scope it joins now."""
    new_scopes = [scope for scope in after if scope not in before]
    if not new_scopes:
        return []
    return funding.merged(state.project_tallies(project_id), new_scopes)


def _project_in_territory(state, project_id, territory):
    _, funders, before = _scopes(state, project_id)
    return _joined(state, project_id, before, project_scopes(project_id, territory, funders))


def _funder_of_project(state, data):
    funder = funder_of(data)
    if funder is None or not data.get("project_id"):
        return []
    project_id = str(data["project_id"])
    territory, funders, before = _scopes(state, project_id)
    if not state.add_funder(funder[0], project_id):
        return []  # this funder funded this project already
    after = project_scopes(project_id, territory, [*funders, funder[0]])
    return _joined(state, project_id, before, after)


# --- the state in the database (the live handler) --------------------------------------

class Tables:
    """The projections in the database, in the session's transaction: each question a
    statement, the rows that serialise a project's or a contribution's changes locked."""

    def __init__(self, session):
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def add_to_summary(self, deltas) -> None:
        add_to_summary(self.session, deltas)

    def project(self, project_id):
        """(territory, funders) of a project; its row made empty if missing, and locked."""
        row = self._locked(models.ReportProject, {"project_id": project_id})
        table = models.ReportFunderProject.__table__
        funders = self.session.scalars(sa.select(table.c.funder_key)
                                       .where(table.c.project_id == project_id)).all()
        return row.territory, funders

    def contribution(self, contribution_id) -> funding.ContributionState:
        """A contribution's state; its row made empty if missing, and locked."""
        row = self._locked(models.ReportContribution, {"contribution_id": contribution_id})
        return funding.ContributionState(
            confirmed_year=row.confirmed_year, account_id=row.account_id,
            uncounted=row.uncounted, uncounted_cents=row.uncounted_cents,
            uncounted_matched_cents=row.uncounted_matched_cents)

    def set_contribution(self, contribution_id, state) -> None:
        table = models.ReportContribution.__table__
        self.session.execute(table.update().where(table.c.contribution_id == contribution_id)
                             .values(vars(state)))

    def project_tallies(self, project_id) -> list:
        """(year, account_id, tally) of the project's own scope."""
        table = models.ReportContributorTally.__table__
        return self.session.execute(
            sa.select(table.c.year, table.c.account_id, table.c.contributions)
            .where(table.c.scope == f"project:{project_id}")).all()

    def add_funder(self, funder_key, project_id) -> bool:
        """Note that a funder funded a project; False if it was known."""
        return insert_ignoring_duplicate(self.session, models.ReportFunderProject.__table__,
                                         {"funder_key": funder_key, "project_id": project_id})

    def apply(self, changes) -> None:
        apply(self.session, changes)

    def _locked(self, model, key: dict):
        """The row of `model` with `key`, made empty if missing, locked until commit."""
        return self.session.execute(_locking(self.dialect, model.__tablename__, tuple(key)),
                                    key).one()


def add_to_summary(session, deltas):
    table = models.Summary.__table__
    session.execute(table.update().where(table.c.id == models.SUMMARY_ID)
                    .values({name: table.c[name] + delta for name, delta in deltas.items()}))


def apply(session, changes) -> None:
    """Write `changes`: rows in one fixed order, each statement built once per shape."""
    dialect = session.get_bind().dialect.name
    tallies = []
    for change in sorted(changes, key=apply_order):
        if isinstance(change, (Upsert, Keep)):
            session.execute(*_row_write(dialect, change))
        elif change.delta:
            tallies.append(change)
    if tallies:
        _tally(session, dialect, tallies)


def _row_write(dialect, change):
    """(statement, parameters) of an Upsert or a Keep; the statement built once per shape."""
    if isinstance(change, Upsert):
        return (_upsert(dialect, change.table, tuple(change.key), tuple(change.set),
                        tuple(change.add)),
                {**change.key, **change.set, **change.add})
    return (_keep(dialect, change.table, tuple(change.key), tuple(change.values),
                  change.version_column),
            {**change.key, **change.values, change.version_column: change.version})


@lru_cache(maxsize=256)
def _upsert(dialect, table_name, key, set_, add):
    table = TABLES[table_name]
    insert = dialect_insert(dialect, table)
    update = {name: insert.excluded[name] for name in set_}
    update.update({name: table.c[name] + insert.excluded[name] for name in add})
    return (insert.on_conflict_do_update(index_elements=list(key), set_=update) if update
            else insert.on_conflict_do_nothing())


@lru_cache(maxsize=64)
def _keep(dialect, table_name, key, values, column):
    table = TABLES[table_name]
    insert = dialect_insert(dialect, table)
    return insert.on_conflict_do_update(
        index_elements=list(key),
        set_={name: insert.excluded[name] for name in (*values, column)},
        where=sa.or_(table.c[column].is_(None), insert.excluded[column] > table.c[column]))


@lru_cache(maxsize=8)
def _adding(dialect, table_name, key, column):
    """Add to a counter, many rows in one statement, answering each row's new value."""
    table = TABLES[table_name]
    insert = dialect_insert(dialect, table)
    return (insert.on_conflict_do_update(
        index_elements=list(key), set_={column: table.c[column] + insert.excluded[column]})
        .returning(*(table.c[name] for name in (*key, column))))


@lru_cache(maxsize=8)
def _delete_zero(table_name, key, column):
    table = TABLES[table_name]
    return table.delete().where(table.c[column] == 0,
                                *(table.c[name] == sa.bindparam(name) for name in key))


def _add_all(session, dialect, table_name, key, column, rows) -> dict:
    """Add to many counters; their new values by key. Rows back at zero are deleted: the
    rows are then the same whether a tally went up and down or never moved (a merge skips
    zeros), and the tables stay the size of what counts."""
    answers = session.execute(_adding(dialect, table_name, key, column), rows).all()
    values = {tuple(answer[:-1]): answer[-1] for answer in answers}
    zeros = [dict(zip(key, found, strict=True)) for found, value in values.items() if value == 0]
    if zeros:
        session.execute(_delete_zero(table_name, key, column), zeros)
    return values


def _tally(session, dialect, tallies):
    """Every tally of one event in one statement (deltas on one key summed: the crossing
    of a sum is the sum of the crossings); then the distinct contributors of each (scope,
    year) whose tallies crossed zero."""
    net = net_tallies(tallies)
    if not net:
        return
    values = _add_all(session, dialect, "report_contributor_tallies",
                      ("scope", "year", "account_id"), "contributions",
                      [{"scope": scope, "year": year, "account_id": account, "contributions": d}
                       for (scope, year, account), d in net.items()])
    moves = {}
    for (scope, year, account), delta in net.items():
        moves[(scope, year)] = moves.get((scope, year), 0) + crossing(
            values[(scope, year, account)], delta)
    moves = {key: moved for key, moved in sorted(moves.items()) if moved}
    if moves:
        _add_all(session, dialect, "report_contributors", ("scope", "year"), "contributors",
                 [{"scope": scope, "year": year, "contributors": moved}
                  for (scope, year), moved in moves.items()])


@lru_cache(maxsize=8)
def _locking(dialect, table_name, key):
    table = TABLES[table_name]
    insert = dialect_insert(dialect, table)
    # Made if missing and, either way, locked (an upsert locks the row it updates) and
    # read back, in one statement.
    return (insert.on_conflict_do_update(index_elements=list(key),
                                         set_={key[0]: insert.excluded[key[0]]})
            .returning(*table.c))
