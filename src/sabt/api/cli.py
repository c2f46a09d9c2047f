"""`sabt serve` and `sabt demo`."""

import dataclasses
import json
import os
import threading
from typing import Annotated

import typer
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt import followers
from sabt.api.app import create_app
from sabt.estates import worker
from sabt.identity import cli as identity_cli
from sabt.identity import hoda, provider, sms
from sabt.identity import service as identity
from sabt.kit import clock
from sabt.kit import settings as settings_mod
from sabt.kit.console import DB_HELP, database_url, err, user_errors
from sabt.persian import jalali, places
from sabt.portal import demo as portal_demo
from sabt.registry import queries, schema
from sabt.registry import service as registry
from sabt.registry.db import make_engine
from sabt.synth.cli import synth
from sabt.synth.records import office_codes

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


DEMO_OFFICES = office_codes(places.county_by_name("تهران").code)  # the synthetic Tehran's


def _demo_accounts(engine: Engine, settings: settings_mod.Settings) -> str:
    """Credentials to try the demo with: made once (a national administrator, a hospital's
    client, an agency of HODA), kept in SABT_HOME/demo-credentials.txt (owner-only)."""
    path = settings_mod.instance_dir(settings) / identity_cli.DEMO_CREDENTIALS
    if path.exists():
        return path.read_text(encoding="utf-8")
    with Session(engine) as session, session.begin():
        admin = identity.init_admin(session, "demo-admin", DEMO_OFFICES["civil_registration"])
        hospital = DEMO_OFFICES["hospital"]
        client_id, secret = identity.add_client(session, "hospital", hospital, "demo")
        citizen = hoda.enrolment_example(session)
        back = f"{settings.public_url}/health"  # a page of the API itself shows the code
        agency = provider.add_relying_party(session, name="سازمان نمونه", sector="demo-agency",
                                            redirect_uris=[back], actor="demo")  # fmt: skip
    authorize = (f"{settings.public_url}/oidc/authorize?response_type=code"
                 f"&client_id={agency.client_id}&redirect_uri={back}&scope=openid+profile"
                 "&state=demo")  # fmt: skip
    text = (
        f"staff: username={admin.username} password={admin.password}\n"
        f"       TOTP (add to an authenticator app): {admin.totp_uri}\n"
        f"       or print the current code: sabt identity staff totp {admin.username}\n"
        f"hospital {hospital}: client_id={client_id} client_secret={secret}\n"
    )
    if citizen is not None:
        text += (
            "a citizen to enrol in HODA (POST /api/v1/hoda/enrolments): "
            f"{json.dumps(citizen, ensure_ascii=False)}\n"
            "       one-time codes arrive in SABT_HOME/sms/outbox.jsonl\n"
        )
    text += (
        f"an agency logging citizens in through HODA (OpenID Connect): "
        f"client_id={agency.client_id} client_secret={agency.client_secret}\n"
        f"       sign in as that citizen at {authorize}\n"
        f"       then redeem the code: POST {settings.public_url}/oauth/token "
        f"(grant_type=authorization_code, code, redirect_uri={back}, HTTP Basic)\n"
    )
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return text


def _demo_citizens(engine: Engine, settings: settings_mod.Settings) -> str:
    """SAHIM's demo citizens: enrolled at HODA once, kept in SABT_HOME/demo-citizens.txt."""
    path = settings_mod.instance_dir(settings) / "demo-citizens.txt"
    if path.exists():
        return path.read_text(encoding="utf-8")
    with Session(engine) as session, session.begin():
        citizens = portal_demo.enrol_citizens(session, settings)
    outbox = sms.outbox_path(settings.home).resolve()
    lines = [f"SAHIM, the citizens' portal: {settings.public_url}/sahim/ — sign in with HODA as",
             *(f"  {c.national_code}  {c.name}: {c.story}" for c in citizens),
             f"  password {portal_demo.PASSWORD}; the one-time code of each sign-in arrives in",
             f"  {outbox} (the demo's SMS outbox)"]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path.read_text(encoding="utf-8")


@user_errors
def demo(host: Host = "127.0.0.1", port: Port = 8000, db: Db = None) -> None:
    """Build (once) a synthetic register of 50,000 living people on SQLite and serve it."""
    url = database_url(db)
    followers.install()
    engine = make_engine(url)
    schema.ensure(engine)
    empty = registry.is_empty(engine)
    today = clock.today_tehran()
    err.print(f"today is {jalali.to_jalali(today)} ({today.isoformat()}, Tehran)")
    if empty:
        err.print(
            f"building the demo register ({DEMO_PEOPLE:,} living people and their ancestors,"
            " events up to today)…"
        )
        synth(people=DEMO_PEOPLE, seed=DEMO_SEED, end=None, db=url, show_report=False)
    else:
        with Session(engine) as session:
            last = queries.last_event_day(session)
        reach = f", its events end on {jalali.to_jalali(last)}" if last else ""
        err.print(f"reusing the existing demo register{reach}")
    engine.dispose()
    settings = settings_mod.load()
    public_url = os.environ.get("SABT_PUBLIC_URL") or f"http://{host}:{port}"
    settings = dataclasses.replace(settings, database_url=url, public_url=public_url.rstrip("/"))
    credentials = _demo_accounts(make_engine(url), settings)
    err.print(f"API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    err.print(f"population observatory: http://{host}:{port}/observatory")
    citizens = _demo_citizens(make_engine(url), settings)
    err.print("demo credentials (also in SABT_HOME/demo-credentials.txt):")
    err.print(credentials, soft_wrap=True, highlight=False, end="")
    err.print(citizens, soft_wrap=True, highlight=False, end="")
    _start_worker(settings)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _start_worker(settings: settings_mod.Settings) -> None:
    """The estates worker beside the demo's server (`sabt worker` runs it alone): the demo
    register's deaths of the last months get their inheritance certificates unasked."""
    err.print(f"estates worker: every {settings.worker_seconds} s, SMS in the outbox")
    thread = threading.Thread(
        target=worker.run_forever,
        args=(make_engine(settings.database_url), settings, sms.gateway(settings),
              threading.Event()),
        name="estates-worker", daemon=True,
    )  # fmt: skip
    thread.start()
