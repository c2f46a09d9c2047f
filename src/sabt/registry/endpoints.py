"""Dependencies the parts' routers share to reach the register."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def session(request: Request) -> Iterator[Session]:
    """A read session on the register for one request."""
    with Session(request.app.state.engine) as s:
        yield s
