"""`sabt identity`: organisations' clients, staff accounts, the first administrator, the
hotlist, the OpenID Connect signing keys, and the purge of expired credentials.

Credentials are printed once, on standard output; only their hashes are kept.
"""

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from sabt.identity import (
    account_state,
    audit,
    credentials,
    hoda,
    oidc_keys,
    provider,
    purge,
    service,
)
from sabt.identity.roles import CLIENT_KINDS, ROLES
from sabt.kit import clock, settings
from sabt.kit.console import DB_HELP, err, out, user_errors
from sabt.kit.errors import BadInput
from sabt.registry.cli import open_register
from sabt.registry.codes import parse_code

identity_app = typer.Typer(help="Accounts, roles and tokens.", no_args_is_help=True)
clients_app = typer.Typer(
    help="OAuth2 clients: organisations, and agencies that log citizens in through HODA.",
    no_args_is_help=True,
)
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
    kind: Annotated[
        str, typer.Option("--kind", help=" | ".join([*CLIENT_KINDS, provider.RELYING_PARTY]))
    ],
    office: Annotated[
        str | None, typer.Option("--office", help="the organisation's office (not for agencies)")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="the agency's name, in Persian")
    ] = None,
    sector: Annotated[
        str | None, typer.Option("--sector", help="the agency (its clients share pairwise ids)")
    ] = None,
    redirect_uri: Annotated[
        list[str] | None, typer.Option("--redirect-uri", help="exact redirect URI (repeatable)")
    ] = None,
    post_logout_uri: Annotated[
        list[str] | None, typer.Option("--post-logout-uri", help="after logout (repeatable)")
    ] = None,
    jwks: Annotated[
        Path | None, typer.Option("--jwks", help="the agency's public JWKS: private_key_jwt")
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="no secret: PKCE only")] = False,
    first_party: Annotated[
        bool, typer.Option("--first-party", help="the registry's own portal: no consent screen")
    ] = False,
    id_token_alg: Annotated[str, typer.Option("--id-token-alg", help="RS256 | ES256")] = "RS256",
    db: DbOption = None,
) -> None:
    """Add a client: an organisation at its office, or an agency that logs citizens in
    through HODA (`--kind relying-party`). Prints client_id and, if it has one,
    client_secret."""
    if kind != provider.RELYING_PARTY:
        if office is None:
            raise BadInput("office_needed", "--office لازم است", f"--office is needed for {kind}")
        with Session(open_register(db)) as session, session.begin():
            client_id, secret = service.add_client(session, kind, office, actor="cli")
        _print_client(client_id, secret)
        return
    if not name or not sector:
        raise BadInput(
            "name_needed", "--name و --sector لازم است", "--name and --sector are needed"
        )
    with Session(open_register(db)) as session, session.begin():
        new = provider.add_relying_party(
            session, name=name, sector=sector, redirect_uris=redirect_uri or [], actor="cli",
            jwks=_read_jwks(jwks) if jwks else None, public=public, first_party=first_party,
            post_logout_uris=post_logout_uri or [], id_token_alg=id_token_alg,
        )  # fmt: skip
    _print_client(new.client_id, new.client_secret)


def _read_jwks(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise BadInput("bad_file", f"پرونده خوانده نشد: {path}", f"cannot read {path}") from exc


def _print_client(client_id: str, secret: str | None) -> None:
    out(f"client_id={client_id}")
    if secret:
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


DEMO_CREDENTIALS = "demo-credentials.txt"  # written by `sabt demo`


@staff_app.command("totp")
@user_errors
def staff_totp(
    username: Annotated[str, typer.Argument(help="a demo account (sabt demo made it)")],
    db: DbOption = None,
) -> None:
    """Print the current two-step code of a demo staff account (for trying the demo without
    an authenticator app). Refused for any account the demo did not make."""
    made = settings.instance_dir(settings.load()) / DEMO_CREDENTIALS
    listed = made.exists() and f"username={username} " in made.read_text(encoding="utf-8")
    if not listed:
        raise BadInput(
            "not_a_demo_account",
            "این فرمان فقط کد حساب‌های نمایشی (sabt demo) را نشان می‌دهد",
            f"{username} is not a demo account of this instance ({made})",
        )
    with Session(open_register(db)) as session:
        secret = service.totp_secret_of(session, username)
    out(credentials.totp_code(secret, clock.now()))


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


KindArgument = Annotated[account_state.AccountKind, typer.Argument(help="staff | client | citizen")]
IdArgument = Annotated[
    str, typer.Argument(help="the staff member's username, the client_id or the national code")
]


@identity_app.command("disable")
@user_errors
def disable(
    kind: KindArgument, identifier: IdArgument, reason: ReasonOption, db: DbOption = None
) -> None:
    """Disable an account (audited): its tokens and sessions stop at once."""
    _set_disabled(kind, identifier, True, reason, db)


@identity_app.command("enable")
@user_errors
def enable(
    kind: KindArgument, identifier: IdArgument, reason: ReasonOption, db: DbOption = None
) -> None:
    """Enable a disabled account again (audited); it signs in afresh."""
    _set_disabled(kind, identifier, False, reason, db)


def _set_disabled(
    kind: account_state.AccountKind, identifier: str, disabled: bool, reason: str, db: str | None
) -> None:
    with Session(open_register(db)) as session, session.begin():
        done = account_state.set_disabled(
            session, kind, identifier, disabled, reason, "operator:cli"
        )
    out(json.dumps(done))


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


@identity_app.command("purge")
@user_errors
def purge_command(
    grace_hours: Annotated[
        int,
        typer.Option(
            "--grace-hours",
            min=0,
            max=24 * 366 * 10,
            help="how long a row stays after it expired (at least an hour, and the life of "
            "an agency's token)",
        ),
    ] = purge.PURGE_GRACE_HOURS,
    db: DbOption = None,
) -> None:
    """Remove expired tokens, one-time codes, authorization codes, login interactions and
    sessions (run it daily). Authentication history, the audit and consents are kept.
    Prints the rows removed per table, as JSON."""
    with Session(open_register(db)) as session, session.begin():
        done = purge.purge_expired(
            session, settings.load(), audit.now_utc(), timedelta(hours=grace_hours)
        )
    out(json.dumps(done.as_json(), ensure_ascii=False, indent=2))


@identity_app.command("rotate-keys")
@user_errors
def rotate_keys() -> None:
    """Create new OpenID Connect signing keys (RS256 and ES256). They sign once the server
    is restarted; the old keys stay in the JWKS, so ID tokens they signed still verify.
    Prints the new kids, as JSON."""
    kids = oidc_keys.rotate(settings.load().home)
    out(json.dumps(kids))
    err.print("restart the server for the new keys to sign")
