"""Tables of SAHIM: logins on their way through HODA, and citizens signed in to the portal.

Cookies are 256 random bits and stored only as SHA-256 digests.
"""

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class PortalLogin(Base):
    """A login sent to HODA and not yet back: bound to the browser by a cookie (its digest
    is the key), with the request's state, nonce and PKCE verifier."""

    __tablename__ = "portal_login"
    browser_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(64))
    nonce: Mapped[str] = mapped_column(String(64))
    verifier: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class PortalSession(Base):
    """A citizen signed in to SAHIM in one browser, until logout or expiry. The national
    code is what HODA released to the portal (a first-party client) for this login."""

    __tablename__ = "portal_session"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    national_code: Mapped[str] = mapped_column(String(10), index=True)
    id_token: Mapped[str] = mapped_column(Text)  # the hint for HODA's logout
    acr: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
