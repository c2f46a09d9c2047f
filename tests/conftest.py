"""Database fixtures: every test that takes `engine` runs on SQLite, and on PostgreSQL too
when SABT_TEST_DATABASE_URL is set (each test in a schema of its own, dropped after)."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, create_engine, text

from sabt import followers
from sabt.kit import clock
from sabt.registry import schema
from sabt.registry.db import make_engine, normalize_url

PG_URL = os.environ.get("SABT_TEST_DATABASE_URL")
# The tests call the parts' services directly, as the API and the CLI do after installing
# the followers; tests/cli/test_followers.py checks that the real commands install them.
followers.install()


def _pg_schema_url(base: str, name: str) -> str:
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{name}"


@contextmanager
def _pg_schema(prefix: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new schema, dropped afterwards."""
    assert PG_URL
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {name}"))
    try:
        yield _pg_schema_url(PG_URL, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db')}/sabt.db"
        return
    if not PG_URL:
        pytest.skip("SABT_TEST_DATABASE_URL is not set")
    with _pg_schema("t") as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    schema.ensure(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def second_url(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second, empty database of the same kind as `db_url` (for replay)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path_factory.mktemp('db2')}/replay.db"
        return
    with _pg_schema("r") as url:
        yield url


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    fixed = clock.FixedClock(datetime(2025, 9, 22, 8, 0, tzinfo=UTC))
    previous = clock.set_clock(fixed)
    yield fixed
    clock.set_clock(previous)
