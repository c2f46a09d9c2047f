"""`sabt db`, `sabt ledger`, `sabt person` and `sabt export` commands.

Each command imports what it uses when it runs (not at the top): `sabt person show` must not
pay for the migrations, the bulk loader and the parts that follow the ledger.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sabt.kit import settings
from sabt.kit.console import DB_HELP, database_url, err, out, progress_bar, user_errors
from sabt.kit.errors import BadInput

if TYPE_CHECKING:
    from rich.table import Table
    from sqlalchemy import Connection, Engine

DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
PAGE = 500  # checkpoints asked for at a time

db_app = typer.Typer(help="The register's database.", no_args_is_help=True)
ledger_app = typer.Typer(help="The hash-chained ledger.", no_args_is_help=True)
person_app = typer.Typer(help="Persons in the register.", no_args_is_help=True)


def open_register(db: str | None) -> Engine:
    """An engine on the register, created or migrated to the current schema, with the
    ledger's followers installed: a command that writes acts as the API would."""
    from sabt import followers
    from sabt.registry import schema
    from sabt.registry.db import make_engine

    followers.install()
    engine = make_engine(database_url(db))
    schema.ensure(engine)
    return engine


@db_app.command("upgrade")
@user_errors
def db_upgrade(db: DbOption = None) -> None:
    """Create the database, or migrate it to the current schema."""
    from sabt.registry import schema
    from sabt.registry.db import make_engine

    schema.upgrade(make_engine(database_url(db)))
    err.print("schema is current")


@ledger_app.command("verify")
@user_errors
def ledger_verify(
    db: DbOption = None,
    checkpoint_file: Annotated[
        Path | None, typer.Option("--checkpoint", help="also check an earlier checkpoint (JSON)")
    ] = None,
    against: Annotated[
        str | None,
        typer.Option("--against", help="also check every checkpoint published at this URL"),
    ] = None,
) -> None:
    """Walk the whole chain. Exit 0 when it holds, 1 naming the first entry that does not,
    or when it contradicts an earlier checkpoint (a file, or every one published at a URL)."""
    from sabt.registry import checkpoint, ledger

    url = database_url(db)
    published = _fetch_checkpoints(against) if against else None
    engine = open_register(url)
    with engine.connect() as conn:
        head = ledger.current_head(conn)
        with progress_bar("verifying ledger", head.seq) as tick:
            result = ledger.verify(conn, progress=tick, url=url, workers=os.cpu_count() or 1)
        problem = (
            _check_checkpoint(conn, checkpoint_file) if result.ok and checkpoint_file else None
        )
        if result.ok and not problem and published is not None:
            checked, problem = checkpoint.check_against(conn, published)
            err.print(f"{checked} published checkpoints checked")
    if not result.ok:
        out(f"BROKEN at entry {result.first_bad_seq}: {result.reason}")
        raise typer.Exit(1)
    if problem:
        out(f"BROKEN: the ledger disagrees with the checkpoint: {problem}")
        raise typer.Exit(1)
    out(f"OK {result.entries} entries, head {result.head_hash}")


def _fetch_checkpoints(url: str) -> list[Any]:
    """Every checkpoint published at `url` (the API's pages, or one JSON list)."""
    import httpx2  # only this option talks HTTP

    found: list[Any] = []
    try:
        with httpx2.Client(timeout=30, follow_redirects=True) as http:
            while True:
                answer = http.get(url, params={"limit": PAGE, "offset": len(found)})
                answer.raise_for_status()
                body = answer.json()
                items = body.get("items") if isinstance(body, dict) else body
                if not isinstance(items, list):
                    raise ValueError("no list of checkpoints")
                found += items
                if not isinstance(body, dict) or not items or len(found) >= body.get("total", 0):
                    return found
    except (httpx2.HTTPError, ValueError) as exc:
        raise BadInput(
            "checkpoints_unreadable",
            f"نقاط وارسی منتشرشده از {url} خوانده نشد",
            f"cannot read the checkpoints published at {url}: {exc}",
        ) from exc


def _check_checkpoint(conn: Connection, path: Path) -> str | None:
    from sabt.registry import checkpoint

    try:
        statement = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput(
            "bad_checkpoint", "فایل نقطهٔ وارسی خوانا نیست", f"cannot read checkpoint {path}: {exc}"
        ) from exc
    if not isinstance(statement, dict):
        raise BadInput(
            "bad_checkpoint", "فایل نقطهٔ وارسی نامعتبر است", f"{path} is not a checkpoint object"
        )
    return checkpoint.check(conn, statement)


@ledger_app.command("checkpoint")
@user_errors
def ledger_checkpoint(db: DbOption = None) -> None:
    """Sign the head (seq, hash, time) now, publish it among the registry's checkpoints
    (`GET /api/v1/ledger/checkpoints`) and print it."""
    from sabt.registry import checkpoint
    from sabt.registry.db import write_session

    engine = open_register(db)
    key = checkpoint.load_or_create_key(settings.instance_dir(settings.load()))
    with write_session(engine) as session:
        out(json.dumps(checkpoint.publish(session, key), ensure_ascii=False))


@ledger_app.command("replay")
@user_errors
def ledger_replay(
    into: Annotated[str, typer.Option("--into", help="URL of an empty database to rebuild into")],
    db: DbOption = None,
) -> None:
    """Rebuild every state table from the ledger alone into an empty database."""
    from sabt.registry import ledger
    from sabt.registry.db import make_engine
    from sabt.registry.replay import replay

    source = open_register(db)
    target = make_engine(into)
    with source.connect() as conn:
        total = ledger.current_head(conn).seq
    with progress_bar("replaying ledger", total) as tick:
        head = replay(source, target, progress=tick)
    out(f"OK replayed {head.seq} entries, head {head.hash}")


@person_app.command("show")
@user_errors
def person_show(
    code: Annotated[str, typer.Argument(help="national code (ASCII or Persian digits)")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    db: DbOption = None,
) -> None:
    """Show a person: identity, parents, Jalali dates in Persian digits."""
    from sabt.registry import lookup
    from sabt.registry.codes import parse_code

    shown = lookup.person(database_url(db), parse_code(code))
    if as_json:
        out(json.dumps(shown, ensure_ascii=False))
        return
    from rich.console import Console

    Console(highlight=False).print(_person_table(shown))


def _person_table(p: dict[str, Any]) -> Table:
    from rich.table import Table

    from sabt.persian import places

    counties = places.counties()
    table = Table(show_header=False, title=f"{p['first_name']} {p['last_name']}")
    sex = {"male": "مرد", "female": "زن"}[p["sex"]]
    status = {"alive": "زنده", "deceased": "فوت‌شده"}[p["status"]]
    rows = [
        ("کد ملی", p["national_code"]),
        ("نام", p["first_name"]),
        ("نام خانوادگی", p["last_name"]),
        ("نام پدر", p["father_name"] or "—"),
        ("جنسیت", sex),
        ("تاریخ تولد", p["birth_date_jalali"]),
        ("محل تولد", counties[p["birth_county"]].name_fa),
        ("اقامت", counties[p["residence_county"]].name_fa),
        ("وضعیت", status),
        ("تاریخ فوت", p["death_date_jalali"] or "—"),
        ("کد ملی پدر", p["father_national_code"] or "—"),
        ("کد ملی مادر", p["mother_national_code"] or "—"),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


@user_errors
def export_command(
    what: Annotated[str, typer.Argument(help="persons or marriages")],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or jsonl")] = "csv",
    out_path: Annotated[Path, typer.Option("--out", help="file to write")] = Path("export.csv"),
    db: DbOption = None,
) -> None:
    """Export every person (living and deceased) or every marriage."""
    from sabt.registry import export

    engine = open_register(db)
    with engine.connect() as conn, progress_bar(f"exporting {what}") as tick:
        count = export.export(conn, what, fmt, out_path, tick)
    err.print(f"wrote {count} {what} to {out_path}")
