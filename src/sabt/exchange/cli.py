"""`sabt exchange`: the agencies that call the registry's services."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from sabt.kit.console import DB_HELP, out, user_errors
from sabt.kit.errors import BadInput

exchange_app = typer.Typer(help="Services to other agencies.", no_args_is_help=True)
agencies_app = typer.Typer(help="The agencies and what each is granted.", no_args_is_help=True)
exchange_app.add_typer(agencies_app, name="agencies")

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
    per_day: Annotated[int, typer.Option("--per-day", help="requests a day")] = 100_000,
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
            per_day=per_day, actor="cli",
        )  # fmt: skip
    out(f"code={new.code}")
    out(f"client_id={new.client_id}")
