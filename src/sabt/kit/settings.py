"""Settings from the environment; one place lists them all.

| variable | meaning | default |
|---|---|---|
| SABT_DATABASE_URL | the register's database | sqlite:///./sabt.db |
| SABT_HOME | the instance directory (keys, per-instance files) | ./.sabt |
| SABT_OPERATOR_TOKEN | bearer token for staff endpoints until staff accounts exist | none: denied |
| SABT_NOW | fix the clock at this ISO instant (tests, demos) | the system clock |
"""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sabt.kit import clock

DEFAULT_DATABASE_URL = "sqlite:///./sabt.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    operator_token: str | None


def load() -> Settings:
    """Read the settings (and install a fixed clock when SABT_NOW is set)."""
    fixed = os.environ.get("SABT_NOW")
    if fixed:
        clock.set_clock(clock.FixedClock(datetime.fromisoformat(fixed)))
    return Settings(
        database_url=os.environ.get("SABT_DATABASE_URL") or DEFAULT_DATABASE_URL,
        home=Path(os.environ.get("SABT_HOME") or ".sabt"),
        operator_token=os.environ.get("SABT_OPERATOR_TOKEN") or None,
    )


def instance_dir(settings: Settings) -> Path:
    """The instance directory, created (private to its owner) on first use."""
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return settings.home
