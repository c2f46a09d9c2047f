"""`sabt inheritance`: divide an estate (contract: inheritance.md)."""

import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from sabt.inheritance import service
from sabt.inheritance.heirs import Resolution
from sabt.inheritance.texts import FA_RELATION, fraction_fa
from sabt.kit.console import DB_HELP, err, user_errors
from sabt.persian.digits import to_persian
from sabt.registry.cli import open_register

inheritance_app = typer.Typer(
    help="Heirs and shares under the Civil Code (Arts. 861-949).", no_args_is_help=True
)


def _open(path: str) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    try:
        return Path(path).open("rb")
    except OSError as exc:
        err.print(f"[red]cannot read {path}: {exc.strerror}[/red]")
        raise typer.Exit(2) from None


def _print(obj: object) -> None:
    sys.stdout.buffer.write(orjson.dumps(obj) + b"\n")
    sys.stdout.buffer.flush()


@inheritance_app.command("compute")
@user_errors
def compute(
    case_file: Annotated[
        str | None, typer.Argument(metavar="CASE.json", help='A case as JSON; "-" reads stdin.')
    ] = None,
    batch: Annotated[
        str | None, typer.Option("--batch", help="JSON Lines: one case per line, in order.")
    ] = None,
) -> None:
    """Print the result of a case (or of every line of a batch) as JSON."""
    if (case_file is None) == (batch is None):
        err.print("[red]give either CASE.json (or -) or --batch FILE.jsonl[/red]")
        raise typer.Exit(2)
    if batch is not None:
        _batch(batch)
        return
    assert case_file is not None
    with _open(case_file) as source:
        _print(service.compute_case(service.read_json(source.read())))


def _batch(path: str) -> None:
    bad = 0
    with _open(path) as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            result, ok = service.compute_line(line)
            _print(result)
            if not ok:
                bad += 1
                err.print(f"line {number}: {result['error']['message_en']}")
    if bad:
        err.print(f"[red]{bad} invalid case(s)[/red]")
        raise typer.Exit(2)


@inheritance_app.command("resolve")
@user_errors
def resolve(
    code: Annotated[str, typer.Argument(help="national code of a registered death")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print {case, result, completeness, gaps}")
    ] = False,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """Heirs and shares of a registered death, read from the register (Persian table)."""
    with Session(open_register(db)) as session:
        resolution = service.resolve(session, code)
    if as_json:
        _print(resolution.as_json())
        return
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = 160  # piped: keep national codes and shares on one line
    console.print(_heirs_table(resolution))
    for gap in resolution.gaps:
        console.print(f"[yellow]⚠ {gap['message_fa']}[/yellow]  ({gap['person'] or '—'})")


STATUS_FA = {"final": "قطعی", "provisional": "موقت (مراعا)", "refused": "تقسیم نمی‌شود"}
COMPLETENESS_FA = {"complete": "کامل", "needs_review": "نیازمند بررسی"}


def _heirs_table(resolution: Resolution) -> Table:
    result = resolution.result
    case = resolution.case
    title = (
        f"وراث {resolution.names.get(case['id'], '')} ({case['id']}) — فوت "
        f"{to_persian(case['deceased']['date_of_death'])} — {STATUS_FA[result.status]} — "
        f"{COMPLETENESS_FA[resolution.completeness]}"
    )
    table = Table(title=title)
    for column in ("نسبت", "کد ملی", "نام", "سهم", "سهام", "توضیح"):
        table.add_column(column)
    parts = result.parts() if result.refusal is None else {}
    for heir in case["heirs"]:
        if heir.get("deceased"):
            continue
        pid = heir["id"]
        share = result.shares.get(pid)
        note = result.excluded[pid].fa if pid in result.excluded else ""
        if heir.get("died_on"):
            note = f"فوت پس از متوفی ({to_persian(heir['died_on'])}) {note}".strip()
        table.add_row(
            FA_RELATION[heir["relation"]],
            pid,
            resolution.names.get(pid, ""),
            fraction_fa(share) if share is not None else "—",
            to_persian(str(parts[pid])) if pid in parts else "—",
            note,
        )
    if result.state:
        table.add_row(
            "ترکهٔ بلاوارث (مادهٔ ۸۶۶)",
            "",
            "",
            fraction_fa(result.state),
            to_persian(str(parts["state"])),
            "",
        )
    if result.refusal is not None:
        table.caption = f"{result.refusal.fa} (مادهٔ {to_persian(result.refusal.article)})"
    elif parts:
        table.caption = f"ترکه به {to_persian(str(parts['total']))} سهم تقسیم می‌شود"
    return table
