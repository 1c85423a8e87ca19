"""Alembic, pointed at one service: its own database, its own migrations/versions."""
from alembic import command
from alembic.config import Config

from shared.config import REPO_ROOT, SERVICE_NAMES, database_url


def alembic_config(service_name: str, url: str | None = None) -> Config:
    if service_name not in SERVICE_NAMES:
        raise SystemExit(f"unknown service {service_name!r}; one of {', '.join(SERVICE_NAMES)}")
    config = Config()
    config.set_main_option("path_separator", "os")
    config.set_main_option("script_location", str(REPO_ROOT / "shared" / "alembic"))
    config.set_main_option(
        "version_locations", str(REPO_ROOT / "services" / service_name / "migrations" / "versions")
    )
    config.attributes["service"] = service_name
    config.attributes["url"] = url or database_url(service_name)
    return config


def upgrade(service_name: str, url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(service_name, url), revision)


def revision(service_name: str, message: str, autogenerate: bool = False) -> None:
    command.revision(alembic_config(service_name), message=message, autogenerate=autogenerate)
