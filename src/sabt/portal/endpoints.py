"""SAHIM's pages: server-rendered Persian, right to left, no script. Login goes through HODA
(the portal is its relying party); every page shows only the signed-in citizen's data."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException

from sabt.documents import endpoints as documents_endpoints
from sabt.documents import estate as estate_facts
from sabt.documents import service as documents
from sabt.documents.models import Document
from sabt.estates import objections
from sabt.estates import service as estate_service
from sabt.estates import texts as estate_texts
from sabt.exchange import citizen as exchange
from sabt.identity import access_log, hoda, provider
from sabt.inheritance import service as inheritance
from sabt.inheritance.texts import FA_RELATION
from sabt.kit import canonical, clock, csp
from sabt.kit.errors import BadInput, NotFound, SabtError
from sabt.kit.settings import Settings
from sabt.persian.digits import to_ascii, to_persian
from sabt.persian.jalali import format_fa
from sabt.portal import citizen, hoda_client, service, views
from sabt.portal.models import PortalSession
from sabt.registration import attachments, cases, corrections
from sabt.registry import db as registry_db
from sabt.registry import queries
from sabt.registry.models import Person

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
_BAD_FORM_FA = "فرم ناقص یا نادرست فرستاده شد. صفحه را دوباره باز کنید و دوباره بفرستید."
_HODA_DOWN_FA = "هدا اکنون پاسخ نمی‌دهد. چند دقیقهٔ دیگر دوباره وارد شوید."


@router.get("/sahim", response_class=HTMLResponse)
@router.get("/sahim/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    with Session(request.app.state.engine) as db:
        signed_in = service.current(db, request.cookies.get(SESSION_COOKIE))
        if signed_in is None:
            return _page(request, "sahim_welcome.html", 200)
        me = queries.get_person(db, signed_in.national_code)
        rows = views.identity_rows(me, queries.parents(db, me))
        return _page(request, "sahim_identity.html", 200, signed_in=signed_in, me=me, rows=rows,
                     here="identity")  # fmt: skip


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


# --- the signed-in citizen's pages ------------------------------------------------------

PER_PAGE = 20
Row = TypeVar("Row")
Build = Callable[["Visit"], Response]
_FORGED_FA = "این فرم از صفحه‌ای از همین نشست نیامده است. صفحه را دوباره باز کنید و دوباره بفرستید."


@dataclass(frozen=True)
class Visit:
    """A request of a signed-in citizen: their session, their register row, the database."""

    request: Request
    db: Session
    signed_in: PortalSession
    me: Person

    def page(self, template: str, here: str, status: int = 200, **context: object) -> Response:
        return _page(self.request, template, status, signed_in=self.signed_in, me=self.me,
                     here=here, **context)  # fmt: skip


def _signed_in_page(request: Request, build: Build) -> Response:
    """A page for the signed-in citizen; without a live session, back to the welcome page."""
    with Session(request.app.state.engine) as db:
        signed_in = service.current(db, request.cookies.get(SESSION_COOKIE))
        if signed_in is None:
            return RedirectResponse(f"{_PATH}/", status_code=303)
        try:
            return build(
                Visit(request, db, signed_in, queries.get_person(db, signed_in.national_code))
            )
        except SabtError as exc:
            return _refused(request, exc)


async def _signed_in_form(request: Request, act: Callable[[Visit, FormData], Response],
                          **limits: int) -> Response:  # fmt: skip
    """A form of the signed-in citizen: its CSRF token checked, then `act` in one write
    transaction (nothing written when it refuses)."""
    try:
        form = await request.form(max_files=limits.get("files", 0), max_fields=20)
    except (MultiPartException, ValueError):
        return _message(request, 400, _BAD_FORM_FA,
                        signed_in=bool(request.cookies.get(SESSION_COOKIE)))  # fmt: skip
    return await run_in_threadpool(_act, request, form, act)


def _act(request: Request, form: FormData, act: Callable[[Visit, FormData], Response]) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE) or ""
    try:
        with registry_db.write_session(request.app.state.engine) as db:
            signed_in = service.current(db, cookie)
            if signed_in is None:
                return RedirectResponse(f"{_PATH}/", status_code=303)
            if not service.csrf_ok(cookie, _text(form, "csrf")):
                return _message(request, 403, _FORGED_FA, signed_in=True)
            me = queries.get_person(db, signed_in.national_code)
            return act(Visit(request, db, signed_in, me), form)
    except SabtError as exc:
        return _refused(request, exc)


def _refused(request: Request, exc: SabtError) -> Response:
    return _message(request, exc.status, exc.message_fa, signed_in=True)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


# --- my family


@router.get("/sahim/family", response_class=HTMLResponse)
def family(request: Request) -> Response:
    return _signed_in_page(request, _family)


def _family(v: Visit) -> Response:
    tree = views.family(v.me, queries.parents(v.db, v.me), queries.spouses(v.db, v.me),
                        queries.children(v.db, v.me))  # fmt: skip
    return v.page("sahim_family.html", "family", tree=tree)


# --- my documents


@router.get("/sahim/documents", response_class=HTMLResponse)
def my_documents(request: Request) -> Response:
    return _signed_in_page(request, _documents)


def _documents(v: Visit) -> Response:
    public = v.request.app.state.settings.public_url
    rows = [_document_row(d, public) for d in citizen.documents_of(v.db, v.me)]
    offers = [(views.offer_label(o.kind, o.subject, o.subject is v.me, o.spouse), o)
              for o in citizen.offers(v.db, v.me)]  # fmt: skip
    issued = v.request.query_params.get("issued")  # said only of a document of this list
    return v.page("sahim_documents.html", "documents", rows=rows, offers=offers,
                  issued=issued if any(r.number == issued for r in rows) else None)  # fmt: skip


def _document_row(d: Document, public_url: str) -> views.DocumentRow:
    about = views.document_about(d.kind, canonical.loads(d.facts))
    return views.document_row(d.number, d.kind, about, d.issued_at, d.status, public_url)


@router.post("/sahim/documents")
async def issue_document(request: Request) -> Response:
    return await _signed_in_form(request, _issue)


def _issue(v: Visit, form: FormData) -> Response:
    """`offer` is "kind/national code/marriage id" as the page lists them; whatever is sent,
    citizen.issue issues only what the citizen may."""
    kind, code, marriage = [*_text(form, "offer").split("/"), "", ""][:3]
    issued = citizen.issue(
        v.db, documents_endpoints.signing_keys(v.request), v.me, kind, code,
        int(marriage) if marriage.isdigit() and len(marriage) < 10 else None,
    )  # fmt: skip
    return RedirectResponse(f"{_PATH}/documents?issued={issued.document.number}", status_code=303)


@router.get("/sahim/documents/{number}.pdf")
def download(request: Request, number: str) -> Response:
    return _signed_in_page(request, lambda v: _pdf(v, number))


def _pdf(v: Visit, number: str) -> Response:
    """Another signed copy of one of the citizen's documents (its status is the original's:
    a revoked document downloads as what it is, and its page says so)."""
    document = citizen.document_of(v.db, v.me, number)
    request = v.request
    copy = documents.copy_of(documents_endpoints.signing_keys(request), document)
    pdf = documents.printable(copy, request.app.state.settings.public_url,
                              documents_endpoints.pdf_keys(request))  # fmt: skip
    headers = {"content-disposition": f'attachment; filename="{document.number}.pdf"',
               "cache-control": "no-store"}  # fmt: skip
    return Response(pdf, media_type="application/pdf", headers=headers)


# --- newborns and minor children


@router.get("/sahim/children", response_class=HTMLResponse)
def children(request: Request) -> Response:
    return _signed_in_page(request, _children)


def _children(v: Visit) -> Response:
    minors = citizen.minor_children(v.db, v.me)
    notified = {c.national_code: citizen.birth_notification(v.db, c) for c in minors}
    return v.page("sahim_children.html", "children", minors=minors, notified=notified)


# --- inheritance


@router.get("/sahim/inheritance", response_class=HTMLResponse)
def estates(request: Request) -> Response:
    return _signed_in_page(request, _estates)


def _estates(v: Visit) -> Response:
    return v.page("sahim_estates.html", "inheritance",
                  deceased=citizen.deceased_relatives(v.db, v.me))  # fmt: skip


@router.get("/sahim/inheritance/{code}", response_class=HTMLResponse)
def estate(request: Request, code: str) -> Response:
    return _signed_in_page(request, lambda v: _estate(v, code))


def _estate(v: Visit, code: str) -> Response:
    found = citizen.estate_of(v.db, v.me, code)
    refusal, tables = found.resolution.result.refusal, []
    if refusal is None:
        facts = estate_facts.certificate_facts(
            {}, found.resolution, inheritance.certificate_tables(found.resolution),
            clock.today_tehran(),
        )  # fmt: skip
        tables = [(t["assets_fa"], views.heir_rows(t)) for t in facts["tables"]]
    public = v.request.app.state.settings.public_url
    certificates = [_document_row(d, public) for d in found.certificates]
    window = estate_service.objection_window(v.db, code)
    return v.page("sahim_estate.html", "inheritance", estate=found, tables=tables,
                  refusal=refusal, certificates=certificates, objection_until=window)  # fmt: skip


# --- objections to an inheritance certificate


@router.get("/sahim/objections", response_class=HTMLResponse)
def my_objections(request: Request) -> Response:
    return _signed_in_page(request, _objections)


def _objections(v: Visit) -> Response:
    mine = objections.of_citizen(v.db, v.me.national_code)
    names = {o.deceased: views.name_of(queries.get_person(v.db, o.deceased)) for o in mine}
    today = clock.today_tehran()
    rows = [views.objection_row(objections.as_json(o), names.get(o.deceased, "—"), today)
            for o in mine]  # fmt: skip
    params = v.request.query_params
    filed = params.get("filed", "")
    known = any(str(r.id) == filed for r in rows)  # said only of an objection of this list
    appeal = next((o for o in mine if str(o.id) == params.get("appeal_of")), None)
    return v.page("sahim_objections.html", "objections", rows=rows,
                  filed=filed if known else None, grounds=estate_texts.GROUNDS,
                  relations=FA_RELATION, deceased=appeal.deceased if appeal else
                  params.get("deceased", "")[:10],
                  appeal_of=appeal.id if appeal else "")  # fmt: skip


@router.post("/sahim/objections")
async def file_objection(request: Request) -> Response:
    return await _signed_in_form(request, _object, files=objections.MAX_FILES)


def _object(v: Visit, form: FormData) -> Response:
    uploads = [u for u in form.getlist("attachments") if isinstance(u, UploadFile) and u.filename]
    files = [u.file.read(attachments.MAX_BYTES + 1) for u in uploads]
    appeal = to_ascii(_text(form, "appeal_of"))
    if appeal and not appeal.isdigit():
        raise BadInput("bad_appeal", "شمارهٔ اعتراض نخست باید عدد باشد",
                       "appeal_of must be a number")  # fmt: skip
    filed = objections.file(
        v.db, v.me, _text(form, "deceased"), _text(form, "grounds"), _text(form, "text"),
        named=_text(form, "named") or None,
        claimed_relation=_text(form, "claimed_relation") or None,
        appeal_of=int(appeal) if appeal else None, files=files,
    )  # fmt: skip
    return RedirectResponse(f"{_PATH}/objections?filed={filed.id}", status_code=303)


# --- who looked at my data


@router.get("/sahim/access", response_class=HTMLResponse)
def access(request: Request, reads: str = "1", logins: str = "1") -> Response:
    return _signed_in_page(
        request, lambda v: _access(v, views.page_number(reads), views.page_number(logins))
    )


def _access(v: Visit, reads: int, logins: int) -> Response:
    code = v.me.national_code
    read_log, read_pages = _paged(lambda n, at: access_log.accesses_of(v.db, code, n, at), reads)
    readers = {key: access_log.reader_fa(v.db, *key)
               for key in {(r.actor, r.office) for r in read_log.rows}}  # fmt: skip
    login_log, login_pages = _paged(lambda n, at: hoda.history_page(v.db, code, n, at), logins)
    return v.page(
        "sahim_access.html", "access", read_pages=read_pages, login_pages=login_pages,
        reads=[views.access_row(r.at, *readers[r.actor, r.office], r.action, r.purpose,
                                r.outcome) for r in read_log.rows],
        logins=[views.login_row(r.at, r.agency, r.method, r.outcome) for r in login_log.rows],
    )  # fmt: skip


def _paged(fetch: Callable[[int, int], access_log.Page[Row]],
           number: int) -> tuple[access_log.Page[Row], views.Pages]:  # fmt: skip
    """The asked-for page of a log; the last one when it asks past the end (fetched again
    only then)."""
    found = fetch(PER_PAGE, (number - 1) * PER_PAGE)
    pages = views.pages(found.total, PER_PAGE, number)
    if pages.number != number:
        found = fetch(PER_PAGE, (pages.number - 1) * PER_PAGE)
    return found, pages


# --- security


@router.get("/sahim/security", response_class=HTMLResponse)
def security(request: Request) -> Response:
    return _signed_in_page(request, _security)


def _security(v: Visit) -> Response:
    account = hoda.account_of(v.db, v.me.national_code)
    consents = provider.consents_of(v.db, account) if account else []
    methods = hoda.methods_of(account) if account else {}
    return v.page("sahim_security.html", "security", methods=methods, consents=consents,
                  when=lambda text: views.when_fa(datetime.fromisoformat(text.rstrip("Z"))),
                  done=v.request.query_params.get("done"))  # fmt: skip


@router.post("/sahim/security/methods")
async def lock_method(request: Request) -> Response:
    return await _signed_in_form(request, _lock)


def _lock(v: Visit, form: FormData) -> Response:
    action = _text(form, "action")
    if action not in ("lock", "unlock"):
        raise BadInput("bad_action", "درخواست نامعتبر است", "action must be lock or unlock")
    hoda.set_method_lock(v.db, v.me.national_code, _text(form, "method"), action == "lock")
    return RedirectResponse(f"{_PATH}/security?done={action}", status_code=303)


@router.post("/sahim/security/consents")
async def withdraw_consent(request: Request) -> Response:
    return await _signed_in_form(request, _withdraw)


def _withdraw(v: Visit, form: FormData) -> Response:
    account = hoda.account_of(v.db, v.me.national_code)
    consent = _text(form, "consent")
    if account is None or not consent.isdigit():
        raise NotFound("no_consent", "چنین رضایتی یافت نشد", "no such consent")
    provider.withdraw_consent(v.db, account, int(consent))
    return RedirectResponse(f"{_PATH}/security?done=withdrawn", status_code=303)


# --- agencies: who used my data, the eKYC lock, access notices, my virtual ID


@router.get("/sahim/agencies", response_class=HTMLResponse)
def agencies(request: Request) -> Response:
    return _signed_in_page(request, _agencies)


def _agencies(v: Visit) -> Response:
    return v.page("sahim_agencies.html", "agencies", view=exchange.view(v.db, v.me.national_code),
                  when=views.when_fa, done=v.request.query_params.get("done"),
                  vid_shown=v.request.query_params.get("vid") == "new")  # fmt: skip


@router.post("/sahim/agencies/lock")
async def lock_ekyc(request: Request) -> Response:
    return await _signed_in_form(request, _lock_ekyc)


def _lock_ekyc(v: Visit, form: FormData) -> Response:
    action = _text(form, "action")
    if action not in ("lock", "unlock"):
        raise BadInput("bad_action", "درخواست نامعتبر است", "action must be lock or unlock")
    exchange.set_lock(v.db, v.me.national_code, _text(form, "agency"), action == "lock")
    return RedirectResponse(f"{_PATH}/agencies?done=ekyc-{action}", status_code=303)


@router.post("/sahim/agencies/notices")
async def access_notices(request: Request) -> Response:
    return await _signed_in_form(request, _notices)


def _notices(v: Visit, form: FormData) -> Response:
    on = _text(form, "action") == "on"
    exchange.set_notices(v.db, v.me.national_code, on)
    return RedirectResponse(f"{_PATH}/agencies?done=notices-{'on' if on else 'off'}",
                            status_code=303)  # fmt: skip


@router.post("/sahim/agencies/vid")
async def virtual_id(request: Request) -> Response:
    return await _signed_in_form(request, _vid)


def _vid(v: Visit, form: FormData) -> Response:
    made = exchange.vid_action(v.db, v.me.national_code, _text(form, "action"))
    target = "vid=new" if made else "done=vid-revoked"
    return RedirectResponse(f"{_PATH}/agencies?{target}", status_code=303)


# --- requests


@router.get("/sahim/requests", response_class=HTMLResponse)
def requests(request: Request) -> Response:
    return _signed_in_page(request, _requests)


def _requests(v: Visit) -> Response:
    rows = [views.request_row(c.id, c.received_at, c.status, cases.data_of(c))
            for c in citizen.requests_of(v.db, v.me)]  # fmt: skip
    public = v.request.app.state.settings.public_url
    issued = [_document_row(d, public) for d in citizen.issued_by(v.db, v.me)]
    filed = v.request.query_params.get("filed", "")  # said only of a request of this list
    known = any(r.number == to_persian(filed) for r in rows)
    return v.page("sahim_requests.html", "requests", rows=rows, issued=issued,
                  fields=views.FIELD_FA, filed=filed if known else None)  # fmt: skip


@router.post("/sahim/requests")
async def ask_correction(request: Request) -> Response:
    return await _signed_in_form(request, _ask, files=1)


def _ask(v: Visit, form: FormData) -> Response:
    upload = form.get("attachment")
    data = upload.file.read(attachments.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    filed = corrections.request(v.db, v.me.national_code, _text(form, "field"),
                                _text(form, "new_value"), _text(form, "reason"), data)  # fmt: skip
    return RedirectResponse(f"{_PATH}/requests?filed={filed['case_id']}", status_code=303)


@router.get("/sahim/static/{name}")
def static(name: str) -> Response:
    file = FONTS.get(name)
    path = FONT_DIR / file if file else None
    if path is None or not path.is_file():
        return Response(status_code=404)
    return FileResponse(path, media_type="font/ttf",
                        headers={"cache-control": "public, max-age=86400"})  # fmt: skip


def _message(request: Request, status: int, text: str, signed_in: bool = False) -> HTMLResponse:
    """A page that says what went wrong and what to do: sign in again, or (signed in) go
    back to the page before."""
    return _page(request, "sahim_message.html", status, message=text, signed_in=signed_in)


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
        _templates()
        .get_template(template)
        .render(
            nonce=nonce,
            csrf=csrf,
            fa=to_persian,
            date_fa=format_fa,
            name_of=views.name_of,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=csp.page_headers(nonce))


def _set_cookie(response: Response, settings: Settings, name: str, value: str,
                seconds: int) -> None:  # fmt: skip
    response.set_cookie(
        name, value, max_age=seconds, path=_PATH, httponly=True, samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )  # fmt: skip
