"""Scopes, organisation kinds, staff roles and jurisdictions. Pure: no I/O (a jurisdiction
gives a query filter, it runs none).

Deny by default: a caller may do exactly what its scopes name, and staff only inside their
jurisdiction (the office, county, province or consulate of their own office, or the nation).
"""

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, false, true
from sqlalchemy.orm import QueryableAttribute

# What each scope allows; every endpoint names the one it needs.
SCOPES: dict[str, str] = {
    "births:notify": "a hospital or consulate reports births",
    "deaths:notify": "a hospital, physician, forensic medicine or consulate reports deaths",
    "marriages:register": "a marriage notary office registers marriages",
    "divorces:register": "a divorce notary office registers divorces",
    "births:declare": "a parent declares their newborn (citizen)",
    "persons:read": "staff read a person's record (logged with a purpose)",
    "queue:read": "staff see the registrar queue of their jurisdiction",
    "queue:act": "staff take, release and decide queue items of their jurisdiction",
    "corrections:file": "staff file a correction of a record",
    "births:file": "staff file a late birth registration that no hospital notified",
    "corrections:approve": "senior staff approve or reject corrections and late registrations",
    "documents:issue": "staff issue signed documents",
    "documents:revoke": "senior staff revoke a document with a reason",
    "identity:admin": "add organisations' clients and staff accounts",
    "estates:decide": "the dispute board decides objections to inheritance certificates",
}

# Organisation kinds: the office kind they must belong to, and the scopes they get.
CLIENT_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "hospital": ("hospital", frozenset({"births:notify", "deaths:notify"})),
    "marriage_notary": ("marriage_notary", frozenset({"marriages:register"})),
    "divorce_notary": ("divorce_notary", frozenset({"divorces:register"})),
    "consulate": (
        "consulate",
        frozenset({"births:notify", "deaths:notify", "marriages:register", "divorces:register"}),
    ),
    "forensic_medicine": ("forensic_medicine", frozenset({"deaths:notify"})),
}

CLIENT_KIND_FA: dict[str, str] = {
    "hospital": "بیمارستان", "marriage_notary": "دفتر ثبت ازدواج",
    "divorce_notary": "دفتر ثبت طلاق", "consulate": "کنسولگری",
    "forensic_medicine": "پزشکی قانونی",
}  # fmt: skip

Level = Literal["office", "consulate", "county", "province", "nation"]


@dataclass(frozen=True)
class Role:
    name: str
    name_fa: str
    scopes: frozenset[str]
    level: Level


_REGISTRAR = frozenset(
    {"persons:read", "queue:read", "queue:act", "corrections:file", "births:file",
     "documents:issue"}
)  # fmt: skip
_SENIOR = _REGISTRAR | {"corrections:approve", "documents:revoke"}

ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role("registrar", "کارشناس ثبت احوال", _REGISTRAR, "county"),
        Role("senior_registrar", "کارشناس ارشد ثبت احوال", _SENIOR, "county"),
        Role("provincial_supervisor", "ناظر استانی", _SENIOR, "province"),
        # هیأت حل اختلاف ثبت احوال: objections of its province (bylaw of Art. 113(ث)); the
        # national administration reviews its decisions (the second level).
        Role(
            "dispute_board",
            "عضو هیأت حل اختلاف ثبت احوال",
            frozenset({"persons:read", "corrections:file", "estates:decide"}),
            "province",
        ),
        Role(
            "national_admin", "مدیر ملی", _SENIOR | {"identity:admin", "estates:decide"}, "nation"
        ),
    )
}

CITIZEN_SCOPES = frozenset({"births:declare", "account:self"})


@dataclass(frozen=True)
class Place:
    """Where a piece of work belongs: an office, its county and province."""

    office: str | None
    county: str | None
    province: str | None


@dataclass(frozen=True)
class Jurisdiction:
    level: Level
    office: str | None = None
    county: str | None = None
    province: str | None = None

    def covers(self, place: Place) -> bool:
        match self.level:
            case "nation":
                return True
            case "province":
                return place.province is not None and place.province == self.province
            case "county":
                return place.county is not None and place.county == self.county
            case _:  # office or consulate: that office only
                return place.office is not None and place.office == self.office

    def where(
        self,
        office: QueryableAttribute[Any] | None = None,
        county: QueryableAttribute[Any] | None = None,
        province: QueryableAttribute[Any] | None = None,
    ) -> ColumnElement[bool]:
        """The SQL form of `covers`, over a table's office, county and province columns: every
        listing filters with this, so a list never shows what `covers` would refuse to open.
        A table without the column a level needs holds nothing that level covers."""
        match self.level:
            case "nation":
                return true()
            case "province":
                column, value = province, self.province
            case "county":
                column, value = county, self.county
            case _:
                column, value = office, self.office
        if column is None or value is None:
            return false()
        return column == value


def jurisdiction_of(
    role: Role, office: str, office_kind: str, county: str | None, province: str | None
) -> Jurisdiction:
    """A staff member's jurisdiction: their role's level around their own office; staff of a
    consulate act for that consulate only (it has no county)."""
    if office_kind == "consulate" and role.level != "nation":
        return Jurisdiction("consulate", office=office)
    return Jurisdiction(role.level, office=office, county=county, province=province)
