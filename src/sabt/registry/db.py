"""Engines, sessions and the schema, for SQLite (embedded default) and PostgreSQL."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sabt.kit.errors import BadInput


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise BadInput(
            "bad_database_url", f"نشانی پایگاه داده نامعتبر است: {url}", f"bad database URL: {url}"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BadInput(
            "bad_database_url",
            "فقط SQLite و PostgreSQL پشتیبانی می‌شوند",
            f"only SQLite and PostgreSQL are supported, not {parsed.drivername}",
        )
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    """An engine with the settings the register relies on (foreign keys on SQLite, WAL)."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling is switched off so that a write transaction can
    # start with BEGIN IMMEDIATE: the writer then holds the database's write lock from its
    # first read of the ledger head, and a second writer waits instead of forking the chain.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sabt_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session for one write transaction: committed on success, rolled back on error."""
    writer = engine.execution_options(sabt_write=True)
    with Session(writer, expire_on_commit=False) as session, session.begin():
        yield session
