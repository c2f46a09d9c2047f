"""Documents' use cases: issue (facts → number → log leaf → signed token → PDF), revoke or
supersede, verify a token, and the transparency log's tree heads and proofs. Issuance and
revocation are ledger entries, each adding one leaf to the public log."""

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sabt.documents import appliers, facts, keys, pades, render, seal, tokens
from sabt.documents.models import Document, TransparencyLeaf, TransparencyNode
from sabt.kit import canonical, clock, merkle
from sabt.kit.errors import BadInput, Conflict, NotFound
from sabt.kit.merkle_store import StoredTree
from sabt.persian import jalali
from sabt.registry import ledger
from sabt.registry import service as registry
from sabt.registry.codes import parse_code
from sabt.registry.models import Marriage

appliers.register()

PREFIX = {"booklet": "EB", "birth": "BC", "death": "DC", "marriage": "MC", "inheritance": "IC"}
# Documents that state a current status: a later marriage, divorce, return or death makes
# them out of date (superseded). Certificates of past events stay valid.
STATUS_KINDS = ("booklet",)
# One valid certificate per estate: a new one replaces the one before.
REPLACING_KINDS = ("inheritance",)
REISSUED = "صدور گواهی جایگزین / reissued"


@dataclass(frozen=True)
class Issued:
    document: Document
    token: str  # the claims as a compact JWS (the API's answer)
    seal: str  # the same claims as a COSE seal (the printed QR's)
    facts: dict[str, Any]


def _issued(signing: keys.SigningKeys, document: Document, claims: dict[str, Any],
            stated: dict[str, Any]) -> Issued:  # fmt: skip
    return Issued(document, tokens.sign(signing, claims), seal.sign(signing, claims), stated)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def facts_hash(value: dict[str, Any]) -> str:
    return _b64(hashlib.sha256(canonical.dumps(value)).digest())


def _leaf(index: int, record: dict[str, Any]) -> dict[str, Any]:
    data = canonical.dumps(record)
    return {"leaf_index": index, "record": data.decode(), "leaf_hash": merkle.leaf_hash(data).hex()}


def _tree_size(session: Session) -> int:
    """The leaves run from 0 without a gap: the last index says how many (read from the key,
    where a count reads every leaf)."""
    last = session.scalar(select(func.max(TransparencyLeaf.leaf_index)))
    return 0 if last is None else last + 1


def issue(
    session: Session, signing: keys.SigningKeys, kind: str, code: str, actor: str,
    marriage_id: int | None = None,
) -> Issued:  # fmt: skip
    """Issue a document of `kind` about `code`; BadInput/Conflict/NotFound when it does not
    apply (nothing is written then)."""
    ledger.lock_head(session)
    stated = facts.gather(session, kind, parse_code(code), marriage_id)
    document = record(session, stated, actor)
    return _issued(signing, document, _claims(document, stated.key), stated.facts)


CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # base32 without I, L, O, U (misread)


def _new_number(session: Session, kind: str, year: int) -> str:
    """`BK-1404-7K3M-Q9XP-2D4F`: 60 random bits, so nobody can walk every document's status
    by trying numbers at the short address printed on each (`/verify?n=`)."""
    while True:
        tail = "".join(secrets.choice(CROCKFORD) for _ in range(12))
        number = f"{PREFIX[kind]}-{year}-{tail[:4]}-{tail[4:8]}-{tail[8:]}"
        if session.get(Document, number) is None:
            return number


def record(session: Session, stated: facts.Facts, actor: str) -> Document:
    """Record the issuance of a document stating `stated`: its number, its leaf in the
    public log and its ledger entry. Signing is apart (`copy_of` signs a token for any issued
    document), so a worker issuing certificates needs no signing key."""
    ledger.lock_head(session)
    kind = stated.kind
    seq = (session.scalar(select(func.max(Document.seq))) or 0) + 1
    now = clock.now()
    number = _new_number(session, kind, jalali.jalali_parts(clock.civil_date(now))[0])
    digest = facts_hash(stated.facts)
    issued_at = ledger.utc_text(now)
    index = _tree_size(session)
    leaf = _leaf(index, {"event": "issued", "number": number, "kind": kind,
                         "facts_hash": digest, "at": issued_at})  # fmt: skip
    row = {
        "number": number, "seq": seq, "kind": kind, "subject": stated.subject,
        "subjects": " ".join(stated.subjects), "marriage_id": stated.marriage_id,
        "facts": canonical.dumps(stated.facts).decode(), "facts_hash": digest,
        "issued_at": issued_at, "issued_by": actor, "leaf_index": index, "status": "valid",
        "ended_at": None, "end_reason": None, "replaced_by": None,
    }  # fmt: skip
    entry = ledger.NewEntry(
        "document.issued", f"document:{number}", {"document": row, "leaf": leaf}, actor
    )
    registry.append(session, [entry])
    TREE.extend(session, index + 1)
    if kind in REPLACING_KINDS:
        _replace_earlier(session, kind, stated.subject, number, actor)
    return session.get_one(Document, number)


def _claims(document: Document, key: dict[str, Any]) -> dict[str, Any]:
    return {"v": tokens.VERSION, "k": document.kind, "n": document.number,
            "d": document.issued_at.date().isoformat(), "s": document.subjects.split(),
            "f": key, "h": document.facts_hash, "l": document.leaf_index}  # fmt: skip


def copy_of(signing: keys.SigningKeys, document: Document) -> Issued:
    """Another copy of an issued document, to download again: the same facts, number and
    log leaf, the token's claims rebuilt from the register's row and signed anew. Nothing
    is written: a copy is not a new issuance (its status stays the original's)."""
    stated: dict[str, Any] = canonical.loads(document.facts)
    claims = _claims(document, facts.key_of(document.kind, stated))
    return _issued(signing, document, claims, stated)


def _replace_earlier(session: Session, kind: str, subject: str, number: str, actor: str) -> None:
    """A reissued inheritance certificate revokes the one before it, naming itself."""
    earlier = session.scalars(
        select(Document.number).where(
            Document.kind == kind, Document.subject == subject, Document.status == "valid",
            Document.number != number,
        )
    ).all()  # fmt: skip
    for old in earlier:
        end(session, old, "revoked", REISSUED, actor, replaced_by=number)


def end(
    session: Session, number: str, status: str, reason: str, actor: str,
    replaced_by: str | None = None,
) -> Document:  # fmt: skip
    """Revoke (`revoked`) or supersede (`superseded`) a valid document, with its reason."""
    ledger.lock_head(session)
    document = session.get(Document, number)
    if document is None:
        raise NotFound("no_document", f"سندی به شمارهٔ {number} نیست", f"no document {number}")
    if document.status != "valid":
        raise Conflict(
            "already_ended",
            f"این سند پیش‌تر {document.status} شده است",
            f"document {number} is already {document.status}",
        )
    if len(reason.strip()) < 3:
        raise BadInput("no_reason", "دلیل ابطال لازم است", "a revocation needs a reason")
    at = ledger.utc_text(clock.now())
    index = _tree_size(session)
    leaf = _leaf(index, {"event": status, "number": number, "reason": reason,
                         "replaced_by": replaced_by, "at": at})  # fmt: skip
    changes = {"status": status, "ended_at": at, "end_reason": reason, "replaced_by": replaced_by}
    data = {"number": number, "set": changes, "leaf": leaf}
    registry.append(
        session, [ledger.NewEntry("document.revoked", f"document:{number}", data, actor)]
    )
    TREE.extend(session, index + 1)
    session.refresh(document)
    return document


def printable(issued: Issued, public_url: str, pdf_keys: pades.PdfKeys) -> bytes:
    """The document's PDF, signed (PAdES): its facts, its QR (the seal, `SB1:…`) and the
    short address of its public status page."""
    d = issued.document
    page = render.html(
        d.kind, d.number, d.issued_at.date().isoformat(), issued.facts, issued.seal,
        f"{public_url}/verify?n={d.number}",
    )  # fmt: skip
    reason = f"{render.KIND_EN[d.kind]} {d.number}"
    return pades.sign(render.pdf(page), pdf_keys, reason)


# --- revocation that follows the register --------------------------------------------

REASONS = {
    "person.corrected": ("revoked", "اصلاح ثبت: {field}", "a stated fact was corrected: {field}"),
    "person.died": ("superseded", "ثبت فوت", "a death was registered"),
    "marriage.registered": ("superseded", "ثبت ازدواج", "a marriage was registered"),
    "marriage.ended": ("superseded", "پایان ازدواج", "a marriage ended"),
    "marriage.returned": ("superseded", "رجوع", "a return restored a marriage"),
}


# A kind whose documents are reissued, not only revoked, when the register they state changes:
# the estates part reissues an inheritance certificate (revoking the old one with a pointer to
# the new one). Installed with the followers (sabt.followers).
Reissuer = Callable[[Session, Document, ledger.NewEntry], None]
REISSUERS: dict[str, Reissuer] = {}


def follow_register(session: Session, entries: list[ledger.NewEntry]) -> None:
    """Revoke the documents a correction makes wrong (or have them reissued); supersede the
    status documents (the e-booklet extract) a marriage, divorce, return or death makes out
    of date."""
    for entry in entries:
        if entry.kind == "person.death_revoked":
            _death_revoked(session, entry)
        if entry.kind not in REASONS:
            continue
        status, fa, en = REASONS[entry.kind]
        field = entry.data.get("field", "")
        reason = f"{fa.format(field=field)} / {en.format(field=field)}"
        for number in _affected(session, entry, status):
            document = session.get_one(Document, number)
            if status == "revoked" and document.kind in REISSUERS:
                REISSUERS[document.kind](session, document, entry)
            else:
                end(session, number, status, reason, entry.actor)


# A revoked death: the death certificate was false, and the e-booklet extract issued since
# says deceased. (The inheritance certificate is the estates part's: it revokes its own.)
DEATH_REVOKED = {"death": "revoked", **dict.fromkeys(STATUS_KINDS, "superseded")}


def _death_revoked(session: Session, entry: ledger.NewEntry) -> None:
    code = entry.data["national_code"]
    rows = session.execute(
        select(Document.number, Document.kind).where(
            Document.status == "valid",
            Document.subject == code,
            Document.kind.in_(DEATH_REVOKED),
        )
    )
    for number, kind in rows.all():
        end(
            session, number, DEATH_REVOKED[kind], "ابطال ثبت فوت / a death was revoked", entry.actor
        )


def _affected(session: Session, entry: ledger.NewEntry, status: str) -> list[str]:
    codes = _codes_of(session, entry)
    query = select(Document.number, Document.subjects).where(Document.status == "valid")
    if status == "superseded":
        query = query.where(Document.kind.in_(STATUS_KINDS), Document.subject.in_(codes))
    else:  # any document naming one of them (a child's birth certificate names the mother)
        query = query.where(or_(*(Document.subjects.contains(c) for c in codes)))
    rows = session.execute(query).all()
    return [n for n, subjects in rows if set(subjects.split()) & codes]


PARENTS = ("father_code", "mother_code")


def _codes_of(session: Session, entry: ledger.NewEntry) -> set[str]:
    data = entry.data
    if entry.kind.startswith("person."):
        # a parent link corrected changes the estates of the old parent and of the new one
        linked = [data.get("old"), data.get("new")] if data.get("field") in PARENTS else []
        return {data["national_code"], *(c for c in linked if c)}
    if "husband" in data:
        return {data["husband"], data["wife"]}
    marriage = session.get(Marriage, data["id"])
    return {marriage.husband_code, marriage.wife_code} if marriage else set()


# --- verification --------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    status: str  # valid, revoked, superseded, invalid, unknown
    claims: dict[str, Any] | None
    document: Document | None
    reason_fa: str
    reason_en: str
    staff_view: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def as_json(self, full: bool = True) -> dict[str, Any]:
        d = self.document
        out: dict[str, Any] = {
            "status": self.status, "valid": self.ok,
            "message_fa": self.reason_fa, "message_en": self.reason_en,
        }  # fmt: skip
        if self.claims is not None and full:
            out["claims"] = self.claims
        if d is not None:
            out["document"] = {
                "number": d.number, "kind": d.kind,
                "issued_at": ledger.utc_text(_aware(d.issued_at)),
                "status": d.status, "leaf_index": d.leaf_index,
                "ended_at": ledger.utc_text(_aware(d.ended_at)) if d.ended_at else None,
            }  # fmt: skip
            if self.staff_view:
                out["document"] |= {"end_reason": d.end_reason, "replaced_by": d.replaced_by}
        return out


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC)


def verify_token(
    public: Any, token: str, session: Session | None, staff_view: bool = False
) -> Verdict:
    """Check the signature (with `public`, a KeySet) and, with a session, the register's
    record of the document: its facts hash and whether it was revoked or superseded.
    `staff_view` (the operator's CLI) adds why it ended and what replaced it; the public page
    and API say only that it did."""
    try:
        claims = seal.verify(public, token) if seal.is_seal(token) else tokens.verify(public, token)
    except tokens.InvalidToken as exc:
        return Verdict("invalid", None, None, exc.message_fa, exc.message_en)
    if session is None:
        return Verdict("valid", claims, None, "امضا معتبر است (بدون بررسی ابطال)",
                       "the signature is valid (revocation not checked: offline)")  # fmt: skip
    document = session.get(Document, claims.get("n"))
    if document is None or document.facts_hash != claims.get("h"):
        return Verdict("unknown", claims, None, "این سند در ثبت نیست",
                       "the register holds no such document")  # fmt: skip
    if document.status != "valid":
        return _ended(claims, document, staff_view)
    return Verdict("valid", claims, document, "سند معتبر است", "the document is valid", staff_view)


def _ended(claims: dict[str, Any] | None, document: Document, staff_view: bool) -> Verdict:
    """Revoked or superseded, and when; for staff also why, and the replacement. The reason
    is free text a registrar wrote about a person: never shown to whoever holds a number."""
    ended = _aware(document.ended_at or document.issued_at)
    word = {"revoked": "باطل", "superseded": "منسوخ"}[document.status]
    fa = f"این سند در {jalali.format_fa(clock.civil_date(ended))} {word} شده است"
    en = f"{document.status} on {ended:%Y-%m-%d}"
    if staff_view:
        fa += f": {document.end_reason}"
        en += f" because {document.end_reason}"
        if document.replaced_by:
            fa += f"؛ سند جایگزین {document.replaced_by}"
            en += f"; replaced by {document.replaced_by}"
    return Verdict(document.status, claims, document, fa, en, staff_view)


def status_of(document: Document | None) -> Verdict:
    """The register's word on a document known by its number alone (no signed facts)."""
    if document is None:
        return Verdict("unknown", None, None, "این سند در ثبت نیست",
                       "the register holds no such document")  # fmt: skip
    if document.status != "valid":
        return _ended(None, document, staff_view=False)
    return Verdict("valid", None, document, "سند معتبر است", "the document is valid")


# --- the transparency log ------------------------------------------------------------


def leaf_hashes(session: Session, start: int, end: int) -> list[bytes]:
    """The hashes of leaves [start, end), in order."""
    query = (
        select(TransparencyLeaf.leaf_hash)
        .where(TransparencyLeaf.leaf_index >= start, TransparencyLeaf.leaf_index < end)
        .order_by(TransparencyLeaf.leaf_index)
    )
    return [bytes.fromhex(h) for h in session.scalars(query)]


# The log's tree, kept as its complete subtrees: a proof reads O(log n) rows.
TREE = StoredTree(TransparencyNode.__table__, leaf_hashes)  # type: ignore[arg-type]


def tree_head(session: Session, signing: keys.SigningKeys) -> dict[str, Any]:
    """The signed tree head: size, time and root, signed with the document keys."""
    size = _tree_size(session)
    head = {"tree_size": size, "timestamp": ledger.utc_text(clock.now()),
            "root_hash": _b64(TREE.root(session, size))}  # fmt: skip
    return {**head, "signature": tokens.sign(signing, {"v": tokens.VERSION, "sth": head})}


def _checked_size(session: Session, value: int, what: str) -> int:
    size = _tree_size(session)
    if not 0 < value <= size:
        raise BadInput(
            "bad_tree_size",
            f"اندازهٔ درخت نامعتبر است: {value}",
            f"{what} must be between 1 and the tree size {size}",
        )
    return value


def inclusion(session: Session, leaf_index: int, tree_size: int) -> dict[str, Any]:
    _checked_size(session, tree_size, "tree_size")
    if not 0 <= leaf_index < tree_size:
        raise BadInput("bad_leaf_index", "شمارهٔ برگ نامعتبر است",
                       f"leaf_index must be below tree_size {tree_size}")  # fmt: skip
    proof = TREE.inclusion(session, leaf_index, tree_size)
    return {"leaf_index": leaf_index, "tree_size": tree_size,
            "audit_path": [_b64(p) for p in proof]}  # fmt: skip


def consistency(session: Session, first: int, second: int) -> dict[str, Any]:
    _checked_size(session, second, "second")
    if not 0 < first <= second:
        raise BadInput("bad_tree_size", "اندازه‌ها نامعتبرند", "need 0 < first <= second")
    proof = TREE.consistency(session, first, second)
    return {"first": first, "second": second, "consistency": [_b64(p) for p in proof]}


def leaves(session: Session, start: int, end: int) -> list[dict[str, Any]]:
    if not 0 <= start <= end or end - start > 1000:
        raise BadInput("bad_range", "بازهٔ برگ‌ها نامعتبر است",
                       "need 0 <= start <= end and at most 1000 leaves")  # fmt: skip
    rows = session.scalars(
        select(TransparencyLeaf)
        .where(TransparencyLeaf.leaf_index >= start, TransparencyLeaf.leaf_index <= end)
        .order_by(TransparencyLeaf.leaf_index)
    )
    return [
        {"leaf_index": r.leaf_index, "record": r.record, "leaf_hash": r.leaf_hash} for r in rows
    ]
