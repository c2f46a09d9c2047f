"""Virtual IDs (Aadhaar's model): a citizen makes a 16-digit VID in SAHIM and gives it to an
agency instead of the national code, and revokes or replaces it at will; one is active at a
time. A VID is random (nothing of the national code can be derived from it) and ends in a
Verhoeff check digit, which catches every single-digit error and every swap of adjacent
digits, so a mistyped VID is refused before the register is asked."""

import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum import verhoeff

from sabt.exchange.models import VirtualId
from sabt.identity.audit import now_utc
from sabt.kit.errors import BadInput
from sabt.persian.digits import to_ascii

LENGTH = 16


def new_vid() -> str:
    """15 random digits (the first not 0, so a VID never reads as a shorter number) and
    their Verhoeff check digit."""
    body = str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(14))
    return body + verhoeff.calc_check_digit(body)


def parse_vid(raw: str) -> str:
    """A VID as typed (any digits, spaces or dashes between groups), or BadInput."""
    vid = to_ascii(raw).replace(" ", "").replace("-", "")
    if len(vid) != LENGTH or not vid.isdigit() or vid[0] == "0" or not verhoeff.is_valid(vid):
        raise BadInput(
            "bad_vid",
            "شناسهٔ مجازی نامعتبر است: ۱۶ رقم با رقم کنترل درست",
            "invalid virtual ID: 16 digits with a valid check digit",
        )
    return vid


def active_vid(session: Session, national_code: str) -> VirtualId | None:
    return session.scalar(
        select(VirtualId).where(
            VirtualId.national_code == national_code, VirtualId.revoked_at.is_(None)
        )
    )


def make_vid(session: Session, national_code: str) -> str:
    """A new VID for the citizen; the one active before is revoked."""
    revoke(session, national_code)
    while True:
        vid = new_vid()
        try:
            with session.begin_nested():
                session.add(VirtualId(vid=vid, national_code=national_code,
                                      created_at=now_utc(), revoked_at=None))  # fmt: skip
            return vid
        except IntegrityError:  # 10^15 of them: a collision is astronomically rare
            continue


def revoke(session: Session, national_code: str) -> bool:
    """Revoke the citizen's active VID; whether there was one."""
    done = session.execute(
        update(VirtualId)
        .where(VirtualId.national_code == national_code, VirtualId.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def holder_of(session: Session, vid: str) -> tuple[str | None, bool]:
    """The national code a VID stands for and whether it is still active (a revoked VID
    still names its holder, for the holder's access log)."""
    found = session.get(VirtualId, vid)
    if found is None:
        return None, False
    return found.national_code, found.revoked_at is None
