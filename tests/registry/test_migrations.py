"""The migrations build exactly the tables the models describe (types included), on both
databases: a model changed without its migration fails here."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

import sabt.identity.models
import sabt.registration.models
import sabt.registry.models  # noqa: F401  (every part's tables on Base.metadata)
from sabt.kit.orm import Base


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
