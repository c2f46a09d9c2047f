"""`sabt serve` and `sabt demo`."""

import dataclasses
import secrets
from typing import Annotated

import typer
import uvicorn

from sabt.api.app import create_app
from sabt.kit import settings as settings_mod
from sabt.kit.console import DB_HELP, database_url, err, user_errors
from sabt.registry import schema
from sabt.registry import service as registry
from sabt.registry.db import make_engine
from sabt.synth.cli import DEFAULT_END, synth

DEMO_PEOPLE = 50_000
DEMO_SEED = 1404

Host = Annotated[str, typer.Option("--host", help="address to listen on")]
Port = Annotated[int, typer.Option("--port", help="port to listen on", min=1, max=65535)]
Db = Annotated[str | None, typer.Option("--db", help=DB_HELP)]


@user_errors
def serve(host: Host = "127.0.0.1", port: Port = 8000, db: Db = None) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    settings = dataclasses.replace(settings_mod.load(), database_url=database_url(db))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _operator_token(settings: settings_mod.Settings) -> str:
    """The demo's operator token: from settings, else one made once in SABT_HOME."""
    if settings.operator_token:
        return settings.operator_token
    path = settings_mod.instance_dir(settings) / "operator-token"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(24), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@user_errors
def demo(host: Host = "127.0.0.1", port: Port = 8000, db: Db = None) -> None:
    """Build (once) a synthetic register of 50,000 living people on SQLite and serve it."""
    url = database_url(db)
    engine = make_engine(url)
    schema.ensure(engine)
    empty = registry.is_empty(engine)
    engine.dispose()
    if empty:
        err.print(
            f"building the demo register ({DEMO_PEOPLE:,} living people and their ancestors)…"
        )
        synth(people=DEMO_PEOPLE, seed=DEMO_SEED, end=DEFAULT_END, db=url, show_report=False)
    else:
        err.print("reusing the existing demo register")
    settings = dataclasses.replace(settings_mod.load(), database_url=url)
    settings = dataclasses.replace(settings, operator_token=_operator_token(settings))
    err.print(f"API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    err.print("operator token for staff endpoints (send it as Authorization: Bearer …):")
    err.print(str(settings.operator_token), soft_wrap=True, highlight=False)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
