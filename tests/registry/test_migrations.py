"""The migrations build exactly the tables the models describe (types included), on both
databases: a model changed without its migration fails here."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.dialects import postgresql

import sabt.identity.models
import sabt.registration.models
import sabt.registry.models  # noqa: F401  (every part's tables on Base.metadata)
from sabt.kit.orm import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_columns_declared_in_the_c_collation_have_it(engine: Engine) -> None:
    """Alembic's comparison ignores a collation the database does not report as set, so
    this checks it: every column whose PostgreSQL type says COLLATE "C" has it there."""
    if engine.dialect.name != "postgresql":
        pytest.skip("collations are PostgreSQL's here")
    declared = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if 'COLLATE "C"' in column.type.compile(dialect=postgresql.dialect())
    }
    assert ("person", "national_code") in declared and ("ledger", "subject") in declared
    with engine.connect() as conn:
        actual = {
            (table, column)
            for table, column in conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = current_schema() AND collation_name = 'C'"
                )
            )
        }
    assert declared == actual
