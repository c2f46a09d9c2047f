"""The purge of expired credentials (`sabt identity purge`), so that the tables a login works
on stop growing.

A row goes only once it has been expired (or its session ended) for a grace long enough that
nothing still reads it: an OTP counts towards the hourly send limit for an hour after it was
sent (`hoda.Hoda._check_send_rate`), and a spent authorization code must outlive the token it
gave, so that a reuse can still revoke it (RFC 6749 §4.1.2). What a citizen or an auditor may
read later is never removed: authentication events, the audit, the access log, consents.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, or_
from sqlalchemy.orm import Session

from sabt.identity.models import (
    AssertionId,
    AuthorizationCode,
    Interaction,
    LoginSession,
    OtpChallenge,
    Token,
)
from sabt.kit.errors import BadInput
from sabt.kit.orm import Base
from sabt.kit.settings import Settings

PURGE_GRACE_HOURS = 24
_OTP_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class Purged:
    """Rows removed, per table, and the moment (UTC) they had expired before."""

    cutoff: datetime
    removed: dict[str, int]

    def as_json(self) -> dict[str, object]:
        return {"expired_before_utc": self.cutoff.isoformat(), "removed": self.removed}


def purge_expired(session: Session, settings: Settings, now: datetime, grace: timedelta) -> Purged:
    """Delete the tokens, OTPs, authorization codes, interactions, sessions and assertion ids
    expired before `now - grace`; the caller commits (all or nothing)."""
    shortest = max(_OTP_WINDOW_MINUTES, settings.oidc_token_minutes)
    if grace < timedelta(minutes=shortest):
        raise BadInput(
            "grace_too_short",
            f"مهلت باید دست‌کم {shortest} دقیقه باشد",
            f"the grace must be at least {shortest} minutes (the OTP window and the life "
            "of a token a code gave)",
        )
    cutoff = now - grace
    expired: list[tuple[type[Base], ColumnElement[bool]]] = [
        (Token, Token.expires_at < cutoff),
        (OtpChallenge, OtpChallenge.expires_at < cutoff),
        (AuthorizationCode, AuthorizationCode.expires_at < cutoff),
        (Interaction, Interaction.expires_at < cutoff),
        (LoginSession, or_(LoginSession.expires_at < cutoff, LoginSession.ended_at < cutoff)),
        (AssertionId, AssertionId.expires_at < cutoff),
    ]
    removed = {model.__tablename__: _delete(session, model, where) for model, where in expired}
    return Purged(cutoff, removed)


def _delete(session: Session, model: type[Base], where: ColumnElement[bool]) -> int:
    result = cast(CursorResult[Any], session.execute(delete(model).where(where)))
    return result.rowcount
