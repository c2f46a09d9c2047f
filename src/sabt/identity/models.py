"""Tables of the authorisation core: organisations' OAuth2 clients, accounts (staff and
citizens), bearer tokens, the log of staff reads of personal data, and the audit of
changes to who may do what.

Secrets are never stored: client secrets and passwords as argon2id hashes, tokens as
SHA-256 digests (a token is 256 random bits, so a fast digest is enough to look it up).
"""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Client(Base):
    """An organisation's OAuth2 client (client-credentials grant), tied to its office."""

    __tablename__ = "identity_client"
    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    office: Mapped[str] = mapped_column(ForeignKey("office.code"), index=True)
    scopes: Mapped[str] = mapped_column(String(400))  # space-separated
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class Account(Base):
    """A person who logs in: staff (role, office, TOTP) or a citizen (national code)."""

    __tablename__ = "identity_account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    national_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(32))
    office: Mapped[str | None] = mapped_column(ForeignKey("office.code"))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint("kind in ('staff', 'citizen')", name="kind"),
        CheckConstraint(
            "(kind = 'staff') = (role is not null and totp_secret is not null)",
            name="staff_has_role_and_totp",
        ),
        CheckConstraint("(kind = 'citizen') = (national_code is not null)", name="citizen_code"),
    )


class Token(Base):
    """A bearer token: issued to a client or to an account, for some scopes, until it expires."""

    __tablename__ = "identity_token"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str | None] = mapped_column(ForeignKey("identity_client.client_id"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("identity_account.id"))
    scopes: Mapped[str] = mapped_column(String(400))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        CheckConstraint("(client_id is null) <> (account_id is null)", name="one_holder"),
    )


class AccessLog(Base):
    """A read of a person's data by staff or an agency: who, when, why (for the citizen)."""

    __tablename__ = "identity_access_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    subject: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(80))
    office: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(300))
    __table_args__ = (Index("ix_identity_access_log_subject_at", "subject", "at"),)


class AuditEvent(Base):
    """A change to who may do what: a client, an account, a role, a lock."""

    __tablename__ = "identity_audit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
