"""The identity tables' clock and audit trail: what every identity module writes with."""

from datetime import datetime

from sqlalchemy.orm import Session

from sabt.identity.models import AuditEvent
from sabt.kit import canonical, clock


def now_utc() -> datetime:
    """Now as the naive UTC the tables store."""
    return clock.now().replace(tzinfo=None)


def audit(session: Session, actor: str, action: str, target: str, **detail: object) -> None:
    session.add(
        AuditEvent(
            at=now_utc(),
            actor=actor,
            action=action,
            target=target,
            detail=canonical.dumps(detail).decode(),
        )
    )
