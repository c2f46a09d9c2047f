"""Use cases of the authorisation core; the only code that writes the identity tables.

Tokens are opaque bearer tokens looked up by digest, so a token can be revoked at once and
a lock or a death takes effect on the next request.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, NoReturn, TypeVar, cast

from sqlalchemy import (
    Table,
    bindparam,
    select,
)
from sqlalchemy.orm import Session

from sabt.identity import credentials, lockout
from sabt.identity.audit import audit, now_utc
from sabt.identity.models import (
    Account,
    Client,
    Hotlist,
    Token,
)
from sabt.identity.roles import (
    CITIZEN_SCOPES,
    CLIENT_KINDS,
    ROLES,
    Jurisdiction,
    Place,
    jurisdiction_of,
)
from sabt.kit import clock
from sabt.kit.errors import BadInput, Conflict, NotFound, SabtError
from sabt.kit.settings import Settings
from sabt.registry.models import Office, Person

Row = TypeVar("Row")


class Unauthorized(SabtError):
    status = 401


class Forbidden(SabtError):
    status = 403


@dataclass(frozen=True)
class Caller:
    """Who is calling, what they may do, and where."""

    kind: Literal["client", "staff", "citizen"]
    name: str
    scopes: frozenset[str]
    place: Place
    jurisdiction: Jurisdiction | None = None  # staff only
    national_code: str | None = None  # citizens only
    account_id: int | None = None

    @property
    def actor(self) -> str:
        """How the caller is named in the ledger and the logs."""
        return f"{self.kind}:{self.name}"

    def require(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(
                "missing_scope",
                f"این کار مجاز نیست: دسترسی «{scope}» لازم است",
                f"this needs the scope {scope!r}",
            )

    def require_jurisdiction(self, place: Place) -> None:
        if self.jurisdiction is None or not self.jurisdiction.covers(place):
            raise Forbidden(
                "outside_jurisdiction",
                "این پرونده در حوزهٔ شما نیست",
                "this record is outside your jurisdiction",
            )


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str

    def as_json(self) -> dict[str, str | int]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "scope": self.scope,
        }


def plausible_id(value: str) -> bool:
    """Whether `value` could be a client id at all (PostgreSQL refuses a NUL in text)."""
    return 0 < len(value) <= 40 and "\x00" not in value


def office_of(session: Session, code: str) -> Office:
    office = session.get(Office, code)
    if office is None:
        raise NotFound("unknown_office", f"دفتر {code} ثبت نشده است", f"no office {code!r}")
    return office


NOWHERE = Place(None, None, None)


def place_of(office: Office) -> Place:
    return Place(office.code, office.county, office.province)


# --- organisations -------------------------------------------------------------------


def add_client(session: Session, kind: str, office_code: str, actor: str) -> tuple[str, str]:
    """A new client for an organisation of `kind` at `office_code`: (client_id, secret).
    The secret is returned once and stored only as a hash."""
    if kind not in CLIENT_KINDS:
        raise BadInput(
            "bad_client_kind",
            f"نوع سازمان نامعتبر است: {kind}",
            f"kind must be one of {', '.join(CLIENT_KINDS)}, not {kind!r}",
        )
    office_kind, scopes = CLIENT_KINDS[kind]
    office = office_of(session, office_code)
    if office.kind != office_kind:
        raise BadInput(
            "office_kind_mismatch",
            f"دفتر {office.code} از نوع {office.kind} است، نه {office_kind}",
            f"office {office.code} is a {office.kind}, not a {office_kind}",
        )
    client_id = f"{kind}-{office.code}-{credentials.new_token()[:8]}".lower()
    secret = credentials.new_token()
    session.add(
        Client(
            client_id=client_id,
            secret_hash=credentials.client_secret_digest(secret),
            kind=kind,
            office=office.code,
            scopes=" ".join(sorted(scopes)),
            created_at=now_utc(),
        )
    )
    audit(session, actor, "client.added", client_id, kind=kind, office=office.code)
    return client_id, secret


# Every token request reads its client: on the table, not through the ORM (`Session.get`
# took ~0.65 ms of CPU here, this select ~0.43 ms).
_CLIENT = select(*cast(Table, Client.__table__).c).where(
    Client.client_id == bindparam("client_id"), Client.disabled.is_(False)
)


def find_client(session: Session, client_id: str) -> Client | None:
    """The enabled client `client_id`, read now (never from the session's identity map: a
    client disabled a moment ago is refused). A detached copy, to read, not to change."""
    if not plausible_id(client_id):
        return None
    found = session.execute(_CLIENT, {"client_id": client_id}).first()
    return Client(**found._mapping) if found else None


def store_client_token(
    session: Session, client: Client, token: str, scopes: str, seconds: int
) -> None:
    """Keep (the digest of) a token Authlib issued to a client."""
    _store(session, token, seconds, scopes, client_id=client.client_id)


# --- staff ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NewStaff:
    username: str
    password: str
    totp_uri: str


def init_admin(session: Session, username: str, office_code: str) -> NewStaff:
    """The first national administrator; refused once any administrator exists."""
    exists = session.scalar(select(Account.id).where(Account.role == "national_admin").limit(1))
    if exists is not None:
        raise Conflict(
            "admin_exists",
            "مدیر ملی پیش‌تر ساخته شده است",
            "a national administrator already exists",
        )
    return add_staff(session, username, "national_admin", office_code, actor="cli:admin-init")


def add_staff(session: Session, username: str, role: str, office_code: str, actor: str) -> NewStaff:
    """A staff account with a generated password and TOTP secret (both shown once)."""
    if role not in ROLES:
        raise BadInput(
            "bad_role",
            f"نقش نامعتبر است: {role}",
            f"role must be one of {', '.join(ROLES)}, not {role!r}",
        )
    _check_username(session, username)
    office = office_of(session, office_code)
    if office.kind not in ("civil_registration", "consulate"):
        raise BadInput(
            "bad_staff_office",
            "کارکنان در ادارهٔ ثبت احوال یا کنسولگری کار می‌کنند",
            f"staff belong to a civil registration office or a consulate, not a {office.kind}",
        )
    password, secret = credentials.new_password(), credentials.new_totp_secret()
    session.add(
        Account(
            kind="staff",
            username=username,
            password_hash=credentials.hash_secret(password),
            totp_secret=secret,
            role=role,
            office=office.code,
            created_at=now_utc(),
        )
    )
    audit(session, actor, "staff.added", username, role=role, office=office.code)
    return NewStaff(username, password, credentials.totp_uri(secret, username))


def _check_username(session: Session, username: str) -> None:
    if not (3 <= len(username) <= 64) or not username.replace("-", "").replace(".", "").isalnum():
        raise BadInput(
            "bad_username",
            "نام کاربری ۳ تا ۶۴ نویسه از حروف، رقم، نقطه و خط تیره است",
            "a username is 3-64 letters, digits, dots and hyphens",
        )
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Conflict("username_taken", "این نام کاربری گرفته شده است", "username is taken")


def staff_login(
    session: Session, username: str, password: str, totp: str, settings: Settings
) -> IssuedToken:
    """Password and TOTP in one step, counted before they are checked (`lockout`). An
    unknown name, a wrong secret, a locked or disabled account: one answer for all."""
    account = session.scalar(
        select(Account).where(Account.username == username, Account.kind == "staff")
    )
    account, count = _reserve(session, account, password, settings)
    ok = credentials.verify_secret(account.password_hash, password)
    step = None
    if ok and account.totp_secret:
        step = credentials.totp_step(account.totp_secret, totp, clock.now(), account.totp_last_step)
    if not ok or step is None:
        _failed(session, account, count, settings)
    account.totp_last_step = step
    lockout.succeeded(session, account, "password")
    role = ROLES[account.role or ""]
    return _issue(
        session, settings.staff_token_minutes, " ".join(sorted(role.scopes)), account_id=account.id
    )


# --- citizens ------------------------------------------------------------------------


def add_citizen(session: Session, national_code: str, actor: str) -> str:
    """A citizen account for a living person in the register; returns its password (once).
    The HODA issue replaces this with enrolment by OTP."""
    person = session.get(Person, national_code)
    if person is None:
        raise NotFound("unknown_person", "این کد ملی در ثبت نیست", "no such person")
    check_can_authenticate(session, person)
    if session.scalar(select(Account.id).where(Account.national_code == national_code)):
        raise Conflict("account_exists", "این شهروند حساب دارد", "this citizen has an account")
    password = credentials.new_password()
    session.add(
        Account(
            kind="citizen",
            username=national_code,
            national_code=national_code,
            password_hash=credentials.hash_secret(password),
            created_at=now_utc(),
        )
    )
    audit(session, actor, "citizen.added", national_code)
    return password


def citizen_login(
    session: Session, national_code: str, password: str, settings: Settings
) -> IssuedToken:
    account = session.scalar(
        select(Account).where(Account.national_code == national_code, Account.kind == "citizen")
    )
    account, count = _reserve(session, account, password, settings)
    if not credentials.verify_secret(account.password_hash, password):
        _failed(session, account, count, settings)
    person = session.get(Person, national_code)
    if person is not None:
        check_can_authenticate(session, person)
    lockout.succeeded(session, account, "password")
    return citizen_token(session, settings, account)


def citizen_token(session: Session, settings: Settings, account: Account) -> IssuedToken:
    """A bearer token for an authenticated citizen."""
    return _issue(
        session,
        settings.citizen_token_minutes,
        " ".join(sorted(CITIZEN_SCOPES)),
        account_id=account.id,
    )


def check_can_authenticate(session: Session, person: Person) -> None:
    """Forbidden when `person` may not authenticate on any path: a registered death, or an
    identity on the hotlist."""
    if person.status == "deceased":
        raise Forbidden(
            "person_deceased",
            "فوت این شخص ثبت شده است؛ ورود ممکن نیست",
            "this person's death is registered: no authentication",
        )
    if session.get(Hotlist, person.national_code) is not None:
        raise Forbidden(
            "identity_hotlisted",
            "این هویت مسدود است؛ به دفتر ثبت احوال مراجعه کنید",
            "this identity is blocked; visit a civil registration office",
        )


def check_citizen(session: Session, account: Account | None) -> Person:
    """The one check of every request a citizen makes, whatever carries it (an API token,
    HODA's browser session, a SAHIM session): the account exists and is not disabled, and
    its person is in the register, alive and not on the hotlist. Unauthorized or Forbidden
    otherwise, so a death, the hotlist or a disabled account stops every path at once."""
    if account is None or account.disabled or account.national_code is None:
        raise _unauthorized()
    person = session.get(Person, account.national_code)
    if person is None:
        raise _unauthorized()
    check_can_authenticate(session, person)
    return person


def may_act(session: Session, account: Account | None) -> bool:
    """`check_citizen` as a yes or no."""
    try:
        check_citizen(session, account)
    except SabtError:
        return False
    return True


def citizen_may_act(session: Session, national_code: str) -> bool:
    """`check_citizen` for the citizen with this national code, as a yes or no."""
    account = session.scalar(
        select(Account).where(Account.national_code == national_code, Account.kind == "citizen")
    )
    return may_act(session, account)


def can_authenticate(session: Session, person: Person) -> bool:
    """Whether `person` may authenticate (no registered death, not on the hotlist)."""
    try:
        check_can_authenticate(session, person)
    except Forbidden:
        return False
    return True


# --- shared --------------------------------------------------------------------------


def _reserve(
    session: Session, account: Account | None, password: str, settings: Settings
) -> tuple[Account, int]:
    """One password attempt counted for `account`, or the one refusal: an unknown, disabled
    or locked account gets the answer a wrong password gets (and costs the same hashing),
    so the answer never tells whether an account exists."""
    count = None
    if account is not None and not account.disabled:
        count = lockout.reserve(session, account, "password", settings)
    if account is None or count is None:
        credentials.verify_secret(None, password)
        raise _bad_credentials()
    return account, count


def _failed(session: Session, account: Account, count: int, settings: Settings) -> NoReturn:
    lockout.failed(session, account, "password", count, settings)
    session.commit()
    raise _bad_credentials()


def _bad_credentials() -> Unauthorized:
    return Unauthorized(
        "bad_credentials",
        "نام کاربری، گذرواژه یا کد یکبارمصرف نادرست است، یا ورود موقتاً ممکن نیست",
        "wrong credentials, or sign-in is not possible for now",
    )


def _issue(
    session: Session,
    minutes: int,
    scopes: str,
    *,
    client_id: str | None = None,
    account_id: int | None = None,
) -> IssuedToken:
    token = credentials.new_token()
    _store(session, token, minutes * 60, scopes, client_id=client_id, account_id=account_id)
    return IssuedToken(token, minutes * 60, scopes)


def _store(
    session: Session,
    token: str,
    seconds: int,
    scopes: str,
    *,
    client_id: str | None = None,
    account_id: int | None = None,
) -> None:
    issued = now_utc()
    session.add(
        Token(
            digest=credentials.token_digest(token),
            client_id=client_id,
            account_id=account_id,
            scopes=scopes,
            issued_at=issued,
            expires_at=issued + timedelta(seconds=seconds),
        )
    )


def authenticate(session: Session, bearer: str) -> Caller:
    """The caller a bearer token stands for, or Unauthorized."""
    token = session.get(Token, credentials.token_digest(bearer)) if bearer else None
    if token is None or token.revoked or token.expires_at <= now_utc():
        raise _unauthorized()
    if token.audience is not None:  # an agency's token: for HODA's userinfo only
        raise _unauthorized()
    scopes = frozenset(token.scopes.split())
    if token.client_id is not None:
        client = find_client(session, token.client_id)
        if client is None:
            raise _unauthorized()
        # an agency (the exchange's) is no office of the registry: it has no place
        place = place_of(office_of(session, client.office)) if client.office else NOWHERE
        return Caller("client", client.client_id, scopes, place)
    account = session.get(Account, token.account_id)
    if account is None or account.disabled:
        raise _unauthorized()
    if account.kind == "citizen":
        person = check_citizen(session, account)
        return Caller(
            "citizen",
            account.username,
            scopes,
            Place(None, person.residence_county, None),
            national_code=account.national_code,
            account_id=account.id,
        )
    return _staff(session, account, scopes)


def _staff(session: Session, account: Account, scopes: frozenset[str]) -> Caller:
    office = office_of(session, account.office or "")
    role = ROLES[account.role or ""]
    jurisdiction = jurisdiction_of(role, office.code, office.kind, office.county, office.province)
    return Caller(
        "staff", account.username, scopes, place_of(office), jurisdiction, account_id=account.id
    )


def staff_caller(session: Session, username: str) -> Caller:
    """An operator at the server's shell acting as staff member `username` (the CLI): the
    account's role, office and jurisdiction, without a login (shell access is the trust)."""
    account = session.scalar(
        select(Account).where(Account.username == username, Account.kind == "staff")
    )
    if account is None or account.disabled:
        raise NotFound("no_staff", f"کارمندی با این نام نیست: {username}", f"no staff {username}")
    return _staff(session, account, ROLES[account.role or ""].scopes)


def _unauthorized() -> Unauthorized:
    return Unauthorized(
        "unauthorized",
        "دسترسی مجاز نیست: نشانهٔ معتبر لازم است",
        "a valid bearer token is required",
    )


def totp_secret_of(session: Session, username: str) -> str:
    """A staff account's TOTP secret (for the demo's `sabt identity staff totp`)."""
    secret = session.scalar(
        select(Account.totp_secret).where(Account.username == username, Account.kind == "staff")
    )
    if secret is None:
        raise NotFound("no_staff", f"کارمندی با این نام نیست: {username}", f"no staff {username}")
    return secret
