"""`sabt exchange`: the agencies that call the registry's services."""

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from sabt.kit.console import DB_HELP, err, out, user_errors
from sabt.kit.errors import BadInput

exchange_app = typer.Typer(help="Services to other agencies.", no_args_is_help=True)
agencies_app = typer.Typer(help="The agencies and what each is granted.", no_args_is_help=True)
receipt_app = typer.Typer(help="Receipts of the evidence log.", no_args_is_help=True)
exchange_app.add_typer(agencies_app, name="agencies")
exchange_app.add_typer(receipt_app, name="receipt")
batches_app = typer.Typer(help="Batch verification jobs.", no_args_is_help=True)
exchange_app.add_typer(batches_app, name="batches")

DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]


def _names(raw: str) -> list[str]:
    return [n.strip() for n in raw.split(",") if n.strip()]


@agencies_app.command("add")
@user_errors
def add_command(
    name: Annotated[str, typer.Option("--name", help="the agency's name, in Persian")],
    code: Annotated[str, typer.Option("--code", help="its code, e.g. bank-melli")],
    jwks: Annotated[Path, typer.Option("--jwks", help="its public keys (JWKS file)")],
    services: Annotated[str, typer.Option("--services", help="e.g. verify,ekyc,life-status")],
    legal_basis: Annotated[str, typer.Option("--legal-basis", help="the law that allows it")],
    attributes: Annotated[
        str, typer.Option("--attributes", help="what eKYC may release, e.g. first_name,last_name")
    ] = "",
    per_second: Annotated[int, typer.Option("--per-second", help="requests a second")] = 50,
    per_day: Annotated[int, typer.Option("--per-day", help="people named a day")] = 100_000,
    relying_party: Annotated[
        str | None, typer.Option("--relying-party", help="its HODA client_id (eKYC by consent)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add an agency: its client logs in with its keys only (private_key_jwt) and may call
    the services, and receive the attributes, granted here under the legal basis given.
    Prints its code and client_id."""
    from sabt.exchange import service
    from sabt.registry.cli import open_register

    try:
        keys = jwks.read_text("utf-8")
    except OSError as exc:
        raise BadInput("bad_file", f"پرونده خوانده نشد: {jwks}", f"cannot read {jwks}") from exc
    with Session(open_register(db)) as session, session.begin():
        new = service.add_agency(
            session, code=code, name_fa=name, jwks=keys, services=_names(services),
            attributes=_names(attributes), legal_basis=legal_basis, per_second=per_second,
            per_day=per_day, actor="cli", relying_party=relying_party,
        )  # fmt: skip
    out(f"code={new.code}")
    out(f"client_id={new.client_id}")


@receipt_app.command("verify")
@user_errors
def verify_receipt(
    receipt: Annotated[Path, typer.Argument(help="a receipt (GET …/exchange/receipts/{id})")],
    request: Annotated[
        Path | None, typer.Option("--request", help="the request body sent (JSON)")
    ] = None,
    answer: Annotated[
        Path | None, typer.Option("--answer", help="the answer received (JSON)")
    ] = None,
    jwks: Annotated[
        Path | None, typer.Option("--jwks", help="the registry's public keys (JWKS file)")
    ] = None,
) -> None:
    """Check a receipt offline: the tree head signed by the registry, the transaction in
    that tree, and (given) the request and answer the receipt's hashes stand for. Exit 0
    when it holds, 1 when it does not, 2 when a file cannot be read."""
    from sabt.documents import keys
    from sabt.exchange import evidence
    from sabt.kit import settings

    public = keys.key_set_file(jwks) if jwks else keys.load_existing(settings.load().home).public
    problems = evidence.check_receipt(
        _json(receipt), public, _json(request) if request else None,
        _json(answer) if answer else None,
    )  # fmt: skip
    for problem in problems:
        err.print(f"[red]{problem}[/red]")
    if problems:
        raise typer.Exit(1)
    out("the receipt holds: signed by the registry, the transaction in its tree")


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise BadInput("bad_file", f"پرونده خوانده نشد: {path}",
                       f"{path} is not a readable JSON file") from exc  # fmt: skip


@batches_app.command("work")
@user_errors
def work_command(
    chunk: Annotated[
        int, typer.Option("--chunk", min=1, max=100_000, help="rows a commit")
    ] = 10_000,
    db: DbOption = None,
) -> None:
    """Answer every waiting batch job (and any a stopped server left) here, then stop. The
    server answers jobs itself; this is for a worker of its own, or after an outage."""
    from sabt.exchange import batches
    from sabt.kit import settings
    from sabt.registry.cli import open_register

    finished = batches.run_all(open_register(db), settings.load().home, chunk)
    out(f"finished={finished}")
