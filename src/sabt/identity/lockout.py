"""The failure counters of passwords and one-time codes, made atomic.

An attempt is reserved before its secret is checked: one `UPDATE … RETURNING` adds it to
the count when the method is not locked and the count is under the limit. The next attempt
on the same account waits until this one's transaction ends (a failure is committed before
its error is raised): on PostgreSQL the update's row lock holds it back and it then sees the
new count; on SQLite a write transaction begins IMMEDIATE (`identity.endpoints.
write_session`), so the writers queue. Of fifty parallel attempts exactly the limit are
evaluated and the rest refused unseen. A success resets the count; the last failure the
limit allows locks the method for a while.
"""

from datetime import timedelta
from typing import Literal, cast

from sqlalchemy import Table, or_, update
from sqlalchemy.orm import Session

from sabt.identity.audit import audit, now_utc
from sabt.identity.models import Account, OtpChallenge
from sabt.kit.settings import Settings

Method = Literal["password", "otp"]
_ACCOUNT = cast(Table, Account.__table__)
_CHALLENGE = cast(Table, OtpChallenge.__table__)
_COLUMNS: dict[Method, tuple[str, str]] = {
    "password": ("failed_attempts", "locked_until"),
    "otp": ("otp_failures", "otp_locked_until"),
}


def reserve(session: Session, account: Account, method: Method, settings: Settings) -> int | None:
    """Count one attempt of `method` before it is checked: its number in the series, or
    None when the method is locked (or the limit is reached): then do not check it."""
    failures, until = (_ACCOUNT.c[name] for name in _COLUMNS[method])
    count = session.execute(
        update(_ACCOUNT)
        .where(
            _ACCOUNT.c.id == account.id,
            failures < settings.login_max_failures,
            or_(until.is_(None), until <= now_utc()),
        )
        .values({failures: failures + 1})
        .returning(failures)
    ).scalar()
    return count


def succeeded(session: Session, account: Account, method: Method) -> None:
    failures, _ = _COLUMNS[method]
    session.execute(update(_ACCOUNT).where(_ACCOUNT.c.id == account.id).values({failures: 0}))


def failed(
    session: Session, account: Account, method: Method, count: int, settings: Settings
) -> None:
    """A reserved attempt that failed: the last one the limit allows locks the method."""
    if count < settings.login_max_failures:
        return
    failures, until = _COLUMNS[method]
    locked = now_utc() + timedelta(minutes=settings.login_lock_minutes)
    session.execute(
        update(_ACCOUNT).where(_ACCOUNT.c.id == account.id).values({failures: 0, until: locked})
    )
    audit(session, "system", "account.locked" if method == "password" else "otp.locked",
          account.username)  # fmt: skip


def reserve_code_attempt(session: Session, challenge_id: str, settings: Settings) -> bool:
    """Count one entry of a one-time code before it is compared: False when the code is
    spent, expired or has had its attempts (then do not compare it)."""
    now = now_utc()
    found = session.execute(
        update(_CHALLENGE)
        .where(
            _CHALLENGE.c.id == challenge_id,
            _CHALLENGE.c.used_at.is_(None),
            _CHALLENGE.c.expires_at > now,
            _CHALLENGE.c.attempts < settings.otp_max_attempts,
        )
        .values(attempts=_CHALLENGE.c.attempts + 1)
        .returning(_CHALLENGE.c.attempts)
    ).scalar()
    return found is not None
