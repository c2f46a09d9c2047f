"""How the estates part's ledger entries change its tables (see registry.state)."""

from typing import Any

from sabt.estates.models import Estate, Notice, Objection
from sabt.registry import state

TIMES = ("death_registered_at", "opened_at", "updated_at", "filed_at", "created_at", "sent_at")
DAYS = ("objection_until", "appeal_until")


def _row(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in values.items():
        out[k] = state.instant(v) if k in TIMES else state.day(v) if k in DAYS else v
    return out


def _notices(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The SMS notices an entry owes (sent later by the worker)."""
    return [("estate_notice", _row(n)) for n in data.get("notices", [])]


def apply_settled(data: dict[str, Any]) -> state.Effects:
    """An estate opened by the worker (issued or queued), with the notices it owes."""
    return state.Effects(inserts=[("estate", _row(data["estate"])), *_notices(data)])


def apply_changed(data: dict[str, Any]) -> state.Effects:
    """A later step of an estate (declared facts, reissued, queued), with its notices."""
    update = ("estate", {"deceased": data["deceased"]}, _row(data["set"]))
    return state.Effects(inserts=_notices(data), updates=[update])


def apply_objection_filed(data: dict[str, Any]) -> state.Effects:
    return state.Effects(inserts=[("estate_objection", _row(data["objection"]))])


def apply_objection_changed(data: dict[str, Any]) -> state.Effects:
    """A decision on an objection, with the notice to the objector."""
    update = ("estate_objection", {"id": data["objection"]}, _row(data["set"]))
    return state.Effects(inserts=_notices(data), updates=[update])


def apply_notice_sent(data: dict[str, Any]) -> state.Effects:
    update = ("estate_notice", {"id": data["notice"]}, _row({"sent_at": data["sent_at"]}))
    return state.Effects(updates=[update])


CHANGED = ("estate.declared", "estate.reissued", "estate.queued", "estate.issued",
           "estate.revoked", "estate.reopened")  # fmt: skip


def register() -> None:
    state.register_part(
        (Estate.__table__, Objection.__table__, Notice.__table__),  # type: ignore[arg-type]
        {
            "estate.settled": apply_settled,
            **dict.fromkeys(CHANGED, apply_changed),
            "objection.filed": apply_objection_filed,
            "objection.decided": apply_objection_changed,
            "objection.closed": apply_objection_changed,
            "notice.sent": apply_notice_sent,
        },
    )
