"""SAHIM's use cases that keep state: a login on its way through HODA (bound to the
browser), and the citizen's session in the portal. The only code that writes the portal's
tables."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sabt.identity import credentials
from sabt.identity import service as identity
from sabt.identity.audit import now_utc
from sabt.portal.hoda_client import SignedIn
from sabt.portal.models import PortalLogin, PortalSession

LOGIN_MINUTES = 15  # as long as a login at HODA's pages may take


@dataclass(frozen=True)
class LoginStart:
    browser: str  # the cookie that binds the login to this browser
    state: str
    nonce: str
    verifier: str


def start_login(session: Session) -> LoginStart:
    token = secrets.token_urlsafe
    started = LoginStart(browser=token(32), state=token(32), nonce=token(32), verifier=token(64))
    now = now_utc()
    session.add(PortalLogin(
        browser_digest=credentials.token_digest(started.browser), state=started.state,
        nonce=started.nonce, verifier=started.verifier, created_at=now,
        expires_at=now + timedelta(minutes=LOGIN_MINUTES),
    ))  # fmt: skip
    return started


@dataclass(frozen=True)
class PendingLogin:
    nonce: str
    verifier: str


def take_login(session: Session, browser: str | None, state: str) -> PendingLogin | None:
    """The login this browser started, if `state` is the one it sent and it has not
    expired; used once (deleted, whatever the outcome)."""
    if not browser or not state or len(browser) > 100:
        return None
    row = session.get(PortalLogin, credentials.token_digest(browser))
    if row is None:
        return None
    session.delete(row)
    if not hmac.compare_digest(row.state.encode(), state.encode()):
        return None
    return PendingLogin(row.nonce, row.verifier) if row.expires_at > now_utc() else None


def open_session(session: Session, signed_in: SignedIn, minutes: int) -> str:
    """A new portal session for the citizen; returns the cookie's value."""
    cookie, now = secrets.token_urlsafe(32), now_utc()
    session.add(PortalSession(
        digest=credentials.token_digest(cookie), national_code=signed_in.national_code,
        id_token=signed_in.id_token, acr=signed_in.acr, created_at=now,
        expires_at=now + timedelta(minutes=minutes),
    ))  # fmt: skip
    session.execute(delete(PortalLogin).where(PortalLogin.expires_at < now))
    return cookie


def current(session: Session, cookie: str | None) -> PortalSession | None:
    """The live session this cookie stands for, or None (unknown, ended or expired)."""
    if not cookie or len(cookie) > 100:
        return None
    row = session.get(PortalSession, credentials.token_digest(cookie))
    if row is None or row.ended_at is not None or row.expires_at <= now_utc():
        return None
    # checked on every request, as the API checks a token: a death, the hotlist or a
    # disabled account ends a session that is already open
    if not identity.citizen_may_act(session, row.national_code):
        return None
    return row


def end(session: Session, row: PortalSession) -> None:
    row.ended_at = now_utc()


def csrf_token(cookie: str) -> str:
    """The CSRF token of a session: derived from its cookie (which scripts cannot read),
    so every form of that session carries it and no other session's works."""
    return hashlib.sha256(b"sahim-csrf:" + cookie.encode()).hexdigest()


def csrf_ok(cookie: str, sent: str) -> bool:
    return hmac.compare_digest(csrf_token(cookie).encode(), sent.encode())
