"""Tokens for organisations (OAuth2 client credentials), staff (password + TOTP) and
citizens; and the dependencies every other router authorises with."""

import json
from collections.abc import Callable, Iterator
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from sabt.identity import account_state, oauth, provider, service, sms
from sabt.identity import hoda as hoda_core
from sabt.identity.models import Account
from sabt.identity.schemas import (
    AccountStateIn,
    CitizenLogin,
    EnrolConfirmIn,
    EnrolIn,
    HodaLoginIn,
    OtpIn,
    RelyingPartyIn,
    StaffLogin,
    TokenOut,
)
from sabt.identity.service import Caller
from sabt.kit.errors import BadInput
from sabt.kit.params import id_path
from sabt.registry.codes import parse_code
from sabt.registry.endpoints import session

router = APIRouter(tags=["identity"])


def write_session(request: Request) -> Iterator[Session]:
    """A session committed when the endpoint returns normally. On SQLite its transactions
    begin IMMEDIATE: parallel logins queue for the write lock instead of failing with
    "database is locked" when a reader turns writer (the failure counters, `lockout`)."""
    writer = request.app.state.engine.execution_options(sabt_write=True)
    with Session(writer, expire_on_commit=False) as s:
        yield s
        s.commit()


def current_caller(request: Request, db: Annotated[Session, Depends(session)]) -> Caller:
    """The caller named by `Authorization: Bearer <token>`, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return service.authenticate(db, token.strip() if scheme.lower() == "bearer" else "")


def require(scope: str) -> Callable[[Caller], Caller]:
    """A dependency: the caller, who must hold `scope` (403 otherwise)."""

    def check(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        caller.require(scope)
        return caller

    return check


@router.post("/oauth/token", summary="Token endpoint (client credentials; OpenID Connect code)")
async def oauth_token(request: Request) -> Response:
    """For organisations, RFC 6749 §4.4: `grant_type=client_credentials`, the client
    authenticated with HTTP Basic or `client_id`/`client_secret` in the form; `scope`
    optional. For agencies logging citizens in through HODA, `grant_type=authorization_code`
    (OpenID Connect Core §3.1.3) with `client_secret_basic`, `private_key_jwt`, or (public
    clients) the PKCE verifier alone."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    # In a worker thread (the database blocks), but few at a time (SABT_TOKEN_THREADS):
    # the work is short and mostly Python, and threads contending for the GIL cost more
    # than they overlap (bench/hoda.py: 370-540 req/s with anyio's 40 threads a process,
    # 800-950 with one).
    response = await anyio.to_thread.run_sync(
        _token_response, request, form, limiter=request.app.state.token_limiter
    )
    response.headers["cache-control"] = "no-store"
    return response


def _token_response(request: Request, form: dict[str, str]) -> Response:
    with Session(request.app.state.engine, expire_on_commit=False) as db:
        return oauth.token_response(
            db, request.app.state.settings, str(request.url), request.headers, form
        )


@router.post("/api/v1/identity/staff/token", response_model=TokenOut)
def staff_token(
    body: StaffLogin,
    request: Request,
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, str | int]:
    """A staff member's bearer token: username, password and the current TOTP code."""
    settings = request.app.state.settings
    return service.staff_login(db, body.username, body.password, body.totp, settings).as_json()


@router.post("/api/v1/identity/citizens/token", response_model=TokenOut)
def citizen_token(
    body: CitizenLogin,
    request: Request,
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, str | int]:
    """A citizen's bearer token (interim: password only; HODA adds the OTP)."""
    try:
        code = parse_code(body.national_code)
    except BadInput:
        code = body.national_code  # a wrong code is just wrong credentials
    settings = request.app.state.settings
    return service.citizen_login(db, code, body.password, settings).as_json()


# --- HODA: enrolment, login, the citizen's own methods and history ---------------------


def hoda(
    request: Request, db: Annotated[Session, Depends(write_session, scope="function")]
) -> hoda_core.Hoda:
    settings = request.app.state.settings
    return hoda_core.Hoda(db, settings, sms.gateway(settings), hoda_core.otp_key(settings.home))


HodaDep = Annotated[hoda_core.Hoda, Depends(hoda)]


@router.post("/api/v1/hoda/enrolments", status_code=202, tags=["hoda"])
def enrol(body: EnrolIn, h: HodaDep) -> dict[str, object]:
    """Enrol, or recover an account: the details are checked against the register and the
    mobile's owner, then a code is sent to that mobile."""
    return h.enrol_start(body.national_code, body.birth_date, body.booklet_serial,
                         body.mobile).as_json()  # fmt: skip


@router.post("/api/v1/hoda/enrolments/confirm", status_code=201, tags=["hoda"])
def enrol_confirm(body: EnrolConfirmIn, h: HodaDep) -> dict[str, str]:
    """The code and the new password: `enrolled`, or `recovered`."""
    return {"status": h.enrol_finish(body.challenge, body.otp, body.password)}


@router.post("/api/v1/hoda/login", tags=["hoda"])
def hoda_login(body: HodaLoginIn, h: HodaDep) -> dict[str, object]:
    """National code and password; then a code by SMS (or, when the citizen has locked the
    OTP method, a token at the password level)."""
    step = h.login_start(body.national_code, body.password)
    if isinstance(step, hoda_core.Challenge):
        return step.as_json()
    return _signed_in(h, step)


@router.post("/api/v1/hoda/login/confirm", tags=["hoda"])
def hoda_login_confirm(body: OtpIn, h: HodaDep) -> dict[str, object]:
    """The code sent by SMS: a citizen's bearer token at the password+OTP level."""
    return _signed_in(h, h.login_finish(body.challenge, body.otp))


def _signed_in(h: hoda_core.Hoda, done: hoda_core.Authenticated) -> dict[str, object]:
    token = service.citizen_token(h.session, h.settings, done.account)
    return {"status": "authenticated", "acr": done.acr, **token.as_json()}


CitizenDep = Annotated[Caller, Depends(require("account:self"))]


@router.get("/api/v1/hoda/me", tags=["hoda"])
def me(caller: CitizenDep, db: Annotated[Session, Depends(session)]) -> dict[str, object]:
    """The signed-in citizen's methods (locked or not) and authentication history."""
    code = caller.national_code or ""
    account = db.get(Account, caller.account_id)
    assert account is not None  # authenticate() found it
    mobile = hoda_core.mask_mobile(account.mobile) if account.mobile else None
    return {"national_code": code, "mobile": mobile,
            "methods": hoda_core.methods_of(account),
            "history": hoda_core.history(db, code)}  # fmt: skip


@router.post("/api/v1/hoda/me/methods/{method}/{action}", tags=["hoda"])
def lock_method(
    method: Literal["password", "otp"],
    action: Literal["lock", "unlock"],
    caller: CitizenDep,
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, bool]:
    """Lock or unlock one's own password or OTP method."""
    return hoda_core.set_method_lock(db, caller.national_code or "", method, action == "lock")


@router.get("/api/v1/hoda/me/consents", tags=["hoda"])
def my_consents(caller: CitizenDep, db: Annotated[Session, Depends(session)]) -> dict[str, object]:
    """The agencies the citizen allowed to receive their details, what, and until when."""
    account = db.get(Account, caller.account_id)
    assert account is not None  # authenticate() found it
    return {"consents": provider.consents_of(db, account)}


@router.delete("/api/v1/hoda/me/consents/{consent_id}", tags=["hoda"], status_code=204)
def withdraw_consent(
    consent_id: Annotated[int, id_path("the consent's id")],
    caller: CitizenDep,
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> Response:
    """Withdraw a consent: the agency's tokens stop working and it must ask again."""
    account = db.get(Account, caller.account_id)
    assert account is not None
    provider.withdraw_consent(db, account, consent_id)
    return Response(status_code=204)


@router.post("/api/v1/identity/accounts/disable", tags=["identity"])
def disable_account(
    body: AccountStateIn,
    caller: Annotated[Caller, Depends(require("identity:admin"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, object]:
    """Disable a staff account, a client or a citizen's account (audited): its tokens and
    sessions stop at once."""
    return account_state.set_disabled(db, body.kind, body.id, True, body.reason, caller.actor)


@router.post("/api/v1/identity/accounts/enable", tags=["identity"])
def enable_account(
    body: AccountStateIn,
    caller: Annotated[Caller, Depends(require("identity:admin"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, object]:
    """Enable a disabled account again (audited); it must sign in afresh."""
    return account_state.set_disabled(db, body.kind, body.id, False, body.reason, caller.actor)


@router.post("/api/v1/identity/relying-parties", tags=["identity"], status_code=201)
def add_relying_party(
    body: RelyingPartyIn,
    caller: Annotated[Caller, Depends(require("identity:admin"))],
    db: Annotated[Session, Depends(write_session, scope="function")],
) -> dict[str, str | None]:
    """Register an agency with HODA; the secret (when it has one) is shown once."""
    new = provider.add_relying_party(
        db, name=body.name, sector=body.sector, redirect_uris=body.redirect_uris,
        actor=caller.actor, jwks=json.dumps(body.jwks) if body.jwks else None,
        public=body.public, first_party=body.first_party,
        post_logout_uris=body.post_logout_redirect_uris,
        id_token_alg=body.id_token_signed_response_alg,
    )  # fmt: skip
    return new.as_json()
