"""Settings from the environment; one place lists them all.

| variable | meaning | default |
|---|---|---|
| SABT_DATABASE_URL | the register's database | sqlite:///./sabt.db |
| SABT_HOME | the instance directory (keys, per-instance files) | ~/.local/share/sabt |
| SABT_PUBLIC_URL | the base URL printed on documents (`<url>/verify`) | http://127.0.0.1:8000 |
| SABT_DOCUMENT_KEYS | the document-signing key directory | $SABT_HOME/keys/documents |
| SABT_PDF_KEYS | the PDF-signing key, certificate and CA (PAdES) | $SABT_HOME/keys/pdf |
| SABT_NOW | fix the clock at this ISO instant (tests, demos) | the system clock |
| SABT_STAFF_TOKEN_MINUTES | life of a staff member's bearer token | 480 |
| SABT_CLIENT_TOKEN_MINUTES | life of an organisation's client-credentials token | 60 |
| SABT_CITIZEN_TOKEN_MINUTES | life of a citizen's bearer token | 30 |
| SABT_LOGIN_MAX_FAILURES | failed logins in a row that lock an account | 5 |
| SABT_LOGIN_LOCK_MINUTES | how long such a lock lasts | 15 |
| SABT_OTP_MINUTES | life of a one-time code sent by SMS | 2 |
| SABT_OTP_SENDS_PER_HOUR | codes sent to one person or one number in an hour | 5 |
| SABT_OTP_MAX_ATTEMPTS | wrong entries that spend a code | 3 |
| SABT_SMS_GATEWAY | `outbox` (a file, `$SABT_HOME/sms/outbox.jsonl`) or `http` | outbox |
| SABT_SMS_URL, SABT_SMS_API_KEY | the HTTP provider's endpoint and key (`http` only) | — |
| SABT_OIDC_KEYS | HODA's OpenID Connect signing keys (RS256, ES256) | $SABT_HOME/keys/oidc |
| SABT_OIDC_TOKEN_MINUTES | life of an access token and an ID token issued to an agency | 10 |
| SABT_OIDC_SESSION_MINUTES | life of a citizen's sign-in at HODA (single sign-on) | 30 |
| SABT_CONSENT_DAYS | how long a citizen's consent to an agency lasts | 365 |
| SABT_ESTATE_DAYS | days after a death is registered that the worker settles its estate | 20 |
| SABT_ESTATES_SINCE | deaths registered from this day (ISO) are settled unasked | 2025-07-25 |
| SABT_WORKER_SECONDS | how often `sabt worker` looks for work | 60 |
"""

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sabt.kit import clock
from sabt.kit.errors import BadInput

DEFAULT_DATABASE_URL = "sqlite:///./sabt.db"


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    public_url: str = "http://127.0.0.1:8000"
    staff_token_minutes: int = 480
    client_token_minutes: int = 60
    citizen_token_minutes: int = 30
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    otp_minutes: int = 2
    otp_sends_per_hour: int = 5
    otp_max_attempts: int = 3
    sms_gateway: str = "outbox"
    sms_url: str | None = None
    sms_api_key: str | None = None
    oidc_token_minutes: int = 10
    oidc_session_minutes: int = 30
    consent_days: int = 365
    token_threads: int = 1
    portal_session_minutes: int = 30
    estate_days: int = 20
    # 1404/05/03, the day the registry began issuing certificates unasked (facts §7)
    estates_since: date = date(2025, 7, 25)
    worker_seconds: int = 60


def _positive(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise BadInput(
            "bad_setting",
            f"مقدار {name} باید عدد صحیح مثبت باشد",
            f"{name} must be a positive whole number, not {raw!r}",
        )
    return int(raw)


def default_home() -> Path:
    """One stable folder per user (platformdirs: ~/.local/share/sabt on Linux), whatever
    folder a command runs in: a command run elsewhere must find the same keys, never make
    new ones beside itself."""
    import platformdirs  # only when SABT_HOME is not set

    return Path(platformdirs.user_data_dir("sabt", appauthor=False))


def load() -> Settings:
    """Read the settings (and install a fixed clock when SABT_NOW is set)."""
    fixed = os.environ.get("SABT_NOW")
    if fixed:
        clock.set_clock(clock.FixedClock(datetime.fromisoformat(fixed)))
    return Settings(
        database_url=os.environ.get("SABT_DATABASE_URL") or DEFAULT_DATABASE_URL,
        home=Path(os.environ.get("SABT_HOME") or default_home()),
        public_url=(os.environ.get("SABT_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
        staff_token_minutes=_positive("SABT_STAFF_TOKEN_MINUTES", 480),
        client_token_minutes=_positive("SABT_CLIENT_TOKEN_MINUTES", 60),
        citizen_token_minutes=_positive("SABT_CITIZEN_TOKEN_MINUTES", 30),
        login_max_failures=_positive("SABT_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_positive("SABT_LOGIN_LOCK_MINUTES", 15),
        otp_minutes=_positive("SABT_OTP_MINUTES", 2),
        otp_sends_per_hour=_positive("SABT_OTP_SENDS_PER_HOUR", 5),
        otp_max_attempts=_positive("SABT_OTP_MAX_ATTEMPTS", 3),
        sms_gateway=_sms_gateway(),
        sms_url=os.environ.get("SABT_SMS_URL") or None,
        sms_api_key=os.environ.get("SABT_SMS_API_KEY") or None,
        oidc_token_minutes=_positive("SABT_OIDC_TOKEN_MINUTES", 10),
        oidc_session_minutes=_positive("SABT_OIDC_SESSION_MINUTES", 30),
        consent_days=_positive("SABT_CONSENT_DAYS", 365),
        token_threads=_positive("SABT_TOKEN_THREADS", 1),
        portal_session_minutes=_positive("SABT_PORTAL_SESSION_MINUTES", 30),
        estate_days=_positive("SABT_ESTATE_DAYS", 20),
        estates_since=_day("SABT_ESTATES_SINCE", date(2025, 7, 25)),
        worker_seconds=_positive("SABT_WORKER_SECONDS", 60),
    )


def _day(name: str, default: date) -> date:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadInput(
            "bad_setting",
            f"مقدار {name} باید تاریخ ISO باشد (مانند 2025-07-25)",
            f"{name} must be an ISO date such as 2025-07-25, not {raw!r}",
        ) from None


def _sms_gateway() -> str:
    gateway = os.environ.get("SABT_SMS_GATEWAY") or "outbox"
    if gateway not in ("outbox", "http"):
        raise BadInput(
            "bad_setting",
            "SABT_SMS_GATEWAY باید outbox یا http باشد",
            f"SABT_SMS_GATEWAY must be outbox or http, not {gateway!r}",
        )
    if gateway == "http" and not os.environ.get("SABT_SMS_URL"):
        raise BadInput(
            "bad_setting", "SABT_SMS_URL لازم است", "SABT_SMS_GATEWAY=http needs SABT_SMS_URL"
        )
    return gateway


def instance_dir(settings: Settings) -> Path:
    """The instance directory, created (private to its owner) on first use."""
    settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    return settings.home
