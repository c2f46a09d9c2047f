"""SAHIM's pages: server-rendered Persian, right to left, no script. Login goes through HODA
(the portal is its relying party); every page shows only the signed-in citizen's data."""

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sabt.kit import csp
from sabt.kit.settings import Settings
from sabt.persian.digits import to_persian
from sabt.portal import hoda_client, service, views
from sabt.portal.models import PortalSession
from sabt.registry import queries

router = APIRouter(include_in_schema=False)

SESSION_COOKIE = "sahim_sid"
LOGIN_COOKIE = "sahim_login"
_PATH = "/sahim"
# Debian's fonts-noto-core (the documents' PDFs use the same): served by the portal itself,
# never fetched from elsewhere.
FONT_DIR = Path("/usr/share/fonts/truetype/noto")
FONTS = {"naskh.ttf": "NotoNaskhArabic-Regular.ttf", "naskh-bold.ttf": "NotoNaskhArabic-Bold.ttf"}

_ACCESS_DENIED_FA = "ورود انجام نشد: در هدا اجازه ندادید یا ورود را لغو کردید. دوباره وارد شوید."
_STALE_LOGIN_FA = "این ورود منقضی شده یا از این مرورگر آغاز نشده است. دوباره وارد شوید."
_REFUSED_FA = "هدا این ورود را نپذیرفت (کد ورود نامعتبر یا منقضی است). دوباره وارد شوید."
_HODA_DOWN_FA = "هدا اکنون پاسخ نمی‌دهد. چند دقیقهٔ دیگر دوباره وارد شوید."


@router.get("/sahim", response_class=HTMLResponse)
@router.get("/sahim/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    with Session(request.app.state.engine) as db:
        signed_in = service.current(db, request.cookies.get(SESSION_COOKIE))
        if signed_in is None:
            return _page(request, "sahim_welcome.html", 200)
        return _identity_page(request, db, signed_in)


@router.get("/sahim/login")
def login(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    try:
        client = hoda_client.registration(request.app.state.engine, settings)
        with Session(request.app.state.engine) as db, db.begin():
            started = service.start_login(db)
        url = hoda_client.authorization_url(
            settings, client, started.state, started.nonce, started.verifier
        )
    except hoda_client.HodaUnavailable:
        return _message(request, 502, _HODA_DOWN_FA)
    response = RedirectResponse(url, status_code=303)
    _set_cookie(response, settings, LOGIN_COOKIE, started.browser, service.LOGIN_MINUTES * 60)
    return response


@router.get("/sahim/callback")
def callback(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    params = request.query_params
    with Session(request.app.state.engine) as db, db.begin():
        started = service.take_login(db, request.cookies.get(LOGIN_COOKIE), params.get("state", ""))
    if started is None:
        return _message(request, 400, _STALE_LOGIN_FA)
    if params.get("error") or not params.get("code"):
        return _message(request, 400, _ACCESS_DENIED_FA)
    try:
        client = hoda_client.registration(request.app.state.engine, settings)
        signed_in = hoda_client.sign_in(
            settings, client, params["code"], started.nonce, started.verifier
        )
    except hoda_client.LoginRefused:
        return _message(request, 400, _REFUSED_FA)
    except hoda_client.HodaUnavailable:
        return _message(request, 502, _HODA_DOWN_FA)
    with Session(request.app.state.engine) as db, db.begin():
        cookie = service.open_session(db, signed_in, settings.portal_session_minutes)
    response = RedirectResponse(f"{_PATH}/", status_code=303)
    _set_cookie(response, settings, SESSION_COOKIE, cookie, settings.portal_session_minutes * 60)
    response.delete_cookie(LOGIN_COOKIE, path=_PATH)
    return response


@router.post("/sahim/logout")
async def logout(request: Request) -> Response:
    csrf = (await request.form()).get("csrf")
    # off the event loop: the database, and HODA's discovery fetched over HTTP from this
    # very server when it is not held any more
    return await run_in_threadpool(_logout, request, csrf if isinstance(csrf, str) else "")


def _logout(request: Request, csrf: str) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE) or ""
    with Session(request.app.state.engine) as db, db.begin():
        signed_in = service.current(db, cookie)
        if signed_in is None or not service.csrf_ok(cookie, csrf):
            return RedirectResponse(f"{_PATH}/", status_code=303)
        service.end(db, signed_in)
        id_token = signed_in.id_token
    try:
        target = hoda_client.end_session_url(request.app.state.settings, id_token)
    except hoda_client.HodaUnavailable:
        target = f"{_PATH}/"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=_PATH)
    return response


@router.get("/sahim/static/{name}")
def static(name: str) -> Response:
    file = FONTS.get(name)
    path = FONT_DIR / file if file else None
    if path is None or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="font/ttf",
                        headers={"cache-control": "public, max-age=86400"})  # fmt: skip


def _identity_page(request: Request, db: Session, signed_in: PortalSession) -> Response:
    person = queries.get_person(db, signed_in.national_code)
    full_name = f"{person.first_name} {person.last_name}"
    rows = views.identity_rows(person, queries.parents(db, person))
    return _page(request, "sahim_identity.html", 200, signed_in=signed_in, rows=rows,
                 full_name=full_name)  # fmt: skip


def _message(request: Request, status: int, text: str) -> HTMLResponse:
    return _page(request, "sahim_message.html", status, message=text)


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("sabt.portal", "templates"), autoescape=select_autoescape(["html"])
    )


def _page(request: Request, template: str, status: int, **context: object) -> HTMLResponse:
    nonce = csp.new_nonce()
    cookie = request.cookies.get(SESSION_COOKIE)
    csrf = service.csrf_token(cookie) if cookie and context.get("signed_in") else ""
    html = (
        _templates().get_template(template).render(nonce=nonce, csrf=csrf, fa=to_persian, **context)
    )
    return HTMLResponse(html, status_code=status, headers=csp.page_headers(nonce))


def _set_cookie(response: Response, settings: Settings, name: str, value: str,
                seconds: int) -> None:  # fmt: skip
    response.set_cookie(
        name, value, max_age=seconds, path=_PATH, httponly=True, samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )  # fmt: skip
