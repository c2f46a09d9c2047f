"""Who an agency's request names, and what every answer carries: the person a national code
or a virtual ID stands for, the agency's own pseudonym for them, and the access-log rows
the answer may not leave without (exchange.journal)."""

import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from sabt.exchange import vids
from sabt.identity.claims import pairwise_sub
from sabt.kit.errors import BadInput
from sabt.registry.codes import parse_code


@dataclass(frozen=True)
class Named:
    """The national code a request names (None: a VID nobody holds), and for a VID whether
    it is still active."""

    national_code: str | None
    by_vid: bool = False
    active: bool = True

    @property
    def refused_vid(self) -> str | None:
        """Why a VID cannot stand for its holder, if it cannot."""
        if not self.by_vid:
            return None
        if self.national_code is None:
            return "unknown_vid"
        return None if self.active else "revoked_vid"


def named(session: Session, national_code: str | None, vid: str | None) -> Named:
    """The person a request names by exactly one of a national code and a VID; BadInput
    when neither or both, or one is malformed (anyone can compute a check digit)."""
    if (national_code is None) == (vid is None):
        raise BadInput("one_identifier", "یا کد ملی یا شناسهٔ مجازی (فقط یکی) لازم است",
                       "give exactly one of national_code and vid")  # fmt: skip
    if national_code is not None:
        return Named(parse_code(national_code))
    holder, active = vids.holder_of(session, vids.parse_vid(vid or ""))
    return Named(holder, by_vid=True, active=active)


def agency_token(key: bytes, agency: str, national_code: str) -> str:
    """The agency's own stable pseudonym for a person (like HODA's pairwise `sub`): two
    agencies get unrelated tokens for one person and cannot join their records on them."""
    return pairwise_sub(key, f"exchange:{agency}", national_code)


def transaction_id() -> str:
    return secrets.token_hex(16)


@dataclass
class Answered:
    """An answer and the access-log rows that must be committed before it leaves."""

    answer: dict[str, Any]
    accesses: list[dict[str, Any]] = field(default_factory=list)
