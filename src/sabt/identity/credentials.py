"""Passwords, client secrets, TOTP codes and bearer tokens. Pure: no I/O.

Passwords are hashed with argon2id at OWASP's recommended parameters (19 MiB, 2
iterations, 1 lane); client secrets, being random, with SHA-256; TOTP is RFC 6238 (pyotp)
with the code of a time step accepted at most once.
"""

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ISSUER = "Sabt"
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verifying against this when the account does not exist keeps the time the same, so a
# login's timing does not tell whether a username exists.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    try:
        return _HASHER.verify(stored_hash or _DUMMY_HASH, secret) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def client_secret_digest(secret: str) -> str:
    """A client secret as stored. Secrets are 256 random bits, never chosen by people, so a
    fast digest cannot be reversed by guessing; argon2 here would cap the token endpoint at
    a few dozen requests a second."""
    return "sha256$" + token_digest(secret)


def verify_client_secret(stored: str | None, secret: str) -> bool:
    """Check a client secret against its digest (or an argon2 hash, as older clients have)."""
    if stored is None:
        return False
    if stored.startswith("sha256$"):
        return hmac.compare_digest(stored, client_secret_digest(secret))
    return verify_secret(stored, secret)


def new_password() -> str:
    """A generated password (120 random bits), shown once."""
    return secrets.token_urlsafe(15)


def new_token() -> str:
    """A bearer token or client secret: 256 random bits."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app enrols from (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def totp_code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def totp_step(secret: str, code: str, at: datetime, last_step: int | None) -> int | None:
    """The time step whose code `code` is (this step or one either side, for clock drift),
    or None; a step at or before `last_step` is refused, so a code works once."""
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for offset in (0, -1, 1):
        step = now_step + offset
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code.strip()):
            return step
    return None


def new_otp() -> str:
    """A six-digit one-time code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def otp_digest(key: bytes, challenge: str, code: str) -> str:
    """The code as stored: an HMAC under a key kept outside the database (a bare hash of six
    digits would be reversed by trying all million), bound to its challenge."""
    return hmac.new(key, f"{challenge}:{code}".encode(), hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
