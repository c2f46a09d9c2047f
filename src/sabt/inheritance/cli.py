"""`sabt inheritance`: divide an estate (contract: inheritance.md)."""

import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import orjson
import typer

from sabt.inheritance import service
from sabt.kit.console import err, user_errors

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
