"""`sabt worker`: settle the estates of deaths registered N days ago (issue the inheritance
certificate or queue it for a registrar) and send the heirs' SMS notices."""

import dataclasses
import signal
import sys
import threading
from typing import Annotated

import orjson
import typer

from sabt import followers
from sabt.estates import worker
from sabt.identity import sms
from sabt.kit import settings as settings_mod
from sabt.kit.console import DB_HELP, database_url, err, progress_bar, user_errors
from sabt.registry import schema
from sabt.registry.db import make_engine


@user_errors
def worker_command(
    once: Annotated[
        bool, typer.Option("--once", help="one round, then print what it did (JSON) and stop")
    ] = False,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Settle due estates and send notices: one round with --once, else a round every
    SABT_WORKER_SECONDS until stopped (Ctrl-C or SIGTERM, after the current step)."""
    settings = dataclasses.replace(settings_mod.load(), database_url=database_url(db))
    followers.install()
    engine = make_engine(settings.database_url)
    schema.ensure(engine)
    gateway = sms.gateway(settings)
    if once:
        with progress_bar("estates settled") as advance:
            done = worker.run_once(engine, settings, gateway, advance)
        sys.stdout.buffer.write(orjson.dumps(done.as_json()) + b"\n")
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    err.print(f"estates worker: a round every {settings.worker_seconds} s; Ctrl-C stops it")
    worker.run_forever(engine, settings, gateway, stop, _report)


def _report(done: worker.Round) -> None:
    if any(done.as_json().values()):
        err.print(f"estates worker: {done.as_json()}", highlight=False)
