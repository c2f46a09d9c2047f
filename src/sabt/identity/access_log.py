"""The citizen's access log: every read of a person's data by staff or an agency, who
read it (by role and office, as the citizen is shown it) and why; read back a page at a
time in SAHIM."""

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, insert, select
from sqlalchemy.orm import Session

from sabt.identity.audit import now_utc
from sabt.identity.models import AccessLog, Account, Client
from sabt.identity.roles import CLIENT_KIND_FA, ROLES
from sabt.identity.service import Caller, plausible_id
from sabt.registry.models import Office

Row = TypeVar("Row")


def log_access(
    session: Session, caller: Caller, subject: str, action: str, purpose: str,
    outcome: str | None = None,
) -> None:  # fmt: skip
    """Record a read of `subject`'s data, for the citizen's access log (with what an
    agency's call was answered, when it was one)."""
    session.add(AccessLog(**access_row(caller, subject, action, purpose, outcome)))


def access_row(
    caller: Caller, subject: str, action: str, purpose: str, outcome: str | None = None
) -> dict[str, object]:
    """One row of the access log, as the columns' values (for a writer that inserts many
    at once: the exchange's group commit)."""
    return row_of(caller.actor, caller.place.office, subject, action, purpose, outcome)


def row_of(actor: str, office: str | None, subject: str, action: str, purpose: str,
           outcome: str | None) -> dict[str, object]:  # fmt: skip
    return {"at": now_utc(), "subject": subject, "actor": actor, "office": office,
            "action": action, "purpose": purpose, "outcome": outcome}  # fmt: skip


_COLUMNS = ("at", "subject", "actor", "office", "action", "purpose", "outcome")


def insert_many(session: Session, rows: list[dict[str, object]]) -> None:
    """Insert many rows of the log (`access_row`s) in the session's transaction: by COPY on
    PostgreSQL, several times faster than an INSERT of many values for a batch's 10,000."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(AccessLog), rows)
        return
    raw = session.connection().connection.driver_connection
    copy = f"COPY identity_access_log ({', '.join(_COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(copy) as writer:  # type: ignore[union-attr]
        for row in rows:
            writer.write_row(tuple(row[c] for c in _COLUMNS))


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a citizen's log, newest first, and how many rows the whole log has."""

    rows: list[Row]
    total: int


def page_of(session: Session, query: Select[Row], limit: int, offset: int) -> Page[Row]:
    """One page of `query`'s rows (already ordered newest first) and how many it has."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Page(list(session.scalars(query.limit(limit).offset(offset))), total or 0)


def accesses_of(session: Session, subject: str, limit: int, offset: int) -> Page[AccessLog]:
    """The reads of `subject`'s data by staff and agencies, newest first."""
    query = (
        select(AccessLog).where(AccessLog.subject == subject)
        .order_by(AccessLog.at.desc(), AccessLog.id.desc())
    )  # fmt: skip
    return page_of(session, query, limit, offset)


def reads_by_actor(
    session: Session, subject: str, actor_prefix: str
) -> dict[str, tuple[int, datetime]]:
    """How many times, and when last, each reader whose name starts with `actor_prefix`
    read `subject`'s data (SAHIM's page of agencies)."""
    rows = session.execute(
        select(AccessLog.actor, func.count(), func.max(AccessLog.at))
        .where(AccessLog.subject == subject, AccessLog.actor.startswith(actor_prefix))
        .group_by(AccessLog.actor)
    )
    return {actor: (count, last) for actor, count, last in rows}


def reader_fa(session: Session, actor: str, office: str | None) -> tuple[str, str]:
    """Who read a citizen's record, as the citizen is shown it: the reader's role (a staff
    member's, or the organisation's kind) and their office's Persian name; never an internal
    id such as a username, a client id or an office code."""
    kind, _, name = actor.partition(":")
    who = "سامانهٔ ثبت احوال"
    if kind == "staff":
        role = session.scalar(
            select(Account.role).where(Account.username == name, Account.kind == "staff")
        )
        who = ROLES[role].name_fa if role in ROLES else "کارمند ثبت احوال"
    elif kind == "client":
        client = session.get(Client, name) if plausible_id(name) else None
        if client is not None:
            who = client.name or CLIENT_KIND_FA.get(client.kind, "سازمان")
    place = session.get(Office, office) if office else None
    return who, place.name_fa if place is not None else "—"
