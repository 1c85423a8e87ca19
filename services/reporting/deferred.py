"""Writes a rebuild may keep for its end: one statement per row instead of one per event.

While projecting, the projector reads back some tables (a project's territory and
funders, a contribution's state, the contributors' tallies); it never reads the others
(the yearly counters, the lookups it only fills, the summary). In a rebuild, which runs
alone in one transaction, the changes to those others are merged per row as they come,
and written once at the end. The result is the same as writing them one by one: of the
`set` values the last wins, `add` amounts sum, a `Keep` keeps its greatest version.
"""
from services.reporting.domain.changes import Keep, Upsert

# What the projector reads while it projects (services/reporting/projector.py): changes
# to these are written at once, in order, as in the live handler.
READ_WHILE_PROJECTING = frozenset({
    "report_projects", "report_funder_projects", "report_contributions",
    "report_contributor_tallies", "report_contributors"})


class DeferredWrites:
    def __init__(self):
        self.summary = {}
        self._upserts = {}  # (table, key items) -> Upsert merged so far
        self._keeps = {}    # (table, key items) -> the Keep of the greatest version

    def takes(self, change) -> bool:
        return isinstance(change, (Upsert, Keep)) and change.table not in READ_WHILE_PROJECTING

    def add_to_summary(self, deltas: dict) -> None:
        for name, delta in deltas.items():
            self.summary[name] = self.summary.get(name, 0) + delta

    def add(self, change) -> None:
        row = (change.table, tuple(sorted(change.key.items())))
        if isinstance(change, Keep):
            kept = self._keeps.get(row)
            if kept is None or change.version > kept.version:  # the first of equals stays
                self._keeps[row] = change
            return
        merged = self._upserts.get(row)
        if merged is None:
            self._upserts[row] = Upsert(change.table, change.key, dict(change.set),
                                        dict(change.add))
            return
        if set(change.set) & set(merged.add) or set(change.add) & set(merged.set):
            raise ValueError(f"{change.table}: a column both set and added to")
        merged.set.update(change.set)
        for name, amount in change.add.items():
            merged.add[name] = merged.add.get(name, 0) + amount

    def changes(self) -> list:
        """The merged changes, upserts before keeps. A row both write (a subscription
        started, then ended) shares only columns they give the same values (its
        organisation and service), so their order does not matter."""
        return [*self._upserts.values(), *self._keeps.values()]
