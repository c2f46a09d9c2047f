"""Tokens for organisations (OAuth2 client credentials), staff (password + TOTP) and
citizens; and the dependencies every other router authorises with."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sabt.identity import oauth, service
from sabt.identity.schemas import CitizenLogin, StaffLogin, TokenOut
from sabt.identity.service import Caller
from sabt.kit.errors import BadInput
from sabt.registry.endpoints import session
from sabt.registry.validation import parse_code

router = APIRouter(tags=["identity"])


def write_session(request: Request) -> Iterator[Session]:
    """A session committed when the endpoint returns normally."""
    with Session(request.app.state.engine, expire_on_commit=False) as s:
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


@router.post("/oauth/token", summary="Token for an organisation (client credentials)")
async def oauth_token(request: Request) -> JSONResponse:
    """RFC 6749 §4.4: `grant_type=client_credentials`, the client authenticated with HTTP
    Basic or `client_id`/`client_secret` in the form; `scope` optional."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    # the database and the argon2 check block: in a worker thread, not on the event loop
    response = await run_in_threadpool(_token_response, request, form)
    response.headers["cache-control"] = "no-store"
    return response


def _token_response(request: Request, form: dict[str, str]) -> JSONResponse:
    with Session(request.app.state.engine, expire_on_commit=False) as db:
        response = oauth.token_response(
            db, request.app.state.settings, str(request.url), request.headers, form
        )
        if response.status_code == 200:
            db.commit()
    return response


@router.post("/api/v1/identity/staff/token", response_model=TokenOut)
def staff_token(
    body: StaffLogin, request: Request, db: Annotated[Session, Depends(write_session)]
) -> dict[str, str | int]:
    """A staff member's bearer token: username, password and the current TOTP code."""
    settings = request.app.state.settings
    return service.staff_login(db, body.username, body.password, body.totp, settings).as_json()


@router.post("/api/v1/identity/citizens/token", response_model=TokenOut)
def citizen_token(
    body: CitizenLogin, request: Request, db: Annotated[Session, Depends(write_session)]
) -> dict[str, str | int]:
    """A citizen's bearer token (interim: password only; HODA adds the OTP)."""
    try:
        code = parse_code(body.national_code)
    except BadInput:
        code = body.national_code  # a wrong code is just wrong credentials
    settings = request.app.state.settings
    return service.citizen_login(db, code, body.password, settings).as_json()
