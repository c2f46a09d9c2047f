"""HODA's first two layers: who you are (national code, birth date and booklet serial
against the register) and that the mobile number is yours (the operators' ownership
records, then a one-time code by SMS); then a password. The same path recovers an account.
Login is national code + password + a one-time code.

Before a person is authenticated, every refusal reads the same, whatever the cause
(unknown code, a wrong detail, a death, the hotlist, a lock): nobody learns from HODA
whether a national code exists. A death or the hotlist stops every path, including the
sending of a code (MOSIP id-authentication #1712 and #1713 are the counter-examples).
The biometric layers (live selfie, drawn signature) come later behind `SecondFactor`.
"""

import contextlib
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import NoReturn, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sabt.identity import credentials, lockout, sms
from sabt.identity.access_log import Page, page_of
from sabt.identity.audit import audit, now_utc
from sabt.identity.models import Account, AuthEvent, Hotlist, OtpChallenge
from sabt.identity.service import (
    Forbidden,
    Unauthorized,
    can_authenticate,
)
from sabt.kit.errors import BadInput, NotFound, SabtError
from sabt.kit.settings import Settings
from sabt.persian import jalali
from sabt.persian.digits import to_ascii, to_persian
from sabt.registry.codes import parse_code
from sabt.registry.models import MobileOwnership, Person

ACR_PASSWORD = "urn:sabt:acr:password"
ACR_PASSWORD_OTP = "urn:sabt:acr:password+otp"
METHODS = ("password", "otp")
MIN_PASSWORD = 10


class TooMany(SabtError):
    status = 429


class SecondFactor(Protocol):
    """A further layer (a live selfie against the stored photo, a drawn signature): checks
    an enrolment or a login after the OTP. None is installed yet."""

    def check(self, national_code: str, evidence: bytes) -> bool: ...


@dataclass(frozen=True)
class Challenge:
    """A code was sent: the handle to answer it with, its life, and where it went."""

    handle: str
    expires_in: int
    mobile_masked: str

    def as_json(self) -> dict[str, object]:
        return {"status": "otp_sent", "challenge": self.handle, "expires_in": self.expires_in,
                "mobile": self.mobile_masked}  # fmt: skip


@dataclass(frozen=True)
class Authenticated:
    account: Account
    acr: str
    auth_time: datetime


@dataclass
class Hoda:
    """HODA for one request: the session, the settings, the SMS gateway, the OTP key, and
    the agency the citizen is signing in to (for their history)."""

    session: Session
    settings: Settings
    gateway: sms.Gateway
    key: bytes
    agency: str = "hoda"

    # --- enrolment and recovery ----------------------------------------------------

    def enrol_start(self, code: str, birth_date: str, serial: str, mobile: str) -> Challenge:
        code, born, serial, mobile = _enrolment_input(code, birth_date, serial, mobile)
        person = self.session.get(Person, code)
        owner = self.session.get(MobileOwnership, mobile)
        account = _account(self.session, code)
        matches = (
            person is not None and person.birth_date == born
            and person.booklet_serial == serial
            and owner is not None and owner.national_code == code
            and can_authenticate(self.session, person)
            and not (account is not None and account.otp_locked)
        )  # fmt: skip
        if not matches:
            self._refuse_enrolment(code if person is not None else None, "mismatch")
        return self._send(code, mobile, "enrol")

    def enrol_finish(self, handle: str, otp: str, password: str) -> str:
        """Set the password once the code is right: `enrolled`, or `recovered` for an
        account that existed (its locks from failures are lifted)."""
        challenge = self._live_challenge(handle, "enrol")
        if not self._code_matches(challenge, otp):
            self._wrong_code(challenge)
        person = self.session.get(Person, challenge.national_code)
        owner = self.session.get(MobileOwnership, challenge.mobile)
        if person is None or not can_authenticate(self.session, person) or (
            owner is None or owner.national_code != person.national_code
        ):  # fmt: skip
            self._refuse_enrolment(challenge.national_code, "not_eligible")
        _check_password(password, person.national_code, challenge.mobile)
        challenge.used_at = now_utc()
        account = _account(self.session, person.national_code)
        outcome = "recovered" if account else "enrolled"
        if account is None:
            account = Account(kind="citizen", username=person.national_code,
                              national_code=person.national_code, created_at=now_utc())  # fmt: skip
            self.session.add(account)
        account.password_hash = credentials.hash_secret(password)
        account.mobile = challenge.mobile
        account.failed_attempts, account.locked_until = 0, None
        account.otp_failures, account.otp_locked_until = 0, None
        account.password_locked = False  # proving code, details and phone again unlocks it
        self._event(person.national_code, "enrol", "success", outcome)
        audit(self.session, f"citizen:{person.national_code}", f"citizen.{outcome}",
              person.national_code)  # fmt: skip
        return outcome

    # --- login -----------------------------------------------------------------------

    def login_start(self, code: str, password: str) -> Challenge | Authenticated:
        """Check the password; send the code. A citizen who has locked the OTP method is
        authenticated at the password level only (`acr` says so)."""
        code = _code_or_blank(code)
        account = _account(self.session, code) if code else None
        person = self.session.get(Person, code) if account else None
        if account is None or person is None:
            credentials.verify_secret(None, password)  # the same cost as a real check
            self._refuse_login(code or None, None, "bad_password")
        count = None
        if not account.password_locked and not account.disabled:
            count = lockout.reserve(self.session, account, "password", self.settings)
        if count is None:
            credentials.verify_secret(None, password)
            self._refuse_login(code, None, "locked")
        if not credentials.verify_secret(account.password_hash, password):
            self._refuse_login(code, account, "bad_password", count)
        if not can_authenticate(self.session, person):
            self._refuse_login(code, None, "not_eligible")
        lockout.succeeded(self.session, account, "password")
        self._event(code, "password", "success")
        if account.otp_locked:
            return Authenticated(account, ACR_PASSWORD, now_utc())
        if _locked(account.otp_locked_until) or not account.mobile:
            self._refuse_login(code, None, "otp_locked")
        owner = self.session.get(MobileOwnership, account.mobile)
        if owner is None or owner.national_code != code:
            self._event(code, "password", "failure", "mobile_not_owned")
            self.session.commit()
            raise Forbidden(
                "mobile_not_owned",
                "شمارهٔ همراه ثبت‌شده دیگر به نام شما نیست؛ با شمارهٔ تازه دوباره ثبت‌نام کنید",
                "your enrolled mobile number is no longer yours: enrol again with your new one",
            )
        return self._send(code, account.mobile, "login")

    def login_finish(self, handle: str, otp: str) -> Authenticated:
        challenge = self._live_challenge(handle, "login")
        account = _account(self.session, challenge.national_code)
        count = None
        if account is not None and not account.otp_locked:
            count = lockout.reserve(self.session, account, "otp", self.settings)
        if account is None or count is None:
            self._refuse_login(challenge.national_code, None, "otp_locked")
        if not self._code_matches(challenge, otp):
            self._wrong_code(challenge, account, count)
        person = self.session.get(Person, challenge.national_code)
        if person is None or not can_authenticate(self.session, person) or account.password_locked:
            self._refuse_login(challenge.national_code, None, "not_eligible")
        challenge.used_at = now_utc()
        lockout.succeeded(self.session, account, "otp")
        self._event(challenge.national_code, "otp", "success")
        return Authenticated(account, ACR_PASSWORD_OTP, now_utc())

    # --- the pieces ----------------------------------------------------------------------

    def _send(self, code: str, mobile: str, purpose: str) -> Challenge:
        now = now_utc()
        self._check_send_rate(code, mobile, now)
        otp = credentials.new_otp()
        handle = credentials.new_token()
        life = timedelta(minutes=self.settings.otp_minutes)
        self.session.add(OtpChallenge(
            id=handle, purpose=purpose, national_code=code, mobile=mobile,
            code_digest=credentials.otp_digest(self.key, handle, otp), created_at=now,
            expires_at=now + life, attempts=0, agency=self.agency,
        ))  # fmt: skip
        self._event(code, "otp_sent", "success", purpose)
        self.session.flush()
        self.gateway.send(mobile, _sms_text(otp, purpose, self.settings.otp_minutes))
        return Challenge(handle, int(life.total_seconds()), mask_mobile(mobile))

    def _check_send_rate(self, code: str, mobile: str, now: datetime) -> None:
        since = now - timedelta(hours=1)
        for column, value in ((OtpChallenge.national_code, code), (OtpChallenge.mobile, mobile)):
            sent = self.session.scalar(
                select(func.count()).where(column == value, OtpChallenge.created_at > since)
            )
            if (sent or 0) >= self.settings.otp_sends_per_hour:
                raise TooMany(
                    "too_many_codes",
                    "کدهای زیادی در این ساعت فرستاده شده است؛ ساعتی دیگر تلاش کنید",
                    "too many codes were sent in the last hour; try again later",
                )

    def _live_challenge(self, handle: str, purpose: str) -> OtpChallenge:
        """The challenge, with this entry of its code counted before it is compared
        (`lockout`): spent, expired or out of attempts, the code is not compared at all."""
        challenge = self.session.get(OtpChallenge, handle) if handle else None
        if challenge is None or challenge.purpose != purpose:
            raise _bad_code()
        if not lockout.reserve_code_attempt(self.session, challenge.id, self.settings):
            raise _bad_code()
        return challenge

    def _code_matches(self, challenge: OtpChallenge, otp: str) -> bool:
        given = to_ascii(otp.strip())
        digest = credentials.otp_digest(self.key, challenge.id, given)
        return credentials.same_digest(digest, challenge.code_digest)

    def _wrong_code(
        self, challenge: OtpChallenge, account: Account | None = None, count: int = 0
    ) -> NoReturn:
        """A wrong code (already counted on the challenge); for a login, the account's OTP
        method locks for a while after too many. Kept although the request fails."""
        if account is not None:
            lockout.failed(self.session, account, "otp", count, self.settings)
        self._event(challenge.national_code, "otp", "failure", "wrong_code")
        self.session.commit()
        raise _bad_code()

    def _refuse_enrolment(self, code: str | None, reason: str) -> NoReturn:
        if code is not None:
            self._event(code, "enrol", "failure", reason)
            self.session.commit()
        raise BadInput(
            "enrolment_refused",
            "مشخصات واردشده با ثبت نمی‌خواند یا ثبت‌نام برای این هویت ممکن نیست",
            "the details do not match the register, or this identity cannot enrol",
        )

    def _refuse_login(
        self, code: str | None, account: Account | None, reason: str, count: int = 0
    ) -> NoReturn:
        """The one answer to every failed login; a wrong password (counted before it was
        checked) locks the password for a while after too many."""
        if account is not None and reason == "bad_password":
            lockout.failed(self.session, account, "password", count, self.settings)
        if code is not None and self.session.get(Person, code) is not None:
            self._event(code, "password", "failure", reason)
        self.session.commit()
        raise Unauthorized(
            "bad_credentials",
            "کد ملی، گذرواژه یا کد یکبارمصرف نادرست است، یا ورود موقتاً ممکن نیست",
            "wrong national code, password or code, or sign-in is not possible for now",
        )

    def _event(self, code: str, method: str, outcome: str, reason: str | None = None) -> None:
        record_event(self.session, code, self.agency, method, outcome, reason)


def record_event(session: Session, code: str, agency: str, method: str, outcome: str,
                 reason: str | None = None) -> None:  # fmt: skip
    """One step of a citizen's authentication history."""
    session.add(AuthEvent(at=now_utc(), national_code=code, agency=agency, method=method,
                          outcome=outcome, reason=reason))  # fmt: skip


# --- what a signed-in citizen does ------------------------------------------------------


def set_method_lock(session: Session, code: str, method: str, locked: bool) -> dict[str, bool]:
    """Lock or unlock one of the citizen's own methods; returns every method's state."""
    if method not in METHODS:
        raise BadInput("bad_method", "روش ناشناخته است", f"method must be one of {METHODS}")
    account = _account(session, code)
    if account is None:
        raise NotFound("no_account", "حسابی نیست", "no HODA account")
    setattr(account, f"{method}_locked", locked)
    audit(session, f"citizen:{code}", f"method.{'locked' if locked else 'unlocked'}", code,
          method=method)  # fmt: skip
    return methods_of(account)


def account_of(session: Session, code: str) -> Account | None:
    """The citizen's HODA account, if they enrolled."""
    return _account(session, code)


def methods_of(account: Account) -> dict[str, bool]:
    return {"password_locked": account.password_locked, "otp_locked": account.otp_locked}


def history(session: Session, code: str, limit: int = 100) -> list[dict[str, object]]:
    return [{"at": r.at.isoformat() + "Z", "agency": r.agency, "method": r.method,
             "outcome": r.outcome, "reason": r.reason}
            for r in history_page(session, code, limit, 0).rows]  # fmt: skip


def history_page(session: Session, code: str, limit: int, offset: int) -> Page[AuthEvent]:
    """The citizen's authentication history, newest first (times naive UTC)."""
    query = (
        select(AuthEvent).where(AuthEvent.national_code == code)
        .order_by(AuthEvent.at.desc(), AuthEvent.id.desc())
    )  # fmt: skip
    return page_of(session, query, limit, offset)


def enrolment_example(session: Session) -> dict[str, str] | None:
    """What a demo user types to enrol: a living person with a booklet serial and a mobile
    number in their name (the codes then arrive in the SMS outbox)."""
    row = session.execute(
        select(Person.national_code, Person.birth_date, Person.booklet_serial,
               MobileOwnership.mobile)
        .join(MobileOwnership, MobileOwnership.national_code == Person.national_code)
        .where(Person.status == "alive", Person.booklet_serial.is_not(None))
        .order_by(Person.national_code).limit(1)
    ).first()  # fmt: skip
    if row is None:
        return None
    return {"national_code": row[0], "birth_date": jalali.to_jalali(row[1]),
            "booklet_serial": str(row[2]), "mobile": row[3]}  # fmt: skip


# --- the hotlist (operators) ------------------------------------------------------------


def hotlisted(session: Session, code: str) -> bool:
    """Whether the identity `code` (checked) is on the hotlist: nothing is verified for it."""
    return session.get(Hotlist, code) is not None


def verified_mobiles(session: Session, codes: list[str]) -> dict[str, str]:
    """The mobile each of `codes` proved at enrolment, for those enrolled with one."""
    found: dict[str, str] = {}
    for start in range(0, len(codes), 1000):
        rows = session.execute(
            select(Account.national_code, Account.mobile).where(
                Account.national_code.in_(codes[start : start + 1000]),
                Account.kind == "citizen", Account.mobile.is_not(None),
            )
        )  # fmt: skip
        found.update((code, mobile) for code, mobile in rows if code and mobile)
    return found


def hotlisted_among(session: Session, codes: list[str]) -> set[str]:
    """Which of `codes` are on the hotlist (one query per thousand codes)."""
    found: set[str] = set()
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        found.update(session.scalars(select(Hotlist.national_code)
                                     .where(Hotlist.national_code.in_(chunk))))  # fmt: skip
    return found


def hotlist_add(session: Session, raw_code: str, reason: str, actor: str) -> None:
    code = parse_code(raw_code)
    _check_reason(reason)
    if hotlisted(session, code):
        raise BadInput("already_hotlisted", "این هویت در فهرست است", f"{code} is listed already")
    session.add(Hotlist(national_code=code, reason=reason, added_by=actor, added_at=now_utc()))
    audit(session, actor, "hotlist.added", code, reason=reason)


def hotlist_remove(session: Session, raw_code: str, reason: str, actor: str) -> None:
    code = parse_code(raw_code)
    _check_reason(reason)
    entry = session.get(Hotlist, code)
    if entry is None:
        raise NotFound("not_hotlisted", "این هویت در فهرست نیست", f"{code} is not listed")
    session.delete(entry)
    audit(session, actor, "hotlist.removed", code, reason=reason)


def hotlist(session: Session) -> list[dict[str, str]]:
    rows = session.scalars(select(Hotlist).order_by(Hotlist.added_at))
    return [{"national_code": r.national_code, "reason": r.reason, "added_by": r.added_by,
             "added_at": r.added_at.isoformat() + "Z"} for r in rows]  # fmt: skip


def _check_reason(reason: str) -> None:
    if len(reason.strip()) < 3:
        raise BadInput("no_reason", "دلیل لازم است", "a reason is required")


# --- small pure helpers -----------------------------------------------------------------


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:4]}***{mobile[-4:]}"


def _sms_text(otp: str, purpose: str, minutes: int) -> str:
    what = "ثبت‌نام یا بازیابی حساب" if purpose == "enrol" else "ورود"
    return (f"هدی — کد {what}: {otp}\nاعتبار {to_persian(str(minutes))} دقیقه. "
            "این کد را به هیچ‌کس ندهید.")  # fmt: skip


def _locked(until: datetime | None) -> bool:
    return until is not None and until > now_utc()


def _account(session: Session, code: str) -> Account | None:
    return session.scalar(
        select(Account).where(Account.national_code == code, Account.kind == "citizen")
    )


def _code_or_blank(raw: str) -> str:
    try:
        return parse_code(raw)
    except BadInput:
        return ""  # a malformed code is just a wrong credential


def _enrolment_input(
    code: str, birth_date: str, serial: str, mobile: str
) -> tuple[str, date, str, str]:
    """Well-formed input, or BadInput naming the field (the format says nothing about who
    is registered)."""
    parsed = parse_code(code)
    try:
        born = jalali.from_jalali(to_ascii(birth_date.strip()))
    except ValueError as exc:
        raise BadInput("bad_birth_date", "تاریخ تولد را به شکل ۱۳۸۴/۰۷/۱۷ بنویسید",
                       "birth_date must be a Jalali date like 1384/07/17") from exc  # fmt: skip
    serial = to_ascii(serial.strip())
    if not (len(serial) == 6 and serial.isdigit()):
        raise BadInput("bad_serial", "سریال شناسنامه شش رقم است",
                       "the booklet serial is six digits")  # fmt: skip
    mobile = to_ascii(mobile.strip())
    if not (len(mobile) == 11 and mobile.startswith("09") and mobile.isdigit()):
        raise BadInput("bad_mobile", "شمارهٔ همراه ۱۱ رقم است و با ۰۹ آغاز می‌شود",
                       "mobile must be 11 digits starting 09")  # fmt: skip
    return parsed, born, serial, mobile


def _check_password(password: str, code: str, mobile: str) -> None:
    """NIST SP 800-63B: length, not composition rules; and not the person's own numbers."""
    if len(password) < MIN_PASSWORD or len(password) > 200:
        raise BadInput("weak_password", f"گذرواژه دست‌کم {to_persian(str(MIN_PASSWORD))} نویسه است",
                       f"the password needs {MIN_PASSWORD} to 200 characters")  # fmt: skip
    plain = to_ascii(password)
    if code in plain or mobile in plain or mobile[1:] in plain:
        raise BadInput(
            "weak_password",
            "گذرواژه نباید کد ملی یا شمارهٔ همراه شما را داشته باشد",
            "the password must not contain your national code or mobile number",
        )


def _bad_code() -> BadInput:
    return BadInput(
        "bad_otp",
        "کد یکبارمصرف نادرست یا منقضی است؛ در صورت نیاز کد تازه بخواهید",
        "the one-time code is wrong, used or expired; ask for a new one if needed",
    )


def otp_key(home: Path) -> bytes:
    """The HMAC key of stored one-time codes, outside the database; made on first use."""
    return instance_key(home, "otp.key")


def pairwise_key(home: Path) -> bytes:
    """The HMAC key of pairwise subject identifiers (`sub`); losing it changes every `sub`."""
    return instance_key(home, "pairwise.key")


@cache
def instance_key(home: Path, name: str) -> bytes:
    """A 256-bit secret of this instance in `$SABT_HOME/keys`, made on first use."""
    path = home / "keys" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Several server processes may start at once: each writes its own candidate and
        # links it into place; link fails when the name exists, so one key wins for all.
        candidate = path.with_name(f".{name}.{os.getpid()}")
        candidate.write_bytes(secrets.token_bytes(32))
        candidate.chmod(0o600)
        with contextlib.suppress(FileExistsError):
            os.link(candidate, path)
        candidate.unlink()
    return path.read_bytes()
