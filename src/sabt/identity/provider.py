"""Use cases of HODA's OpenID Connect provider that keep state: the agencies registered as
relying parties, logins in progress at HODA's pages (interactions), a citizen's sign-in
in a browser (sessions), consents per agency, authorization codes, and the `jti` of
client assertions. The protocol itself is Authlib's (`oauth.py`, `oidc.py`).

Every secret a browser or a client holds (interaction and session cookies, CSRF tokens,
codes) is stored only as a SHA-256 digest: each is 256 random bits.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeAlias, cast
from urllib.parse import urlsplit

from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import (
    DateTime,
    Row,
    Select,
    String,
    Table,
    bindparam,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from sabt.identity import claims, credentials
from sabt.identity.audit import audit, now_utc
from sabt.identity.models import (
    Account,
    AssertionId,
    AuthorizationCode,
    Client,
    Consent,
    Hotlist,
    Interaction,
    LoginSession,
    Token,
)
from sabt.identity.service import may_act, plausible_id
from sabt.kit import canonical
from sabt.kit.errors import BadInput, NotFound
from sabt.kit.orm import Base
from sabt.persian import places
from sabt.registry.models import Person

RELYING_PARTY = "relying-party"
INTERACTION_MINUTES = 15
# RFC 6749 §4.1.2: a code must expire shortly after it is issued (10 minutes at most).
CODE_SECONDS = 120
AUTH_METHODS = ("client_secret_basic", "private_key_jwt", "none")
_SECTOR = re.compile(r"^[a-z0-9][a-z0-9.-]{1,79}$")


@dataclass(frozen=True)
class Login:
    """A citizen authenticated at HODA: the account, the level reached and when."""

    account: Account
    acr: str
    auth_time: datetime


@dataclass(frozen=True)
class NewRelyingParty:
    client_id: str
    client_secret: str | None  # None for private_key_jwt and public clients

    def as_json(self) -> dict[str, str | None]:
        return {"client_id": self.client_id, "client_secret": self.client_secret}


# --- relying parties ----------------------------------------------------------------------


def add_relying_party(
    session: Session,
    *,
    name: str,
    sector: str,
    redirect_uris: list[str],
    actor: str,
    jwks: str | None = None,
    public: bool = False,
    first_party: bool = False,
    post_logout_uris: list[str] | None = None,
    id_token_alg: str = "RS256",
) -> NewRelyingParty:
    """Register an agency's client. It authenticates with a secret (shown once), with its
    keys (`jwks`: private_key_jwt), or not at all (`public`: PKCE is then required)."""
    name = " ".join(name.split())
    _check_relying_party(name, sector, redirect_uris + (post_logout_uris or []), id_token_alg)
    if jwks is not None and public:
        raise _bad("a public client has no keys", "کارخواه عمومی کلید ندارد")
    method = "private_key_jwt" if jwks else "none" if public else "client_secret_basic"
    client_id = f"rp-{sector.replace('.', '-')[:24]}-{credentials.new_token()[:10]}".lower()
    secret = credentials.new_token() if method == "client_secret_basic" else None
    session.add(Client(
        client_id=client_id, kind=RELYING_PARTY, office=None, created_at=now_utc(),
        secret_hash=credentials.client_secret_digest(secret) if secret else None,
        scopes=" ".join(sorted(claims.OIDC_SCOPES)), name=name, sector=sector,
        redirect_uris=json.dumps(redirect_uris),
        post_logout_uris=json.dumps(post_logout_uris or []),
        jwks=checked_jwks(jwks) if jwks else None, auth_method=method,
        id_token_alg=id_token_alg, first_party=first_party,
    ))  # fmt: skip
    audit(session, actor, "client.added", client_id, kind=RELYING_PARTY, name=name,
          sector=sector, redirect_uris=redirect_uris, auth_method=method,
          first_party=first_party)  # fmt: skip
    return NewRelyingParty(client_id, secret)


def relying_party(session: Session, client_id: str) -> Client | None:
    client = session.get(Client, client_id) if plausible_id(client_id) else None
    if client is None or client.disabled or client.kind != RELYING_PARTY:
        return None
    return client


def uris(raw: str | None) -> list[str]:
    return list(json.loads(raw)) if raw else []


def _check_relying_party(name: str, sector: str, all_uris: list[str], alg: str) -> None:
    if not 2 <= len(name) <= 200:
        raise _bad("the name must be 2-200 characters", "نام سازمان باید ۲ تا ۲۰۰ نویسه باشد")
    if not _SECTOR.match(sector):
        raise _bad(
            "the sector must be 2-80 lowercase letters, digits, dots or dashes (e.g. bank-melli)",
            "بخش (sector) باید ۲ تا ۸۰ حرف کوچک لاتین، رقم، نقطه یا خط تیره باشد",
        )
    if not all_uris or not any(all_uris):
        raise _bad("at least one redirect URI is needed", "دست‌کم یک نشانی بازگشت لازم است")
    for uri in all_uris:
        parts = urlsplit(uri)
        local = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not (parts.scheme == "https" or local) or not parts.netloc or parts.fragment:
            raise _bad(
                f"{uri!r} must be an absolute https URL (http only on this machine), no fragment",
                f"نشانی بازگشت باید https و کامل و بی‌بخش # باشد: {uri}",
            )
    if alg not in ("RS256", "ES256"):
        raise _bad(
            "the ID token algorithm must be RS256 or ES256", "الگوریتم باید RS256 یا ES256 باشد"
        )


def checked_jwks(raw: str) -> str:
    """A client's public key set, as stored (public members only), or BadInput."""
    try:
        keys = KeySet.import_key_set(json.loads(raw))
    except (ValueError, TypeError, KeyError, JoseError) as exc:
        raise BadInput(
            "bad_jwks", "مجموعهٔ کلید (JWKS) نامعتبر است", "the key set is not a JSON Web Key Set"
        ) from exc
    if not keys.keys or any(k.is_private for k in keys.keys):
        raise BadInput(
            "bad_jwks",
            "مجموعهٔ کلید باید دست‌کم یک کلید عمومی و هیچ کلید خصوصی نداشته باشد",
            "the key set must hold public keys only, at least one",
        )
    return json.dumps(keys.as_dict(private=False))


def _bad(en: str, fa: str) -> BadInput:
    return BadInput("bad_relying_party", fa, en)


# --- interactions: a login in progress at HODA's pages ------------------------------------


@dataclass(frozen=True)
class NewInteraction:
    interaction: Interaction
    browser_secret: str  # the cookie that binds it to this browser
    csrf: str  # the token every form of it carries


def start_interaction(
    session: Session, client: Client, params: dict[str, str], login: Login | None
) -> NewInteraction:
    """A login for one authorization request; at the consent step when the citizen is
    already signed in."""
    now = now_utc()
    browser, csrf = credentials.new_token(), credentials.new_token()
    ix = Interaction(
        id=credentials.new_token(), browser_digest=credentials.token_digest(browser),
        csrf_digest=credentials.token_digest(csrf), client_id=client.client_id,
        params=canonical.dumps(params).decode(), step="login", created_at=now,
        expires_at=now + timedelta(minutes=INTERACTION_MINUTES),
    )  # fmt: skip
    if login is not None:
        signed_in(ix, login)
        ix.step = "consent"
    session.add(ix)
    return NewInteraction(ix, browser, csrf)


def interaction(session: Session, ix_id: str, browser_secret: str | None) -> Interaction:
    """The live interaction of this browser; NotFound otherwise (expired, finished, or
    opened in another browser)."""
    ix = session.get(Interaction, ix_id) if ix_id else None
    if (
        ix is None or ix.step == "done" or ix.expires_at <= now_utc() or not browser_secret
        or not credentials.same_digest(credentials.token_digest(browser_secret), ix.browser_digest)
    ):  # fmt: skip
        raise NotFound(
            "interaction_expired",
            "این صفحهٔ ورود منقضی شده یا از مرورگر دیگری است؛ از سامانهٔ سازمان دوباره وارد شوید",
            "this sign-in has expired or belongs to another browser: start again at the agency",
        )
    return ix


def new_csrf(ix: Interaction) -> str:
    """A fresh CSRF token for the next form of `ix` (the previous one stops working)."""
    csrf = credentials.new_token()
    ix.csrf_digest = credentials.token_digest(csrf)
    return csrf


def check_csrf(ix: Interaction, given: str) -> None:
    if not given or not credentials.same_digest(credentials.token_digest(given), ix.csrf_digest):
        raise BadInput(
            "csrf_failed",
            "فرم منقضی شده است؛ صفحه را دوباره باز کنید",
            "the form has expired (CSRF check failed): reload the page",
        )


def params_of(ix: Interaction) -> dict[str, str]:
    return dict(canonical.loads(ix.params))


def signed_in(ix: Interaction, login: Login) -> None:
    ix.account_id, ix.acr, ix.auth_time = login.account.id, login.acr, login.auth_time
    ix.otp_handle = None


def login_of(session: Session, ix: Interaction) -> Login:
    account = session.get(Account, ix.account_id)
    assert account is not None and ix.acr is not None and ix.auth_time is not None
    return Login(account, ix.acr, ix.auth_time)


# --- sessions: a citizen signed in at HODA in one browser ----------------------------------


def open_session(session: Session, login: Login, minutes: int) -> str:
    """Sign the citizen in for single sign-on; returns the cookie's value."""
    secret = credentials.new_token()
    session.add(LoginSession(
        digest=credentials.token_digest(secret), account_id=login.account.id, acr=login.acr,
        auth_time=login.auth_time, expires_at=now_utc() + timedelta(minutes=minutes),
    ))  # fmt: skip
    return secret


def live_session(session: Session, secret: str | None) -> Login | None:
    """The sign-in a cookie stands for, if it is still good and its citizen may still
    authenticate (a death, the hotlist or a lock ends it at once)."""
    row = session.get(LoginSession, credentials.token_digest(secret)) if secret else None
    if row is None or row.ended_at is not None or row.expires_at <= now_utc():
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.password_locked or not may_act(session, account):
        return None
    return Login(account, row.acr, row.auth_time)


def end_session(session: Session, secret: str | None) -> None:
    row = session.get(LoginSession, credentials.token_digest(secret)) if secret else None
    if row is not None and row.ended_at is None:
        row.ended_at = now_utc()


# --- consent, per agency ---------------------------------------------------------------------


def consent_covers(session: Session, account: Account, sector: str, scopes: frozenset[str]) -> bool:
    now = now_utc()
    rows = session.scalars(select(Consent).where(
        Consent.account_id == account.id, Consent.sector == sector,
        Consent.withdrawn_at.is_(None), Consent.expires_at > now,
    ))  # fmt: skip
    return any(scopes <= frozenset(row.scopes.split()) for row in rows)


def grant_consent(
    session: Session, account: Account, sector: str, scopes: frozenset[str], days: int
) -> None:
    """Record the citizen's consent; it replaces the agency's earlier one."""
    now = now_utc()
    _withdraw_all(session, account, sector, now)
    session.add(Consent(account_id=account.id, sector=sector, scopes=" ".join(sorted(scopes)),
                        granted_at=now, expires_at=now + timedelta(days=days)))  # fmt: skip


def consents_of(session: Session, account: Account) -> list[dict[str, object]]:
    """The citizen's live consents, each with the agencies of its sector."""
    now = now_utc()
    rows = session.scalars(
        select(Consent)
        .where(Consent.account_id == account.id, Consent.withdrawn_at.is_(None),
               Consent.expires_at > now)
        .order_by(Consent.granted_at.desc())
    )  # fmt: skip
    return [
        {"id": row.id, "sector": row.sector, "agencies": _agencies(session, row.sector),
         "scopes": row.scopes.split(), "granted_at": row.granted_at.isoformat() + "Z",
         "expires_at": row.expires_at.isoformat() + "Z"}
        for row in rows
    ]  # fmt: skip


def withdraw_consent(session: Session, account: Account, consent_id: int) -> None:
    """Withdraw a consent: the agency's tokens for this citizen stop working at once."""
    row = session.get(Consent, consent_id)
    if row is None or row.account_id != account.id or row.withdrawn_at is not None:
        raise NotFound("no_consent", "چنین رضایتی یافت نشد", f"no live consent {consent_id}")
    _withdraw_all(session, account, row.sector, now_utc())
    audit(session, f"citizen:{account.national_code}", "consent.withdrawn", row.sector)


def _withdraw_all(session: Session, account: Account, sector: str, now: datetime) -> None:
    session.execute(
        update(Consent)
        .where(Consent.account_id == account.id, Consent.sector == sector,
               Consent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )  # fmt: skip
    clients = select(Client.client_id).where(Client.sector == sector)
    session.execute(
        update(Token)
        .where(Token.account_id == account.id, Token.audience.in_(clients))
        .values(revoked=True)
    )


def _agencies(session: Session, sector: str) -> list[str]:
    names = session.scalars(
        select(Client.name).where(Client.sector == sector, Client.kind == RELYING_PARTY)
    )
    return sorted({n for n in names if n})


# --- authorization codes and client assertions ---------------------------------------------


def save_code(session: Session, code: str, client: Client, login: Login, redirect_uri: str,
              scope: str, nonce: str | None, challenge: str | None) -> None:  # fmt: skip
    now = now_utc()
    session.add(AuthorizationCode(
        digest=credentials.token_digest(code), client_id=client.client_id,
        account_id=login.account.id, redirect_uri=redirect_uri, scope=scope, nonce=nonce,
        code_challenge=challenge, acr=login.acr, auth_time=login.auth_time, created_at=now,
        expires_at=now + timedelta(seconds=CODE_SECONDS),
    ))  # fmt: skip


@dataclass(frozen=True)
class Redemption:
    """A code spent at the token endpoint: what the login granted, the access token it is
    exchanged for (chosen and stored as the code is spent, so that a reuse can revoke it),
    and its citizen as the claims see them, or None when they may no longer authenticate
    (a death, the hotlist, the account disabled or password-locked since the login)."""

    account_id: int
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    acr: str
    auth_time: datetime
    access_token: str
    holder: claims.Subject | None


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


# The token endpoint is the provider's hot path: its statements are built once, on the
# tables (no ORM unit of work), with only the columns they need. Each round trip to the
# database costs the worker about as much CPU as the rest of the request's Python, so on
# PostgreSQL the code is spent, its token stored and its citizen read in one statement
# (data-modifying CTEs); SQLite has no such CTEs and takes the same steps one by one.
_CODE, _TOKEN = _table(AuthorizationCode).c, _table(Token).c
_SPEND = (
    update(_table(AuthorizationCode))
    .where(_CODE.digest == bindparam("code_digest"), _CODE.client_id == bindparam("client"),
           _CODE.used_at.is_(None), _CODE.expires_at > bindparam("now"))
    .values(used_at=bindparam("now"), token_digest=bindparam("access_digest"))
    .returning(_CODE.account_id, _CODE.redirect_uri, _CODE.scope, _CODE.nonce,
               _CODE.code_challenge, _CODE.acr, _CODE.auth_time)
)  # fmt: skip
_ISSUE = insert(_table(Token)).values(
    digest=bindparam("access_digest"), account_id=bindparam("account"),
    audience=bindparam("client"), scopes=bindparam("scope"), issued_at=bindparam("now"),
    expires_at=bindparam("expires"), revoked=False,
)  # fmt: skip
_ACCOUNT, _PERSON, _HOTLIST = _table(Account).c, _table(Person).c, _table(Hotlist).c
_HOLDER_COLUMNS = (
    _ACCOUNT.mobile, _ACCOUNT.disabled, _ACCOUNT.password_locked, _PERSON.status,
    _HOTLIST.national_code.label("hotlisted"), _PERSON.national_code, _PERSON.first_name,
    _PERSON.last_name, _PERSON.father_name, _PERSON.birth_date, _PERSON.sex,
    _PERSON.residence_county,
)  # fmt: skip
_HOLDER = (
    select(*_HOLDER_COLUMNS)
    .select_from(_table(Account))
    .join(_table(Person), _PERSON.national_code == _ACCOUNT.national_code)
    .outerjoin(_table(Hotlist), _HOTLIST.national_code == _ACCOUNT.national_code)
    .where(_ACCOUNT.id == bindparam("account"))
)  # fmt: skip


def _spend_issue_and_hold() -> Select[Any]:
    spent = _SPEND.cte("spent")
    token_columns = [
        _TOKEN.digest, _TOKEN.account_id, _TOKEN.audience, _TOKEN.scopes, _TOKEN.issued_at,
        _TOKEN.expires_at, _TOKEN.revoked,
    ]  # fmt: skip
    token_values = select(
        bindparam("access_digest", type_=String), spent.c.account_id,
        bindparam("client", type_=String), spent.c.scope, bindparam("now", type_=DateTime),
        bindparam("expires", type_=DateTime), false(),
    )  # fmt: skip
    issued = insert(_table(Token)).from_select(token_columns, token_values).cte("issued")
    return (
        select(*spent.c, *_HOLDER_COLUMNS)
        .add_cte(issued)
        .select_from(spent)
        .outerjoin(_table(Account), _ACCOUNT.id == spent.c.account_id)
        .outerjoin(_table(Person), _PERSON.national_code == _ACCOUNT.national_code)
        .outerjoin(_table(Hotlist), _HOTLIST.national_code == _ACCOUNT.national_code)
    )


_SPEND_ISSUE_AND_HOLD = _spend_issue_and_hold()
_AnyRow: TypeAlias = Row[*tuple[Any, ...]]


def redeem_code(
    session: Session, code: str, client_id: str, token_seconds: int
) -> Redemption | None:
    """Spend the unused, unexpired code issued to this client and store the access token
    it gives, valid `token_seconds`: of two concurrent redemptions only one finds the code
    unused. A code used before revokes the token it gave (RFC 6749 §4.1.2) and is refused;
    the caller must keep that change. Nothing is kept unless the caller commits (a
    redemption refused later leaves the code unspent and no token)."""
    if not code:
        return None
    digest, access_token, now = credentials.token_digest(code), credentials.new_token(), now_utc()
    values = {
        "code_digest": digest, "client": client_id, "now": now,
        "access_digest": credentials.token_digest(access_token),
        "expires": now + timedelta(seconds=token_seconds),
    }  # fmt: skip
    if session.get_bind().dialect.name == "postgresql":
        spent = holder = session.execute(_SPEND_ISSUE_AND_HOLD, values).first()
    else:
        spent, holder = _spend_issue_and_hold_in_steps(session, values)
    if spent is None:
        _revoke_token_of_used_code(session, digest, client_id)
        return None
    return Redemption(
        account_id=spent.account_id, redirect_uri=spent.redirect_uri, scope=spent.scope,
        nonce=spent.nonce, code_challenge=spent.code_challenge, acr=spent.acr,
        auth_time=spent.auth_time, access_token=access_token, holder=_may_hold(holder),
    )  # fmt: skip


def _spend_issue_and_hold_in_steps(
    session: Session, values: dict[str, Any]
) -> tuple[_AnyRow | None, _AnyRow | None]:
    spent = session.execute(_SPEND, values).first()
    if spent is None:
        return None, None
    session.execute(_ISSUE, {**values, "account": spent.account_id, "scope": spent.scope})
    return spent, session.execute(_HOLDER, {"account": spent.account_id}).first()


def _revoke_token_of_used_code(session: Session, digest: str, client_id: str) -> None:
    token = session.scalar(
        select(AuthorizationCode.token_digest).where(
            AuthorizationCode.digest == digest, AuthorizationCode.client_id == client_id,
            AuthorizationCode.used_at.is_not(None),
        )
    )  # fmt: skip
    if token:
        session.execute(
            update(Token)
            .where(Token.digest == token)
            .values(revoked=True)
            .execution_options(synchronize_session=False)
        )


def _may_hold(found: _AnyRow | None) -> claims.Subject | None:
    """The citizen of a row of `_HOLDER_COLUMNS`, if they may still authenticate: not
    deceased, not on the hotlist, the account neither disabled nor password-locked."""
    if found is None or found.national_code is None:
        return None
    if found.disabled or found.password_locked or found.status != "alive" or found.hotlisted:
        return None
    return _subject(found, found.mobile)


def nonce_used(session: Session, client_id: str, nonce: str) -> bool:
    found = session.scalar(
        select(AuthorizationCode.digest)
        .where(AuthorizationCode.client_id == client_id, AuthorizationCode.nonce == nonce)
        .limit(1)
    )
    return found is not None


def remember_jti(session: Session, client_id: str, jti: str, expires: datetime) -> bool:
    """Record an assertion's `jti`; False when the client used it before (a replay)."""
    if session.get(AssertionId, (client_id, jti)) is not None:
        return False
    session.add(AssertionId(client_id=client_id, jti=jti[:255], expires_at=expires))
    session.flush()
    return True


# --- tokens and claims -----------------------------------------------------------------------


@dataclass(frozen=True)
class UserinfoGrant:
    """What an agency's access token releases: to which agency, which scopes, of whom."""

    client: Client
    scopes: frozenset[str]
    subject: claims.Subject


def userinfo_grant(session: Session, bearer: str) -> UserinfoGrant | None:
    """The agency, scopes and citizen an agency's access token stands for, or None when
    the token is unknown, revoked or expired, or its citizen may no longer authenticate:
    the redemption's own rule (`_may_hold`), read in the same one statement."""
    token = session.get(Token, credentials.token_digest(bearer)) if bearer else None
    if token is None or token.audience is None or token.revoked or token.expires_at <= now_utc():
        return None
    client = relying_party(session, token.audience)
    holder = _may_hold(session.execute(_HOLDER, {"account": token.account_id}).first())
    if client is None or holder is None:
        return None
    return UserinfoGrant(client, frozenset(token.scopes.split()), holder)


class _PersonFields(Protocol):
    """What the claims read of a person: a `Person`, or a row of `_HOLDER`."""

    @property
    def national_code(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def father_name(self) -> str | None: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def sex(self) -> str: ...
    @property
    def residence_county(self) -> str: ...


def _subject(person: _PersonFields, mobile: str | None) -> claims.Subject:
    """The claims' source: a person (or a row of `_HOLDER`) and the account's phone."""
    county = places.counties().get(person.residence_county)
    province = places.provinces().get(county.province_iso) if county else None
    return claims.Subject(
        national_code=person.national_code, first_name=person.first_name,
        last_name=person.last_name, father_name=person.father_name,
        birth_date=person.birth_date, sex=person.sex, mobile=mobile,
        residence_county=county.name_fa if county else None,
        residence_province=province.name_fa if province else None,
    )  # fmt: skip
