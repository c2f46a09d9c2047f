"""`sabt queue`: the registrar's back office for operators at the server's shell.

Each command acts as a named staff account (`--as`), with that account's role and
jurisdiction, exactly as the HTTP back office does; the ledger names that account as the
actor. Output is JSON, for reading or for scripts.
"""

import json
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from sabt.identity import service as identity
from sabt.identity.service import Caller
from sabt.kit.console import DB_HELP, out, user_errors
from sabt.kit.errors import BadInput
from sabt.registration import death_revocations, marriages, queue
from sabt.registry.cli import open_register
from sabt.registry.db import write_session

queue_app = typer.Typer(help="The registrar queue: list, take, decide.", no_args_is_help=True)
marriages_app = typer.Typer(help="Marriages: the daily end of expired terms.", no_args_is_help=True)
deaths_app = typer.Typer(help="Deaths: revoke a wrongly registered one.", no_args_is_help=True)

DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
AsOption = Annotated[str, typer.Option("--as", help="the staff username to act as")]
CaseArg = Annotated[int, typer.Argument(help="the case id", min=1)]


def _print(value: Any) -> None:
    out(json.dumps(value, ensure_ascii=False, indent=2))


def _caller(session: Session, username: str, scope: str) -> Caller:
    caller = identity.staff_caller(session, username)
    caller.require(scope)
    return caller


def _text(value: str, what: str) -> str:
    if not 3 <= len(value.strip()) <= 500:
        raise BadInput("bad_text", f"{what} باید ۳ تا ۵۰۰ نویسه باشد", f"{what}: 3-500 characters")
    return value.strip()


@queue_app.command("list")
@user_errors
def list_command(
    as_user: AsOption,
    kind: Annotated[
        str | None, typer.Option(help="birth | death | correction | death_revocation")
    ] = None,
    flag: Annotated[str | None, typer.Option(help="only cases with this flag")] = None,
    min_age_days: Annotated[int | None, typer.Option(min=0, help="waiting at least")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    db: DbOption = None,
) -> None:
    """Queued cases of your jurisdiction, oldest first."""
    if flag is not None and flag not in queue.FLAG_NAMES:
        raise BadInput("unknown_flag", f"برچسب ناشناخته: {flag}", f"unknown flag {flag!r}")
    if kind is not None and kind not in queue.EXECUTE:
        raise BadInput("unknown_kind", f"نوع ناشناخته: {kind}", f"unknown kind {kind!r}")
    with Session(open_register(db)) as session:
        caller = _caller(session, as_user, "queue:read")
        _print(
            queue.list_queue(
                session, caller, kind=kind, flag=flag, min_age_days=min_age_days, limit=limit
            )
        )


@queue_app.command("show")
@user_errors
def show_command(case_id: CaseArg, as_user: AsOption, db: DbOption = None) -> None:
    """One case, with its history."""
    with Session(open_register(db)) as session:
        caller = _caller(session, as_user, "queue:read")
        _print(
            {
                "case": queue.get_case(session, caller, case_id),
                "history": queue.case_history(session, caller, case_id),
            }
        )


def _act(db: str | None, username: str, action: str, case_id: int, **kwargs: Any) -> None:
    with write_session(open_register(db)) as session:
        caller = _caller(session, username, "queue:act")
        result = getattr(queue, action)(session, caller, case_id, **kwargs)
    _print(result)


@queue_app.command("assign")
@user_errors
def assign_command(case_id: CaseArg, as_user: AsOption, db: DbOption = None) -> None:
    """Take a case (nobody else may act on it until released or decided)."""
    _act(db, as_user, "assign", case_id)


@queue_app.command("release")
@user_errors
def release_command(case_id: CaseArg, as_user: AsOption, db: DbOption = None) -> None:
    """Give a case back to the queue."""
    _act(db, as_user, "release", case_id)


@queue_app.command("approve")
@user_errors
def approve_command(
    case_id: CaseArg,
    as_user: AsOption,
    note: Annotated[str, typer.Option(help="why; kept in the history")],
    first_name: Annotated[str | None, typer.Option(help="for a name under review")] = None,
    db: DbOption = None,
) -> None:
    """Approve: registers the birth or death or applies the correction (two people where
    the law asks for two)."""
    _act(db, as_user, "approve", case_id, note=_text(note, "note"), first_name=first_name)


@queue_app.command("reject")
@user_errors
def reject_command(
    case_id: CaseArg,
    as_user: AsOption,
    reason: Annotated[str, typer.Option(help="why; kept in the history")],
    db: DbOption = None,
) -> None:
    """Reject a case with a reason."""
    _act(db, as_user, "reject", case_id, reason=_text(reason, "reason"))


@deaths_app.command("revoke")
@user_errors
def revoke_death_command(
    code: Annotated[str, typer.Argument(help="the national code of the person")],
    as_user: AsOption,
    reason: Annotated[str, typer.Option(help="what shows the death was wrong (10-500 letters)")],
    document_ref: Annotated[str, typer.Option(help="the decision or record that shows it")],
    db: DbOption = None,
) -> None:
    """File the revocation of a wrongly registered death: a different senior approves it
    (sabt queue approve), which restores the person and revokes what the death caused."""
    with write_session(open_register(db)) as session:
        caller = _caller(session, as_user, "corrections:file")
        ref = _text(document_ref, "document_ref")
        _print(death_revocations.file(session, caller, code, reason, ref))


@marriages_app.command("close-expired")
@user_errors
def close_expired_command(as_user: AsOption, db: DbOption = None) -> None:
    """End every temporary marriage whose term is over (run daily); prints their ids."""
    with write_session(open_register(db)) as session:
        caller = _caller(session, as_user, "queue:act")
        closed = marriages.close_expired_terms(session, caller)
    _print({"closed": closed})
