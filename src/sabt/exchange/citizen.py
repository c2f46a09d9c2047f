"""What a citizen sees of the exchange and decides about it in SAHIM: each agency, what it
is granted and why, how often it named them and when last; the eKYC lock (every agency or
one); an SMS on every access; the virtual ID. Every function takes the citizen's own
national code (from their session), never one from a page."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.exchange import notices, vids
from sabt.exchange.ekyc import ALL_AGENCIES
from sabt.exchange.models import Agency, EkycLock, Grant, VirtualId
from sabt.exchange.service import ATTRIBUTES, SERVICES
from sabt.identity import access_log
from sabt.identity.audit import now_utc
from sabt.kit.errors import BadInput, NotFound


@dataclass(frozen=True)
class AgencyView:
    code: str
    name_fa: str
    services: list[str]  # as citizens are shown them
    attributes: list[str]
    legal_basis: str
    accesses: int
    last_access: datetime | None
    locked: bool


@dataclass(frozen=True)
class ExchangeView:
    agencies: list[AgencyView]
    locked_all: bool
    notices: bool
    vid: VirtualId | None


def view(session: Session, national_code: str) -> ExchangeView:
    locks = set(session.scalars(select(EkycLock.agency)
                                .where(EkycLock.national_code == national_code)))  # fmt: skip
    used = access_log.reads_by_actor(session, national_code, "client:agency-")
    grants: dict[str, list[Grant]] = {}
    for grant in session.scalars(select(Grant).order_by(Grant.agency, Grant.kind, Grant.name)):
        grants.setdefault(grant.agency, []).append(grant)
    agencies = []
    for agency in session.scalars(select(Agency).order_by(Agency.name_fa)):
        count, last = used.get(f"client:{agency.client_id}", (0, None))
        mine = grants.get(agency.code, [])
        agencies.append(AgencyView(
            agency.code, agency.name_fa,
            [SERVICES[g.name] for g in mine if g.kind == "service" and g.name in SERVICES],
            [ATTRIBUTES[g.name] for g in mine if g.kind == "attribute" and g.name in ATTRIBUTES],
            agency.legal_basis or "", count, last, agency.code in locks,
        ))  # fmt: skip
    agencies.sort(key=lambda a: (-a.accesses, a.name_fa))
    return ExchangeView(agencies, ALL_AGENCIES in locks,
                        notices.subscribed(session, national_code),
                        vids.active_vid(session, national_code))  # fmt: skip


def set_lock(session: Session, national_code: str, agency: str, locked: bool) -> None:
    """Lock or unlock eKYC for one agency, or for all (`agency` '*')."""
    if agency != ALL_AGENCIES and session.get(Agency, agency) is None:
        raise NotFound("no_agency", "چنین دستگاهی نیست", "no such agency")
    found = session.get(EkycLock, (national_code, agency))
    if locked and found is None:
        session.add(EkycLock(national_code=national_code, agency=agency, locked_at=now_utc()))
    elif not locked and found is not None:
        session.delete(found)


def set_notices(session: Session, national_code: str, on: bool) -> None:
    notices.subscribe(session, national_code, on, now_utc())


def vid_action(session: Session, national_code: str, action: str) -> str | None:
    """`make` (a new VID, the active one revoked) or `revoke`; the new VID, if one."""
    if action == "make":
        return vids.make_vid(session, national_code)
    if action == "revoke":
        vids.revoke(session, national_code)
        return None
    raise BadInput("bad_action", "درخواست نامعتبر است", "action must be make or revoke")
