"""HODA as an OpenID Connect provider over HTTP: discovery, the key set, the authorization
endpoint and its Persian pages (login, one-time code, consent), userinfo and logout. The
token endpoint is `/oauth/token` (endpoints.py), shared with organisations.

The pages are server-rendered, right-to-left and usable on a phone; they need no script.
Each login in progress (an interaction) is bound to the browser by a cookie scoped to its
own path, and every form carries a CSRF token that changes with each page.
"""

import secrets
from datetime import timedelta
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core.errors import ConsentRequiredError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sabt.identity import claims, credentials, hoda, oauth, oidc, oidc_keys, provider, sms
from sabt.identity.audit import now_utc
from sabt.identity.endpoints import write_session
from sabt.identity.models import Client, Interaction
from sabt.identity.service import may_act
from sabt.kit import csp
from sabt.kit.errors import SabtError
from sabt.kit.settings import Settings
from sabt.persian import jalali
from sabt.persian.digits import to_persian

router = APIRouter(tags=["hoda-oidc"])
IX_COOKIE, SID_COOKIE = "hoda_ix", "hoda_sid"
_SINGLE = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "acr_values",
    "max_age",
)


@router.get("/.well-known/openid-configuration", summary="OpenID Provider metadata")
def discovery(request: Request) -> dict[str, object]:
    return claims.discovery(request.app.state.settings.public_url)


@router.get("/.well-known/jwks.json", summary="HODA's public keys for ID tokens")
def jwks(request: Request) -> dict[str, object]:
    return dict(oidc_keys.of(request.app.state.settings.home).public.as_dict())


# --- the authorization endpoint ---------------------------------------------------------------


@router.get("/oidc/authorize", include_in_schema=False)
def authorize(
    request: Request, db: Annotated[Session, Depends(write_session, scope="function")]
) -> Response:
    """OpenID Connect Core §3.1.2: check the request, then sign the citizen in (or use
    their sign-in at HODA) and ask for consent; the code goes back to the agency."""
    settings: Settings = request.app.state.settings
    items = request.query_params.multi_items()
    params = dict(items)
    if any("\x00" in k + v for k, v in items):
        return _error_page(400, "درخواست نامعتبر است: نویسهٔ تهی", "a parameter holds a NUL")
    if any(sum(1 for k, _ in items if k == name) > 1 for name in _SINGLE):
        return _error_page(400, "درخواست نامعتبر است: پارامتری تکرار شده است",
                           "a parameter is repeated")  # fmt: skip
    server = oauth.Server(db, settings)
    try:
        oreq = oauth.FormRequest(str(request.url), request.headers, params, method="GET")
    except OAuth2Error as error:  # not https
        return _oauth_page(error)
    try:
        login = _usable_session(db, request, params)
        grant = server.get_consent_grant(oreq, end_user=login)
        client: Client = grant.request.client.row
        scopes = frozenset(grant.request.scope.split())
        if login is not None:
            if not _needs_consent(db, client, login, scopes, params):
                _event(db, login, client, "session")
                return _finish(server, oreq, grant, login)
            if "none" in params.get("prompt", "").split():
                raise ConsentRequiredError(redirect_uri=grant.redirect_uri)
    except OAuth2Error as error:
        error.state = params.get("state")
        return _oauth_error(server, oreq, error)
    new = provider.start_interaction(db, client, params, login)
    response = RedirectResponse(_ix_url(new.interaction), status_code=303)
    _set_cookie(response, settings, IX_COOKIE, new.browser_secret, _ix_url(new.interaction),
                provider.INTERACTION_MINUTES * 60)  # fmt: skip
    return response


@router.get("/oidc/interaction/{ix_id}", include_in_schema=False)
def interaction_page(
    ix_id: str, request: Request, db: Annotated[Session, Depends(write_session, scope="function")]
) -> Response:
    try:
        ix = provider.interaction(db, ix_id, request.cookies.get(IX_COOKIE))
    except SabtError as error:
        return _error_page(error.status, error.message_fa, error.message_en)
    return _step_page(db, request.app.state.settings, ix)


@router.post("/oidc/interaction/{ix_id}", include_in_schema=False)
async def interaction_post(ix_id: str, request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    # argon2 and the database block: in a worker thread, not on the event loop
    return await run_in_threadpool(_advance, request, ix_id, form)


def _advance(request: Request, ix_id: str, form: dict[str, str]) -> Response:
    settings: Settings = request.app.state.settings
    with Session(request.app.state.engine, expire_on_commit=False) as db:
        try:
            ix = provider.interaction(db, ix_id, request.cookies.get(IX_COOKIE))
            provider.check_csrf(ix, form.get("csrf", ""))
        except SabtError as error:
            return _error_page(error.status, error.message_fa, error.message_en)
        client = provider.relying_party(db, ix.client_id)
        if client is None:
            return _error_page(400, "این سازمان دیگر در هدا فعال نیست", "the agency is disabled")
        try:
            response = _step(db, settings, ix, client, form)
            db.commit()
            return response
        except SabtError as error:
            db.rollback()
            return _refused(db, settings, request, ix_id, error, form.get("national_code"))


def _refused(db: Session, settings: Settings, request: Request, ix_id: str, error: SabtError,
             national_code: str | None) -> Response:  # fmt: skip
    """The same step again, with what went wrong (failures are already kept by HODA)."""
    try:
        ix = provider.interaction(db, ix_id, request.cookies.get(IX_COOKIE))
    except SabtError as gone:
        return _error_page(gone.status, gone.message_fa, gone.message_en)
    page = _step_page(db, settings, ix, error=error.message_fa, status=error.status,
                      national_code=national_code)  # fmt: skip
    db.commit()
    return page


def _step(db: Session, settings: Settings, ix: Interaction, client: Client,
          form: dict[str, str]) -> Response:  # fmt: skip
    """One form of the login: password, then code, then consent."""
    action = form.get("action", "")
    h = hoda.Hoda(db, settings, sms.gateway(settings), hoda.otp_key(settings.home),
                  agency=client.name or client.client_id)  # fmt: skip
    if ix.step == "login" and action == "login":
        step = h.login_start(form.get("national_code", ""), form.get("password", ""))
        if isinstance(step, hoda.Challenge):
            ix.step, ix.otp_handle = "otp", step.handle
            return RedirectResponse(_ix_url(ix), status_code=303)
        return _signed_in(db, settings, ix, client, provider.Login(step.account, step.acr,
                                                                   step.auth_time))  # fmt: skip
    if ix.step == "otp" and action == "otp":
        done = h.login_finish(ix.otp_handle or "", form.get("otp", ""))
        return _signed_in(db, settings, ix, client, provider.Login(done.account, done.acr,
                                                                   done.auth_time))  # fmt: skip
    if ix.step == "otp" and action == "restart":
        ix.step, ix.otp_handle = "login", None
        return RedirectResponse(_ix_url(ix), status_code=303)
    if ix.step == "consent" and action in ("allow", "deny"):
        login = provider.login_of(db, ix)
        if not may_act(db, login.account):
            ix.step = "done"
            return _error_page(403, "ورود برای این هویت ممکن نیست", "this identity cannot sign in")
        if action == "allow":
            scopes = _scopes_of(db, settings, ix)
            provider.grant_consent(db, login.account, client.sector or client.client_id, scopes,
                                   settings.consent_days)  # fmt: skip
        return _finish_interaction(db, settings, ix, login if action == "allow" else None)
    return RedirectResponse(_ix_url(ix), status_code=303)  # a stale form: show the step


def _signed_in(db: Session, settings: Settings, ix: Interaction, client: Client,
               login: provider.Login) -> Response:  # fmt: skip
    """The citizen is authenticated: remember the sign-in, then consent or the code."""
    provider.signed_in(ix, login)
    sid = provider.open_session(db, login, settings.oidc_session_minutes)
    scopes = _scopes_of(db, settings, ix)
    if _needs_consent(db, client, login, scopes, provider.params_of(ix)):
        ix.step = "consent"
        response: Response = RedirectResponse(_ix_url(ix), status_code=303)
    else:
        response = _finish_interaction(db, settings, ix, login)
    _set_cookie(response, settings, SID_COOKIE, sid, "/oidc", settings.oidc_session_minutes * 60)
    return response


def _finish_interaction(db: Session, settings: Settings, ix: Interaction,
                        login: provider.Login | None) -> Response:  # fmt: skip
    """Send the browser back to the agency: with a code, or `access_denied`."""
    ix.step = "done"
    server = oauth.Server(db, settings)
    params = provider.params_of(ix)
    oreq = oauth.FormRequest(f"{settings.public_url}/oidc/authorize", {}, params, method="GET")
    try:
        grant = server.get_consent_grant(oreq, end_user=login)
    except OAuth2Error as error:
        error.state = params.get("state")
        return _oauth_error(server, oreq, error)
    return _finish(server, oreq, grant, login)


def _finish(server: oauth.Server, oreq: oauth.FormRequest, grant: Any,
            login: provider.Login | None) -> Response:  # fmt: skip
    response: Response = server.create_authorization_response(oreq, grant_user=login, grant=grant)
    return response


def _usable_session(db: Session, request: Request, params: dict[str, str]) -> provider.Login | None:
    """The browser's sign-in at HODA, unless the request asks for a fresh login
    (`prompt=login`, `max_age` passed, or a level the sign-in did not reach)."""
    login = provider.live_session(db, request.cookies.get(SID_COOKIE))
    if login is None or "login" in params.get("prompt", "").split():
        return None
    max_age = params.get("max_age", "")
    if max_age.isdigit() and login.auth_time + timedelta(seconds=int(max_age)) < now_utc():
        return None
    wanted = params.get("acr_values", "").split()
    if wanted and login.acr not in wanted:
        return None
    return login


def _needs_consent(db: Session, client: Client, login: provider.Login, scopes: frozenset[str],
                   params: dict[str, str]) -> bool:  # fmt: skip
    if client.first_party:  # the registry's own portal: consent is implied
        return False
    if "consent" in params.get("prompt", "").split():
        return True
    return not provider.consent_covers(db, login.account, client.sector or client.client_id,
                                       scopes)  # fmt: skip


def _scopes_of(db: Session, settings: Settings, ix: Interaction) -> frozenset[str]:
    client = provider.relying_party(db, ix.client_id)
    allowed = frozenset(client.scopes.split()) if client else frozenset()
    return claims.granted_scopes(provider.params_of(ix).get("scope"), allowed) or frozenset()


def _event(db: Session, login: provider.Login, client: Client, method: str) -> None:
    code, agency = login.account.national_code or "", client.name or client.client_id
    hoda.record_event(db, code, agency, method, "success")


# --- userinfo and logout --------------------------------------------------------------------


@router.get("/oidc/userinfo", summary="UserInfo (OIDC Core §5.3)", operation_id="userinfo_get")
@router.post("/oidc/userinfo", summary="UserInfo (OIDC Core §5.3)", operation_id="userinfo_post")
def userinfo(
    request: Request, db: Annotated[Session, Depends(write_session, scope="function")]
) -> Response:
    """The claims an agency's access token releases. Written here rather than with Authlib's
    UserInfoEndpoint, which would need a resource protector around this same token lookup."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    found = provider.userinfo_grant(db, bearer.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        return JSONResponse(
            {
                "error": "invalid_token",
                "code": "invalid_token",
                "message_fa": "نشانهٔ دسترسی نامعتبر، منقضی یا باطل است",
                "message_en": "the access token is invalid, expired or revoked",
            },
            status_code=401,
            headers={
                "www-authenticate": 'Bearer error="invalid_token"',
                "cache-control": "no-store",
            },
        )
    home = request.app.state.settings.home
    body = oidc.user_claims(home, found.client, found.subject, " ".join(sorted(found.scopes)))
    return JSONResponse(body, headers={"cache-control": "no-store"})


@router.api_route("/oidc/logout", methods=["GET", "POST"], include_in_schema=False)
async def logout(request: Request) -> Response:
    params = dict(request.query_params)
    if request.method == "POST":
        params |= {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return await run_in_threadpool(_logout, request, params)


def _logout(request: Request, params: dict[str, str]) -> Response:
    """RP-initiated logout: with a valid `id_token_hint` at once; without one, after the
    citizen confirms (a bare link must not sign anyone out)."""
    settings: Settings = request.app.state.settings
    sid = request.cookies.get(SID_COOKIE)
    with Session(request.app.state.engine, expire_on_commit=False) as db:
        server = oauth.Server(db, settings)
        endpoint = oidc.EndSession(server, end=lambda: provider.end_session(db, sid))
        try:
            oreq = oauth.FormRequest(str(request.url), request.headers, params, request.method)
            ask = endpoint.validate_request(oreq)
        except OAuth2Error as error:
            return _oauth_page(error)
        confirm = _logout_csrf(sid)
        if ask.needs_confirmation and sid and not (
            request.method == "POST" and secrets.compare_digest(params.get("csrf", ""), confirm)
        ):  # fmt: skip
            keep = [(k, v) for k, v in params.items() if k != "csrf"]
            return _page("hoda_message.html", 200, heading="خروج از هدا",
                         detail="آیا می‌خواهید از هدا خارج شوید؟", logout_csrf=confirm,
                         hidden=keep, action="/oidc/logout")  # fmt: skip
        result = endpoint.create_response(ask)
        db.commit()
    response: Response = (
        Response(status_code=result[0], headers=dict(result[2])) if result
        else _page("hoda_message.html", 200, heading="از هدا خارج شدید",
                   detail="می‌توانید این صفحه را ببندید.")
    )  # fmt: skip
    response.delete_cookie(SID_COOKIE, path="/oidc")
    return response


def _logout_csrf(sid: str | None) -> str:
    return credentials.token_digest(f"logout:{sid}")[:32] if sid else ""


# --- pages ----------------------------------------------------------------------------------


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("sabt.identity", "templates"), autoescape=select_autoescape(["html"])
    )


def _page(name: str, status: int, form_action: str = "", **context: object) -> HTMLResponse:
    nonce = csp.new_nonce()
    html = _templates().get_template(name).render(nonce=nonce, **context)
    return HTMLResponse(html, status_code=status, headers=csp.page_headers(nonce, form_action))


def _step_page(db: Session, settings: Settings, ix: Interaction, *, error: str | None = None,
               status: int = 200, national_code: str | None = None) -> HTMLResponse:  # fmt: skip
    client = provider.relying_party(db, ix.client_id)
    if client is None:
        return _error_page(400, "این سازمان دیگر در هدا فعال نیست", "the agency is disabled")
    csrf = provider.new_csrf(ix)
    # The consent and code forms end in a redirect to the agency: CSP's form-action must
    # allow its origin, or the browser stops there.
    redirect = provider.params_of(ix).get("redirect_uri") or provider.uris(client.redirect_uris)[0]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(redirect))
    common: dict[str, object] = {"csrf": csrf, "action": _ix_url(ix), "error": error,
                                 "agency": client.name or client.client_id}  # fmt: skip
    if ix.step == "otp":
        minutes = to_persian(str(settings.otp_minutes))
        return _page("hoda_otp.html", status, origin, minutes=minutes, **common)
    if ix.step == "consent":
        scopes = _scopes_of(db, settings, ix)
        until = jalali.format_fa((now_utc() + timedelta(days=settings.consent_days)).date())
        texts = [claims.SCOPES_FA[s] for s in sorted(scopes, key=list(claims.SCOPES_FA).index)]
        return _page("hoda_consent.html", status, origin, scopes=texts, until=until, **common)
    return _page("hoda_login.html", status, origin, national_code=national_code, **common)


def _error_page(status: int, fa: str, en: str) -> HTMLResponse:
    return _page("hoda_message.html", status, heading="خطا", detail=fa, detail_en=en)


def _oauth_page(error: OAuth2Error) -> HTMLResponse:
    """An error that cannot go back to the agency (unknown client, a redirect URI it did
    not register): told to the person, never redirected."""
    return _error_page(
        error.status_code or 400,
        f"درخواست ورود نامعتبر است: {oauth.error_fa(error.error)}",
        f"{error.error}: {error.description or ''}".strip(": "),
    )


def _oauth_error(server: oauth.Server, oreq: oauth.FormRequest, error: OAuth2Error) -> Response:
    if error.redirect_uri:
        response: Response = server.handle_error_response(oreq, error)
        return response
    return _oauth_page(error)


def _ix_url(ix: Interaction) -> str:
    return f"/oidc/interaction/{ix.id}"


def _set_cookie(response: Response, settings: Settings, name: str, value: str, path: str,
                seconds: int) -> None:  # fmt: skip
    secure = settings.public_url.startswith("https://")  # plain http only on this machine
    response.set_cookie(name, value, max_age=seconds, path=path, httponly=True, secure=secure,
                        samesite="lax")  # fmt: skip
