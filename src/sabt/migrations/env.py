"""Alembic environment: one migration history for every part's tables.

Run through `sabt.registry.schema.upgrade` (which passes an open connection), or through
`sabt db upgrade`.
"""

from alembic import context

from sabt.documents import models as documents_models  # noqa: F401  (registers tables)
from sabt.estates import models as estates_models  # noqa: F401
from sabt.exchange import models as exchange_models  # noqa: F401
from sabt.identity import models as identity_models  # noqa: F401
from sabt.kit.orm import Base
from sabt.portal import models as portal_models  # noqa: F401
from sabt.registration import models as registration_models  # noqa: F401
from sabt.registry import models  # noqa: F401  (registers the register's tables)

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
