"""Dependencies the parts' routers share to reach the register, and the ledger's public
checkpoints."""

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from sabt.kit.params import Offset, limit_query
from sabt.registry import checkpoint
from sabt.registry import db as registry_db


def session(request: Request) -> Iterator[Session]:
    """A read session on the register for one request."""
    with Session(request.app.state.engine) as s:
        yield s


def ledger_session(request: Request) -> Iterator[Session]:
    """One write transaction on the register (committed when the endpoint returns)."""
    with registry_db.write_session(request.app.state.engine) as s:
        yield s


router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


@router.get("/checkpoints")
def checkpoints(
    db: Annotated[Session, Depends(session)],
    limit: Annotated[int, limit_query()] = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The signed checkpoints of the ledger's head the registry has published (one a day,
    and on demand), newest first: each with seq, head hash, time, Ed25519 signature over
    the canonical {seq, hash, time, kid}, the key id and the public key. Public: keep them,
    and `sabt ledger verify --against URL` checks a register against every one it covers."""
    total, items = checkpoint.published(db.connection(), limit, offset)
    return {"total": total, "items": items}
