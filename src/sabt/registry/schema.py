"""Create or migrate a database to the current schema (every command calls this first)."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "sabt:migrations")
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision (creating it from empty if need be)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def ensure(engine: Engine) -> None:
    """Upgrade only when needed (cheap check on every command)."""
    if not is_current(engine):
        upgrade(engine)
