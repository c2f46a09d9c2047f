"""The evidence log (X-Road's model): every exchange transaction, as the hashes of what the
agency asked and what it was told with the agency, service, purpose and time, is a leaf of
an append-only Merkle tree (RFC 9162, kit.merkle) whose signed tree heads the registry
publishes. A receipt (the leaf, its inclusion proof and a signed head) lets the agency prove
later what it asked and was told, and the registry prove the same against the agency;
`check_receipt` checks one with the registry's public keys only.

A hash is SHA-256 (hex) of a JSON value in canonical form (kit.canonical: keys sorted, no
whitespace, UTF-8): the request body as the agency sent it, the answer as it received it.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from joserfc.jwk import KeySet
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from sabt.documents import keys, tokens
from sabt.exchange.models import EvidenceLeaf, EvidenceNode
from sabt.kit import canonical, clock, merkle
from sabt.kit.errors import BadInput, NotFound
from sabt.kit.merkle_store import StoredTree
from sabt.registry.ledger import utc_text

VERSION = 1
LOG = "sabt-exchange-evidence"  # a head of this log can never pass for the documents' log
_LOCK = 0x5AB7E1  # PostgreSQL advisory lock: one appender at a time, across processes


def json_hash(value: Any) -> str:
    return hashlib.sha256(canonical.dumps(value)).hexdigest()


@dataclass(frozen=True)
class Transaction:
    """One exchange, as its leaf records it."""

    transaction_id: str
    agency: str
    service: str
    purpose: str
    request: Any  # the body as the agency sent it
    answer: Any  # what it was told
    at: datetime

    def record(self) -> dict[str, Any]:
        return {"v": VERSION, "transaction_id": self.transaction_id, "agency": self.agency,
                "service": self.service, "purpose": self.purpose, "at": utc_text(self.at),
                "request_hash": json_hash(self.request),
                "response_hash": json_hash(self.answer)}  # fmt: skip


def leaf_hashes(session: Session, start: int, end: int) -> list[bytes]:
    query = (
        select(EvidenceLeaf.leaf_hash)
        .where(EvidenceLeaf.leaf_index >= start, EvidenceLeaf.leaf_index < end)
        .order_by(EvidenceLeaf.leaf_index)
    )
    return [bytes.fromhex(h) for h in session.scalars(query)]


TREE = StoredTree(EvidenceNode.__table__, leaf_hashes)  # type: ignore[arg-type]


def size(session: Session) -> int:
    last = session.scalar(select(func.max(EvidenceLeaf.leaf_index)))
    return 0 if last is None else last + 1


def append(session: Session, transactions: list[Transaction]) -> None:
    """Append leaves (in the writer's transaction, which it locks the log for)."""
    if not transactions:
        return
    if session.get_bind().dialect.name == "postgresql":  # SQLite: the write lock is held
        session.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _LOCK})
    first = size(session)
    rows = []
    for offset, t in enumerate(transactions):
        data = canonical.dumps(t.record())
        rows.append({"leaf_index": first + offset, "transaction_id": t.transaction_id,
                     "agency": t.agency, "record": data.decode(),
                     "leaf_hash": merkle.leaf_hash(data).hex()})  # fmt: skip
    session.execute(insert(EvidenceLeaf), rows)
    TREE.extend(session, first + len(rows))


def tree_head(session: Session, signing: keys.SigningKeys) -> dict[str, Any]:
    """The signed tree head: size, time and root, signed with the registry's keys."""
    n = size(session)
    head = {"log": LOG, "tree_size": n, "timestamp": utc_text(clock.now()),
            "root_hash": _b64(TREE.root(session, n))}  # fmt: skip
    return {**head, "signature": tokens.sign(signing, {"v": VERSION, "sth": head})}


def receipt(
    session: Session, signing: keys.SigningKeys, agency: str, transaction_id: str
) -> dict[str, Any]:
    """An agency's receipt of one of its own transactions (another's is not found)."""
    leaf = session.scalar(
        select(EvidenceLeaf).where(
            EvidenceLeaf.transaction_id == transaction_id, EvidenceLeaf.agency == agency
        )
    )
    if leaf is None:
        raise NotFound("no_transaction", "تراکنشی با این شناسه برای این دستگاه نیست",
                       "this agency has no transaction with that id")  # fmt: skip
    head = tree_head(session, signing)
    proof = TREE.inclusion(session, leaf.leaf_index, head["tree_size"])
    return {"v": VERSION, "record": canonical.loads(leaf.record), "leaf_index": leaf.leaf_index,
            "audit_path": [_b64(p) for p in proof], "tree_head": head}  # fmt: skip


def check_receipt(
    receipt: Any, public: KeySet, request: Any = None, answer: Any = None
) -> list[str]:
    """What is wrong with a receipt (nothing: it holds): the head signed by the registry's
    keys, the leaf in the tree of that head, and (given) the request and answer hashed in
    it. Pure: no database, so an agency or a court checks it offline."""
    try:
        record, head = receipt["record"], receipt["tree_head"]
        signed = tokens.verify(public, head["signature"])
        unsigned = {k: v for k, v in head.items() if k != "signature"}
        leaf = merkle.leaf_hash(canonical.dumps(record))
        path = [base64.b64decode(p, validate=True) for p in receipt["audit_path"]]
        index, root = receipt["leaf_index"], base64.b64decode(head["root_hash"], validate=True)
    except tokens.InvalidToken:
        return ["the tree head's signature is not the registry's"]
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        return ["not a receipt of the evidence log"]
    problems = []
    if signed.get("sth") != unsigned or unsigned.get("log") != LOG:
        problems.append("the signature is not over this log's tree head")
    if not (isinstance(index, int) and isinstance(head.get("tree_size"), int)) or not (
        merkle.verify_inclusion(index, head["tree_size"], leaf, path, root)
    ):
        problems.append("the transaction is not in the signed tree")
    if request is not None and json_hash(request) != record.get("request_hash"):
        problems.append("the request is not the one recorded")
    if answer is not None and json_hash(answer) != record.get("response_hash"):
        problems.append("the answer is not the one recorded")
    return problems


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def consistency(session: Session, first: int, second: int) -> dict[str, Any]:
    n = size(session)
    if not 0 < first <= second <= n:
        raise BadInput("bad_tree_size", "اندازه‌های درخت نامعتبرند",
                       f"need 0 < first <= second <= the tree size {n}")  # fmt: skip
    proof = TREE.consistency(session, first, second)
    return {"first": first, "second": second, "consistency": [_b64(p) for p in proof]}
