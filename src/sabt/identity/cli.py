"""`sabt identity`: organisations' clients, staff accounts, the first administrator, the
hotlist.

Credentials are printed once, on standard output; only their hashes are kept.
"""

import json
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from sabt.identity import hoda, service
from sabt.identity.roles import CLIENT_KINDS, ROLES
from sabt.kit.console import DB_HELP, err, out, user_errors
from sabt.registry.cli import open_register
from sabt.registry.validation import parse_code

identity_app = typer.Typer(help="Accounts, roles and tokens.", no_args_is_help=True)
clients_app = typer.Typer(help="Organisations' OAuth2 clients.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
admin_app = typer.Typer(help="The first national administrator.", no_args_is_help=True)
citizens_app = typer.Typer(help="Citizen accounts (interim, until HODA).", no_args_is_help=True)
identity_app.add_typer(clients_app, name="clients")
identity_app.add_typer(staff_app, name="staff")
identity_app.add_typer(admin_app, name="admin")
identity_app.add_typer(citizens_app, name="citizens")
hotlist_app = typer.Typer(
    help="Identities that may not authenticate on any path (audited).", no_args_is_help=True
)
identity_app.add_typer(hotlist_app, name="hotlist")

DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
OfficeOption = Annotated[str, typer.Option("--office", help="the office's code in the register")]
UsernameOption = Annotated[str, typer.Option("--username", help="login name (3-64 characters)")]
SHOWN_ONCE = "shown once: store it now (only its hash is kept)"


@clients_app.command("add")
@user_errors
def clients_add(
    kind: Annotated[str, typer.Option("--kind", help=" | ".join(CLIENT_KINDS))],
    office: OfficeOption,
    db: DbOption = None,
) -> None:
    """Add an organisation's client; prints its client_id and client_secret."""
    with Session(open_register(db)) as session, session.begin():
        client_id, secret = service.add_client(session, kind, office, actor="cli")
    out(f"client_id={client_id}")
    out(f"client_secret={secret}")
    err.print(f"the client secret is {SHOWN_ONCE}")


def _print_staff(staff: service.NewStaff) -> None:
    out(f"username={staff.username}")
    out(f"password={staff.password}")
    out(f"totp_uri={staff.totp_uri}")
    err.print(f"the password and the TOTP enrolment URI are {SHOWN_ONCE}")


@admin_app.command("init")
@user_errors
def admin_init(username: UsernameOption, office: OfficeOption, db: DbOption = None) -> None:
    """Create the first national administrator (refused once one exists)."""
    with Session(open_register(db)) as session, session.begin():
        staff = service.init_admin(session, username, office)
    _print_staff(staff)


@staff_app.command("add")
@user_errors
def staff_add(
    username: UsernameOption,
    role: Annotated[str, typer.Option("--role", help=" | ".join(ROLES))],
    office: OfficeOption,
    db: DbOption = None,
) -> None:
    """Add a staff account; prints its password and TOTP enrolment URI."""
    with Session(open_register(db)) as session, session.begin():
        staff = service.add_staff(session, username, role, office, actor="cli")
    _print_staff(staff)


@citizens_app.command("add")
@user_errors
def citizens_add(
    national_code: Annotated[str, typer.Argument(help="a living person's national code")],
    db: DbOption = None,
) -> None:
    """Give a living person a citizen account; prints its password."""
    code = parse_code(national_code)
    with Session(open_register(db)) as session, session.begin():
        password = service.add_citizen(session, code, actor="cli")
    out(f"national_code={code}")
    out(f"password={password}")
    err.print(f"the password is {SHOWN_ONCE}")


ReasonOption = Annotated[str, typer.Option("--reason", help="why (kept in the audit)")]
CodeArgument = Annotated[str, typer.Argument(help="the national code")]


@hotlist_app.command("add")
@user_errors
def hotlist_add(code: CodeArgument, reason: ReasonOption, db: DbOption = None) -> None:
    """Block an identity: no enrolment, login, code or token use until removed."""
    with Session(open_register(db)) as session, session.begin():
        hoda.hotlist_add(session, code, reason, actor="operator:cli")
    err.print(f"{code} is on the hotlist")


@hotlist_app.command("remove")
@user_errors
def hotlist_remove(code: CodeArgument, reason: ReasonOption, db: DbOption = None) -> None:
    """Unblock an identity."""
    with Session(open_register(db)) as session, session.begin():
        hoda.hotlist_remove(session, code, reason, actor="operator:cli")
    err.print(f"{code} is off the hotlist")


@hotlist_app.command("list")
@user_errors
def hotlist_list(db: DbOption = None) -> None:
    """The identities on the hotlist, as JSON."""
    with Session(open_register(db)) as session:
        out(json.dumps(hoda.hotlist(session), ensure_ascii=False, indent=2))
