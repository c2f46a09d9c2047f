"""Tables of the authorisation core: organisations' OAuth2 clients, accounts (staff and
citizens), bearer tokens, the log of staff reads of personal data, and the audit of
changes to who may do what.

Secrets are never stored: client secrets and passwords as argon2id hashes, tokens as
SHA-256 digests (a token is 256 random bits, so a fast digest is enough to look it up).
"""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from sabt.kit.orm import Base


class Client(Base):
    """An OAuth2 client: an organisation of the register (client-credentials grant, tied to
    its office), or an agency that logs citizens in through HODA (a relying party of the
    OpenID Connect provider: its sector, redirect URIs, and how it authenticates)."""

    __tablename__ = "identity_client"
    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(String(200))  # None: key or public client
    kind: Mapped[str] = mapped_column(String(24))
    office: Mapped[str | None] = mapped_column(ForeignKey("office.code"), index=True)
    scopes: Mapped[str] = mapped_column(String(400))  # space-separated
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # relying parties only
    name: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(80))  # pairwise `sub` is per sector
    redirect_uris: Mapped[str | None] = mapped_column(Text)  # JSON list
    post_logout_uris: Mapped[str | None] = mapped_column(Text)  # JSON list
    jwks: Mapped[str | None] = mapped_column(Text)  # JSON key set, for private_key_jwt
    auth_method: Mapped[str | None] = mapped_column(String(32))
    id_token_alg: Mapped[str | None] = mapped_column(String(8))
    first_party: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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
    # HODA (citizens): the mobile number proven at enrolment, the methods the citizen has
    # locked, and the OTP's own failure count and lock.
    mobile: Mapped[str | None] = mapped_column(String(11))
    password_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    otp_locked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    otp_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    otp_locked_until: Mapped[datetime | None] = mapped_column(DateTime)
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
    # A citizen's token issued to a relying party (OpenID Connect): that client. It opens
    # the userinfo endpoint only, not the register's API.
    audience: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (
        CheckConstraint("(client_id is null) <> (account_id is null)", name="one_holder"),
        # a consent given or withdrawn revokes the citizen's tokens at that agency
        Index("ix_identity_token_account", "account_id"),
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
    outcome: Mapped[str | None] = mapped_column(String(40))  # an agency's call: what it was told
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


class OtpChallenge(Base):
    """A one-time code sent by SMS: for enrolment (or recovery) or the second step of a
    login. The code is kept only as an HMAC under a key outside the database."""

    __tablename__ = "identity_otp"
    id: Mapped[str] = mapped_column(String(48), primary_key=True)  # the challenge's handle
    purpose: Mapped[str] = mapped_column(String(8))
    national_code: Mapped[str] = mapped_column(String(10))
    mobile: Mapped[str] = mapped_column(String(11))
    code_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    agency: Mapped[str] = mapped_column(String(80))
    __table_args__ = (
        CheckConstraint("purpose in ('enrol', 'login')", name="purpose"),
        Index("ix_identity_otp_code_created", "national_code", "created_at"),
        Index("ix_identity_otp_mobile_created", "mobile", "created_at"),
    )


class Hotlist(Base):
    """An identity that may not authenticate on any path (stolen, under investigation)."""

    __tablename__ = "identity_hotlist"
    national_code: Mapped[str] = mapped_column(String(10), primary_key=True)
    reason: Mapped[str] = mapped_column(String(300))
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(DateTime)


class AuthEvent(Base):
    """One authentication step of a citizen, for their history: when, through which agency,
    which method, and how it ended."""

    __tablename__ = "identity_auth_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    national_code: Mapped[str] = mapped_column(String(10))
    agency: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(40))
    __table_args__ = (
        CheckConstraint("outcome in ('success', 'failure')", name="outcome"),
        Index("ix_identity_auth_event_code_at", "national_code", "at"),
    )


class AuthorizationCode(Base):
    """An OpenID Connect authorization code (kept as a digest): for whom, to which client
    and redirect URI, with the PKCE challenge, nonce and the level reached at login. Used
    once; a second use revokes the token the first one gave."""

    __tablename__ = "identity_oidc_code"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(ForeignKey("identity_client.client_id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("identity_account.id"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(400))
    nonce: Mapped[str | None] = mapped_column(String(255))
    code_challenge: Mapped[str | None] = mapped_column(String(128))
    acr: Mapped[str] = mapped_column(String(40))
    auth_time: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    token_digest: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (Index("ix_identity_oidc_code_nonce", "client_id", "nonce"),)


class Interaction(Base):
    """A login in progress at HODA's pages for one authorization request: the request's
    parameters, the step reached, and the browser it belongs to (a cookie's digest)."""

    __tablename__ = "identity_oidc_interaction"
    id: Mapped[str] = mapped_column(String(48), primary_key=True)
    browser_digest: Mapped[str] = mapped_column(String(64))
    csrf_digest: Mapped[str] = mapped_column(String(64))
    client_id: Mapped[str] = mapped_column(ForeignKey("identity_client.client_id"))
    params: Mapped[str] = mapped_column(Text)  # canonical JSON of the request's parameters
    step: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("identity_account.id"))
    otp_handle: Mapped[str | None] = mapped_column(String(48))
    acr: Mapped[str | None] = mapped_column(String(40))
    auth_time: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("step in ('login', 'otp', 'consent', 'done')", name="step"),)


class LoginSession(Base):
    """A citizen signed in at HODA in one browser (single sign-on across agencies, ended
    by logout or its expiry)."""

    __tablename__ = "identity_oidc_session"
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("identity_account.id"), index=True)
    acr: Mapped[str] = mapped_column(String(40))
    auth_time: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)


class Consent(Base):
    """What a citizen allowed an agency (a sector: all its clients) to receive, until when;
    withdrawn by the citizen at any time."""

    __tablename__ = "identity_consent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("identity_account.id"))
    sector: Mapped[str] = mapped_column(String(80))
    scopes: Mapped[str] = mapped_column(String(400))
    granted_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    __table_args__ = (Index("ix_identity_consent_account_sector", "account_id", "sector"),)


class AssertionId(Base):
    """The `jti` of a client's signed assertion (private_key_jwt), kept until it expires so
    that it cannot be replayed."""

    __tablename__ = "identity_assertion_jti"
    client_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
