"""Fresh, migrated databases for each test that asks, on PostgreSQL or SQLite.

Each service's migrations run once per session into a template; every test then gets a
copy (PostgreSQL `CREATE DATABASE ... TEMPLATE`, or a file copy), which takes tens of
milliseconds instead of a migration run.
"""
import shutil
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from shared import migrate
from shared.database import with_driver


class Databases:
    def __init__(self, admin_url: str | None, workdir: Path):
        self.admin_url = admin_url
        self.workdir = workdir
        self.prefix = f"t{uuid.uuid4().hex[:8]}"
        self._templates = {}
        self._created = []
        self._admin = (sa.create_engine(with_driver(admin_url), isolation_level="AUTOCOMMIT",
                                        poolclass=sa.NullPool) if admin_url else None)

    @property
    def backend(self):
        return "postgresql" if self.admin_url else "sqlite"

    def new(self, service_name: str) -> str:
        template = self._templates.get(service_name) or self._make_template(service_name)
        return self._copy(template, f"{self.prefix}_{service_name}_{uuid.uuid4().hex[:6]}")

    def copy_of(self, url: str) -> str:
        """A new database copied from the one at `url` (which nobody may be connected
        to): a benchmark's data, made once, for several runs."""
        name = make_url(url).database
        if self._admin is None:
            name = Path(name).stem
        return self._copy(name, f"{self.prefix}_copy_{uuid.uuid4().hex[:6]}")

    def empty(self, label: str) -> str:
        """A database with no table yet: for a test that runs migrations step by step."""
        return self._create(f"{self.prefix}_{label}_{uuid.uuid4().hex[:6]}")

    def _make_template(self, service_name):
        name = f"{self.prefix}_{service_name}_template"
        url = self._create(name)
        migrate.upgrade(service_name, url)
        self._templates[service_name] = name
        return name

    def _create(self, name):
        if self._admin is None:
            return f"sqlite:///{self.workdir / name}.sqlite"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self._created.append(name)
        return self._url(name)

    def _copy(self, template, name):
        if self._admin is None:
            source = self.workdir / f"{template}.sqlite"
            target = self.workdir / f"{name}.sqlite"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        with self._admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._created.append(name)
        return self._url(name)

    def _url(self, name):
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self):
        if self._admin is None:
            return
        with self._admin.connect() as connection:
            for name in reversed(self._created):
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()
