"""How registration's ledger entries change its case table (see registry.state)."""

from typing import Any

from sabt.registration.models import Case
from sabt.registry import state

KINDS = ("birth", "death", "correction", "death_revocation")
OPENED = ("birth.notified", "birth.filed", "death.notified", "correction.filed",
          "death_revocation.filed")  # fmt: skip
CHANGED = (
    *(f"{kind}.{step}" for kind in KINDS
      for step in ("queued", "registered", "rejected")),
    "case.assigned", "case.released", "case.endorsed",
)  # fmt: skip
TIMES = ("received_at", "event_at", "updated_at")


def _row(values: dict[str, Any]) -> dict[str, Any]:
    return {k: state.instant(v) if k in TIMES else v for k, v in values.items()}


def apply_opened(data: dict[str, Any]) -> state.Effects:
    return state.Effects(inserts=[("registration_case", _row(data["case"]))])


def apply_changed(data: dict[str, Any]) -> state.Effects:
    return state.Effects(updates=[("registration_case", {"id": data["case"]}, _row(data["set"]))])


def register() -> None:
    state.register_part(
        (Case.__table__,),  # type: ignore[arg-type]
        {**dict.fromkeys(OPENED, apply_opened), **dict.fromkeys(CHANGED, apply_changed)},
    )
