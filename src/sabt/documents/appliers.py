"""How the documents part's ledger entries change its tables (see registry.state)."""

from typing import Any

from sabt.documents.models import Document, TransparencyLeaf
from sabt.registry import state

TIMES = ("issued_at", "ended_at")


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {k: state.instant(v) if k in TIMES else v for k, v in values.items()}


def apply_issued(data: dict[str, Any]) -> state.Effects:
    return state.Effects(
        inserts=[("document", _row(data["document"])), ("transparency_leaf", data["leaf"])]
    )


def apply_ended(data: dict[str, Any]) -> state.Effects:
    return state.Effects(
        inserts=[("transparency_leaf", data["leaf"])],
        updates=[("document", {"number": data["number"]}, _row(data["set"]))],
    )


def register() -> None:
    state.register_part(
        (Document.__table__, TransparencyLeaf.__table__),  # type: ignore[arg-type]
        {"document.issued": apply_issued, "document.revoked": apply_ended},
    )
