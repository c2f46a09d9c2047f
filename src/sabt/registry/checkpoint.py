"""Signed checkpoints of the ledger head, to publish.

A checkpoint is the canonical JSON {"seq", "hash", "time", "kid"} and an Ed25519 signature
over those bytes. Anyone holding earlier checkpoints can detect even a wholesale rewrite of
the chain: the entry at a checkpoint's seq must still have the checkpoint's hash.
The key is created in `SABT_HOME/keys/` on first use.
"""

import base64
import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from sabt.kit import canonical, clock
from sabt.registry import ledger
from sabt.registry.models import LedgerCheckpoint, LedgerEntry

KEY_FILE = "ledger-checkpoint-ed25519.pem"


def load_or_create_key(home: Path) -> Ed25519PrivateKey:
    keys = home / "keys"
    path = keys / KEY_FILE
    if not path.exists():
        keys.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return loaded


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make(conn: Connection, key: Ed25519PrivateKey) -> dict[str, Any]:
    """A signed statement of the current head."""
    head = ledger.current_head(conn)
    public = key.public_key()
    statement = {
        "seq": head.seq,
        "hash": head.hash,
        "time": ledger.utc_text(clock.now()),
        "kid": key_id(public),
    }
    signature = key.sign(canonical.dumps(statement))
    raw_public = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {**statement, "signature": _b64(signature), "public_key": _b64(raw_public)}


def check(
    conn: Connection, checkpoint: dict[str, Any], trusted_public_key: bytes | None = None
) -> str | None:
    """None when the checkpoint is validly signed and the ledger still agrees with it;
    otherwise what is wrong."""
    statement = {k: checkpoint.get(k) for k in ("seq", "hash", "time", "kid")}
    public_raw = trusted_public_key or _unb64(str(checkpoint.get("public_key", "")))
    try:
        public = Ed25519PublicKey.from_public_bytes(public_raw)
        public.verify(_unb64(str(checkpoint.get("signature", ""))), canonical.dumps(statement))
    except (InvalidSignature, ValueError):
        return "the checkpoint's signature is not valid"
    stored = conn.execute(
        select(LedgerEntry.hash).where(LedgerEntry.seq == statement["seq"])
    ).scalar()
    if statement["seq"] == 0:
        return None
    if stored is None:
        return f"entry {statement['seq']} of the checkpoint is no longer in the ledger"
    if stored != statement["hash"]:
        return (
            f"entry {statement['seq']} has hash {stored}, the checkpoint says {statement['hash']}"
        )
    return None


# --- publication: kept for good, served newest first, checked against ---------------------

EVERY = timedelta(days=1)  # the worker signs one a day; `sabt ledger checkpoint` on demand
FIELDS = ("seq", "hash", "time", "kid", "signature", "public_key")


def publish(session: Session, key: Ed25519PrivateKey) -> dict[str, Any]:
    """Sign the current head and keep the checkpoint among the published ones."""
    signed = make(session.connection(), key)
    session.add(LedgerCheckpoint(**signed))
    return signed


def publish_if_due(session: Session, key: Ed25519PrivateKey) -> dict[str, Any] | None:
    """The worker's daily checkpoint: signed when the newest is a day old (or none is)."""
    newest = session.scalar(select(func.max(LedgerCheckpoint.time)))
    if newest is not None and _instant(newest) > clock.now() - EVERY:
        return None
    return publish(session, key)


def published(conn: Connection, limit: int, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The published checkpoints, newest first, and how many there are."""
    total = conn.execute(select(func.count()).select_from(LedgerCheckpoint)).scalar() or 0
    rows = conn.execute(
        select(*(getattr(LedgerCheckpoint, f) for f in FIELDS))
        .order_by(LedgerCheckpoint.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [dict(row._mapping) for row in rows]


def check_against(conn: Connection, checkpoints: list[Any]) -> tuple[int, str | None]:
    """Check the ledger against every checkpoint it covers (seq up to its head): how many
    were checked, and the first contradiction (a bad signature or a different hash)."""
    head = ledger.current_head(conn)
    checked = 0
    for statement in checkpoints:
        if not isinstance(statement, dict) or not isinstance(statement.get("seq"), int):
            return checked, "a published checkpoint is not a checkpoint object"
        if statement["seq"] > head.seq:
            continue  # published after this copy of the register was taken
        problem = check(conn, statement)
        if problem:
            return checked, f"checkpoint of {statement.get('time')}: {problem}"
        checked += 1
    return checked, None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
