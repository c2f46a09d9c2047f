"""What the estates part does when a registered death is revoked (registration's
`death_revocations`), in the revocation's own transaction: the inheritance certificate
revoked, the estate marked revoked, its open objections closed, and everyone the estate's
notices reached told by SMS that the death and the certificate were wrong."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.documents import service as documents
from sabt.documents.models import Document
from sabt.estates import objections, service, texts
from sabt.estates.models import Estate, Notice, Objection
from sabt.registry import ledger, queries

REASON = "ابطال ثبت فوت / the death registration was revoked"


def follow_register(session: Session, entries: list[ledger.NewEntry]) -> None:
    for entry in entries:
        if entry.kind == "person.death_revoked":
            revoke(session, entry.data["national_code"], entry.actor)


def revoke(session: Session, code: str, actor: str) -> None:
    estate = session.get(Estate, code, populate_existing=True)
    if estate is None or estate.status == "revoked":
        return  # not settled yet: with the death gone, the worker will never settle it
    certificate = estate.certificate
    document = session.get(Document, certificate) if certificate else None
    if document is not None and document.status == "valid":
        documents.end(session, document.number, "revoked", REASON, actor)
    for objection in _open_objections(session, code):
        closed = {"status": "closed", "decision": service.dumps({"closed": REASON}),
                  "updated_at": service.now_text()}  # fmt: skip
        data = {"objection": objection.id, "set": closed}
        service.append_entry(session, "objection.closed", code, data, actor)
    person = queries.get_person(session, code)
    name = f"{person.first_name} {person.last_name}"
    changes = {"status": "revoked", "certificate": None, "objection_until": None,
               "updated_at": service.now_text()}  # fmt: skip
    data = {"deceased": code, "set": changes, "notices": _notices(session, code, name, certificate)}
    service.append_entry(session, "estate.revoked", code, data, actor)


def _open_objections(session: Session, code: str) -> list[Objection]:
    query = select(Objection).where(
        Objection.deceased == code, Objection.status.in_(objections.OPEN)
    )
    return list(session.scalars(query.order_by(Objection.id)))


def _notices(
    session: Session, code: str, name: str, certificate: str | None
) -> list[dict[str, Any]]:
    """One SMS to each number the estate's notices went to (heirs, guardians, objectors)."""
    told = session.execute(
        select(Notice.recipient, Notice.mobile).where(Notice.deceased == code).order_by(Notice.id)
    )
    recipients = dict(told.all())
    text = texts.death_revoked_sms(name, certificate)
    rows: list[dict[str, Any]] = []
    for recipient, mobile in recipients.items():
        row = service.notice_rows(session, code, recipient, mobile, text)[0]
        row["id"] += len(rows)
        rows.append(row)
    return rows
