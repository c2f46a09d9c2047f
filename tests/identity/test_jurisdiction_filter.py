"""One jurisdiction rule: `Jurisdiction.where`, the filter every listing uses (the queue,
the estates' queue, the dispute board's objections), selects exactly the rows `covers`
lets a caller open, for every level and every shape of place (an office's, a county's
without an office, a province's only, a consulate's with none), on SQLite and PostgreSQL.
A listing that filtered its own way drifted: an office-level caller was shown estates it
could not open."""

from itertools import product
from typing import Any

from sqlalchemy import Engine, Integer, MetaData, String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sabt.identity.roles import Jurisdiction, Place

OFFICES = (None, "CR-1", "CR-2", "CONS-1")
COUNTIES = (None, "0101", "0102", "1001")
PROVINCES = (None, "IR-23", "IR-10")


class _Base(DeclarativeBase):
    metadata = MetaData()


class Row(_Base):
    __tablename__ = "jurisdiction_probe"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str | None] = mapped_column(String(16))
    county: Mapped[str | None] = mapped_column(String(4))
    province: Mapped[str | None] = mapped_column(String(5))


def _jurisdictions() -> list[Jurisdiction]:
    out = [Jurisdiction("nation")]
    for office, county, province in product(OFFICES, COUNTIES, PROVINCES):
        for level in ("office", "consulate", "county", "province"):
            out.append(Jurisdiction(level, office, county, province))  # type: ignore[arg-type]
    return out


def test_the_filter_selects_exactly_what_covers_allows(engine: Engine) -> None:
    places = [Place(*p) for p in product(OFFICES, COUNTIES, PROVINCES)]
    _Base.metadata.create_all(engine)
    with Session(engine) as session, session.begin():
        rows: list[dict[str, Any]] = [
            {"id": i, "office": p.office, "county": p.county, "province": p.province}
            for i, p in enumerate(places)
        ]
        session.execute(insert(Row), rows)
    checked = 0
    with Session(engine) as session:
        for j in _jurisdictions():
            listed = set(session.scalars(select(Row.id).where(j.where(Row.office, Row.county,
                                                                       Row.province))))  # fmt: skip
            assert listed == {i for i, p in enumerate(places) if j.covers(p)}, j
            checked += 1
        # a table without an office column (estates, objections): what office-level callers
        # are shown is what they may open, nothing
        for j in _jurisdictions():
            listed = set(session.scalars(select(Row.id).where(j.where(None, Row.county,
                                                                       Row.province))))  # fmt: skip
            allowed = {i for i, p in enumerate(places)
                       if j.covers(Place(None, p.county, p.province))}  # fmt: skip
            assert listed == allowed, j
    assert checked == 1 + len(OFFICES) * len(COUNTIES) * len(PROVINCES) * 4
    _Base.metadata.drop_all(engine)
