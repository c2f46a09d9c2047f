"""The FastAPI application: errors as JSON {"code", "message_fa", "message_en"}."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from sabt import __version__, followers
from sabt.documents import endpoints as documents_endpoints
from sabt.estates import endpoints as estates_endpoints
from sabt.exchange import endpoints as exchange_endpoints
from sabt.identity import endpoints as identity_endpoints
from sabt.identity import oidc_endpoints
from sabt.inheritance import endpoints as inheritance_endpoints
from sabt.kit import input_errors
from sabt.kit import settings as settings_mod
from sabt.kit.errors import SabtError, TooManyRequests
from sabt.observatory import endpoints as observatory_endpoints
from sabt.portal import endpoints as portal_endpoints
from sabt.registration import endpoints as registration_endpoints
from sabt.registry import endpoints as registry_endpoints
from sabt.registry import schema
from sabt.registry.db import make_engine


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's database connections are closed when it stops: a server (or a test's app)
    that stops leaves no idle connection holding one of PostgreSQL's slots."""
    exchange_endpoints.start(app)
    yield
    exchange_endpoints.close(app)  # its journal's last commit, before the pool goes
    app.state.engine.dispose()


def create_app(settings: settings_mod.Settings | None = None) -> FastAPI:
    settings = settings or settings_mod.load()
    followers.install()
    # Swagger UI, ReDoc and their favicon from the installed fastapi-offline package: the
    # docs work on a machine with no internet (FastAPI's own pages load them from CDNs)
    app = FastAPIOffline(
        title="Sabt (ثبت)",
        version=__version__,
        description="Civil registration, vital statistics and digital identity.",
        redoc_url=None,
        lifespan=_lifespan,
    )
    _add_redoc(app)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.token_limiter = anyio.CapacityLimiter(settings.token_threads)
    schema.ensure(app.state.engine)
    _add_error_handlers(app)

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(identity_endpoints.router)
    app.include_router(oidc_endpoints.router)
    app.include_router(registration_endpoints.router)
    app.include_router(inheritance_endpoints.router)
    app.include_router(documents_endpoints.router)
    app.include_router(estates_endpoints.router)
    app.include_router(exchange_endpoints.router)
    app.include_router(portal_endpoints.router)
    app.include_router(observatory_endpoints.router)
    app.include_router(registry_endpoints.router)
    _document_raw_bodies(app, registration_endpoints.RAW_BODIES)
    return app


DOCS_ASSETS = "/static-offline-docs"  # where fastapi-offline serves its files


def _add_redoc(app: FastAPI) -> None:
    """ReDoc from the package's bundle, with the one address it would still fetch from its
    CDN (the Redocly logo in the menu; no option turns it off) pointed at our favicon."""
    import fastapi_offline

    bundle = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - ReDoc",
            redoc_js_url="/redoc.js", with_google_fonts=False,
            redoc_favicon_url=f"{DOCS_ASSETS}/favicon.png",
        )  # fmt: skip

    @app.get("/redoc.js", include_in_schema=False)
    def redoc_js() -> Response:
        return Response(_redoc_bundle(bundle), media_type="text/javascript")


@cache
def _redoc_bundle(path: Path) -> bytes:
    logo = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
    return path.read_bytes().replace(logo, f"{DOCS_ASSETS}/favicon.png".encode())


def _document_raw_bodies(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    """Add to the OpenAPI's components the models of bodies an endpoint reads raw, so that a
    generated client or a fuzzer knows their fields (FastAPI only adds the ones it parses)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            _, defs = models_json_schema(
                [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
            )
            spec.setdefault("components", {}).setdefault("schemas", {}).update(defs["$defs"])
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def _error(status: int, code: str, fa: str, en: str) -> JSONResponse:
    return JSONResponse({"code": code, "message_fa": fa, "message_en": en}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SabtError)
    async def sabt_error(_request: Request, exc: SabtError) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        return JSONResponse(exc.as_json(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        fa, en = input_errors.describe(exc.errors())
        return _error(
            422, "invalid_request", f"درخواست نامعتبر است: {fa}", f"invalid request: {en}"
        )

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        messages = {404: ("یافت نشد", "not found"), 405: ("روش مجاز نیست", "method not allowed")}
        fa, en = messages.get(exc.status_code, ("خطای درخواست", str(exc.detail)))
        return _error(exc.status_code, f"http_{exc.status_code}", fa, en)

    @app.exception_handler(DataError)
    async def bad_data(_request: Request, _exc: DataError) -> JSONResponse:
        # the database refused a value the validation let through (e.g. a NUL in text,
        # which PostgreSQL cannot store): the input's fault, and nothing was written
        return _error(
            422, "bad_characters", "داده نامعتبر است (نویسهٔ غیرمجاز)", "invalid data in the input"
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, _exc: Exception) -> JSONResponse:
        return _error(500, "internal_error", "خطای داخلی؛ لطفاً دوباره تلاش کنید", "internal error")
