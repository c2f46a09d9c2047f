"""Agencies and their grants: who may call which service and receive which attribute, each
with its legal basis. Deny by default: a service or an attribute without a grant is refused
or left out."""

import re
import time
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.exchange.models import Agency, Grant
from sabt.identity import agencies as agency_clients
from sabt.identity import provider
from sabt.identity.audit import audit, now_utc
from sabt.identity.service import Caller, Forbidden
from sabt.kit.errors import BadInput, Conflict

# The services an agency may be granted, as citizens are shown them.
SERVICES = {
    "verify": "احراز هویت (بله یا خیر)",
    "ekyc": "دریافت مشخصات هویتی با رضایت شما (eKYC)",
    "ekyc-by-law": "دریافت مشخصات هویتی به حکم قانون، با شمارهٔ پرونده",
    "life-status": "استعلام وضعیت حیات",
}
# The attributes eKYC may release, as citizens are shown them.
ATTRIBUTES = {
    "national_code": "کد ملی", "first_name": "نام", "last_name": "نام خانوادگی",
    "father_name": "نام پدر", "birth_date": "تاریخ تولد", "sex": "جنسیت",
    "birth_place": "محل تولد", "residence_county": "شهرستان محل سکونت",
    "life_status": "وضعیت حیات",
}  # fmt: skip
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
MAX_PER_SECOND = 100_000
MAX_PER_DAY = 1_000_000_000


@dataclass(frozen=True)
class NewAgency:
    code: str
    client_id: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "client_id": self.client_id}


def add_agency(
    session: Session, *, code: str, name_fa: str, jwks: str, services: list[str],
    attributes: list[str], legal_basis: str, per_second: int, per_day: int, actor: str,
    relying_party: str | None = None,
) -> NewAgency:  # fmt: skip
    """A new agency, its keys-only client and its grants (all under one legal basis); with
    its HODA relying party, whose tokens are citizens' consents to its eKYC."""
    code, name_fa, basis = _checked_agency(session, code, name_fa, legal_basis)
    sector = _sector_of(session, relying_party) if relying_party else None
    _check_names(services, SERVICES, "service", "خدمت")
    _check_names(attributes, ATTRIBUTES, "attribute", "ویژگی")
    if not services:
        raise BadInput("no_services", "دست‌کم یک خدمت لازم است", "grant at least one service")
    _check_rates(per_second, per_day)
    client_id = agency_clients.add_client(session, code, name_fa, jwks, actor)
    now = now_utc()
    session.add(Agency(code=code, name_fa=name_fa, client_id=client_id, legal_basis=basis,
                       per_second=per_second, per_day=per_day, created_at=now,
                       hoda_sector=sector))  # fmt: skip
    session.flush()
    for kind, names in (("service", services), ("attribute", attributes)):
        for name in dict.fromkeys(names):
            session.add(Grant(agency=code, kind=kind, name=name, legal_basis=basis,
                              granted_at=now, granted_by=actor))  # fmt: skip
    audit(session, actor, "agency.added", code, client_id=client_id, services=services,
          attributes=attributes, legal_basis=basis, per_second=per_second,
          per_day=per_day, hoda_sector=sector)  # fmt: skip
    return NewAgency(code, client_id)


def _sector_of(session: Session, relying_party: str) -> str:
    client = provider.relying_party(session, relying_party)
    if client is None or client.sector is None:
        raise BadInput("no_relying_party", f"طرف اتکای هدا با این شناسه نیست: {relying_party}",
                       f"no HODA relying party {relying_party}")  # fmt: skip
    return client.sector


@dataclass(frozen=True)
class Calling:
    """An agency as its calls need it: kept in the process for `CACHE_SECONDS`, so a call
    reads no agency or grant row (a grant changed takes that long to apply)."""

    code: str
    name_fa: str
    client_id: str
    per_second: int
    per_day: int
    hoda_sector: str | None
    services: frozenset[str]
    attributes: frozenset[str]


CACHE_SECONDS = 5.0
_calling: dict[str, tuple[float, Calling]] = {}


def agency_of(session: Session, caller: Caller) -> Calling:
    """The agency calling, or Forbidden: the exchange answers agencies only."""
    if caller.kind == "client":
        kept = _calling.get(caller.name)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
    agency = (
        session.scalar(select(Agency).where(Agency.client_id == caller.name))
        if caller.kind == "client"
        else None
    )
    if agency is None:
        raise Forbidden("not_an_agency", "این خدمت فقط برای دستگاه‌های طرف تبادل است",
                        "the exchange's services are for agencies")  # fmt: skip
    calling = calling_of(session, agency)
    _calling[caller.name] = (time.monotonic() + CACHE_SECONDS, calling)
    return calling


def calling_of(session: Session, agency: Agency) -> Calling:
    grants = session.execute(select(Grant.kind, Grant.name).where(Grant.agency == agency.code))
    by_kind: dict[str, set[str]] = {"service": set(), "attribute": set()}
    for kind, name in grants:
        by_kind[kind].add(name)
    return Calling(agency.code, agency.name_fa, agency.client_id, agency.per_second,
                   agency.per_day, agency.hoda_sector, frozenset(by_kind["service"]),
                   frozenset(by_kind["attribute"]))  # fmt: skip


def require_service(agency: Calling, service: str) -> None:
    if service not in agency.services:
        raise Forbidden(
            "service_not_granted",
            f"خدمت «{SERVICES[service]}» برای این دستگاه مجاز نشده است",
            f"the agency is not granted the {service} service",
        )


def _checked_agency(
    session: Session, code: str, name_fa: str, legal_basis: str
) -> tuple[str, str, str]:
    code = code.strip()
    if not _CODE.match(code):
        raise BadInput(
            "bad_agency_code",
            "شناسهٔ دستگاه باید ۲ تا ۴۰ حرف کوچک لاتین، رقم یا خط تیره باشد (مثلاً bank-melli)",
            "the agency code must be 2-40 lowercase letters, digits or dashes (e.g. bank-melli)",
        )
    if session.get(Agency, code) is not None:
        raise Conflict("agency_exists", f"دستگاه {code} پیش‌تر افزوده شده است",
                       f"agency {code} exists already")  # fmt: skip
    name_fa = " ".join(name_fa.split())
    if not 2 <= len(name_fa) <= 200:
        raise BadInput("bad_agency_name", "نام دستگاه باید ۲ تا ۲۰۰ نویسه باشد",
                       "the agency's name must be 2-200 characters")  # fmt: skip
    basis = " ".join(legal_basis.split())
    if not 5 <= len(basis) <= 1000:
        raise BadInput("no_legal_basis", "مبنای قانونی دسترسی (۵ تا ۱۰۰۰ نویسه) لازم است",
                       "each grant needs its legal basis (5-1000 characters)")  # fmt: skip
    return code, name_fa, basis


def _check_names(names: list[str], known: dict[str, str], what: str, what_fa: str) -> None:
    unknown = [n for n in names if n not in known]
    if unknown:
        raise BadInput(
            f"unknown_{what}",
            f"{what_fa} ناشناخته: {', '.join(unknown)}",
            f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})",
        )


def _check_rates(per_second: int, per_day: int) -> None:
    if not (1 <= per_second <= MAX_PER_SECOND and 1 <= per_day <= MAX_PER_DAY):
        raise BadInput(
            "bad_rate_limit",
            "سقف درخواست‌ها نامعتبر است",
            f"per_second must be 1-{MAX_PER_SECOND} and per_day 1-{MAX_PER_DAY}",
        )
