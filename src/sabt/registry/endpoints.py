"""Dependencies the parts' routers share to reach the register."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from sabt.registry import db as registry_db


def session(request: Request) -> Iterator[Session]:
    """A read session on the register for one request."""
    with Session(request.app.state.engine) as s:
        yield s


def ledger_session(request: Request) -> Iterator[Session]:
    """One write transaction on the register (committed when the endpoint returns)."""
    with registry_db.write_session(request.app.state.engine) as s:
        yield s
