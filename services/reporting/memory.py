"""Every projection in memory, for a rebuild: the same questions as the database
(projector.Tables) answered from dicts, the same changes applied to dicts, and the
whole written at the end, each table in batches of many rows per statement.

A rebuild replays the archive alone, in one transaction: nothing else reads or writes
the projections meanwhile, so what the live handler must read back from its tables (a
project's territory and funders, a contribution's state, the tallies) is as well kept
here, and no row need be written before the end. The rows are those the live handler
would leave: a row is made when the database would make it (a project or a contribution
locked before its facts arrive stays, empty), counters start at their column's default,
and tallies and contributor counts back at zero are gone, as `projector._add_all`
deletes them.
"""
from services.reporting import models, projector
from services.reporting.domain import funding
from services.reporting.domain.changes import Tally, Upsert, crossing, net_tallies

# Rows per INSERT batch when the state is written.
WRITE_BATCH = 5000

_TALLIES = models.ReportContributorTally.__table__.name
_CONTRIBUTORS = models.ReportContributors.__table__.name
_CONTRIBUTIONS = models.ReportContribution.__table__.name
_FUNDER_PROJECTS = models.ReportFunderProject.__table__.name
_PROJECTS = models.ReportProject.__table__.name
_SPECIAL = (_TALLIES, _CONTRIBUTORS, _CONTRIBUTIONS, _FUNDER_PROJECTS)


def _layout(table):
    """(primary key's column names, every other column's default) of a table."""
    key = tuple(column.name for column in table.primary_key.columns)
    defaults = {column.name: column.default.arg if column.default is not None else None
                for column in table.columns if column.name not in key}
    return key, defaults


LAYOUTS = {table.name: _layout(table) for table in models.PROJECTION_TABLES}
_EMPTY_CONTRIBUTION = funding.ContributionState()


class Memory:
    """The projections of a rebuild, as projector.project_into asks and changes them."""

    def __init__(self):
        self.summary = {}
        self.rows = {name: {} for name in LAYOUTS if name not in _SPECIAL}
        self.contributions = {}    # contribution_id -> funding.ContributionState
        self.funders = {}          # project_id -> [funder_key, ...]
        self.tallies = {}          # scope -> {(year, account_id): contributions}
        self.contributors = {}     # (scope, year) -> distinct contributors

    # --- the questions projector.project_into asks ------------------------------------

    def add_to_summary(self, deltas) -> None:
        summary = self.summary
        for name, delta in deltas.items():
            summary[name] = summary.get(name, 0) + delta

    def project(self, project_id):
        row = self._row(_PROJECTS, (project_id,))
        return row["territory"], list(self.funders.get(project_id, ()))

    def contribution(self, contribution_id):
        state = self.contributions.get(contribution_id)
        if state is None:
            state = self.contributions[contribution_id] = _EMPTY_CONTRIBUTION
        return state

    def set_contribution(self, contribution_id, state) -> None:
        self.contributions[contribution_id] = state

    def project_tallies(self, project_id) -> list:
        return [(year, account, tally) for (year, account), tally
                in self.tallies.get(f"project:{project_id}", {}).items()]

    def add_funder(self, funder_key, project_id) -> bool:
        funders = self.funders.setdefault(project_id, [])
        if funder_key in funders:
            return False
        funders.append(funder_key)
        return True

    def apply(self, changes) -> None:
        tallies = []
        for change in changes:
            if isinstance(change, Tally):
                if change.delta:
                    tallies.append(change)
            elif isinstance(change, Upsert):
                row = self._row(change.table, self._key(change))
                row.update(change.set)
                for name, amount in change.add.items():
                    row[name] += amount
            else:  # Keep: the greatest version wins
                row = self._row(change.table, self._key(change))
                version = row[change.version_column]
                if version is None or change.version > version:
                    row.update(change.values)
                    row[change.version_column] = change.version
        if tallies:
            self._tally(tallies)

    # --- inside -------------------------------------------------------------------------

    def _key(self, change):
        return tuple(change.key[name] for name in LAYOUTS[change.table][0])

    def _row(self, table, key):
        rows = self.rows[table]
        row = rows.get(key)
        if row is None:
            row = rows[key] = dict(LAYOUTS[table][1])
        return row

    def _tally(self, tallies):
        """As projector._tally: the tallies summed per key, then the contributors of each
        (scope, year) whose tallies crossed zero; counts back at zero are dropped."""
        moves = {}
        for (scope, year, account), delta in net_tallies(tallies).items():
            of_scope = self.tallies.setdefault(scope, {})
            value = of_scope.get((year, account), 0) + delta
            if value:
                of_scope[(year, account)] = value
            else:
                del of_scope[(year, account)]
            moves[(scope, year)] = moves.get((scope, year), 0) + crossing(value, delta)
        for key, moved in moves.items():
            if moved:
                value = self.contributors.get(key, 0) + moved
                if value:
                    self.contributors[key] = value
                else:
                    del self.contributors[key]

    # --- the end ------------------------------------------------------------------------

    def table_rows(self, name):
        """Every row of a projection table, as dicts of all its columns."""
        if name == _CONTRIBUTIONS:
            return ({"contribution_id": key, **vars(state)}
                    for key, state in self.contributions.items())
        if name == _FUNDER_PROJECTS:
            return ({"funder_key": funder, "project_id": project}
                    for project, funders in self.funders.items() for funder in funders)
        if name == _TALLIES:
            return ({"scope": scope, "year": year, "account_id": account,
                     "contributions": tally}
                    for scope, of_scope in self.tallies.items()
                    for (year, account), tally in of_scope.items())
        if name == _CONTRIBUTORS:
            return ({"scope": scope, "year": year, "contributors": count}
                    for (scope, year), count in self.contributors.items())
        key_names = LAYOUTS[name][0]
        return ({**dict(zip(key_names, key, strict=True)), **row}
                for key, row in self.rows[name].items())

    def write(self, session) -> dict:
        """Insert every row into the (emptied) projection tables, and add the summary's
        figures; the rows written per table."""
        written = {}
        for table in models.PROJECTION_TABLES:
            count, batch = 0, []
            for row in self.table_rows(table.name):
                batch.append(row)
                if len(batch) == WRITE_BATCH:
                    session.execute(table.insert(), batch)
                    count, batch = count + len(batch), []
            if batch:
                session.execute(table.insert(), batch)
                count += len(batch)
            written[table.name] = count
        if self.summary:
            projector.add_to_summary(session, self.summary)
        return written
