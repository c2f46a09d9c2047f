"""The observatory's queries: DuckDB over the snapshot's Parquet files, each returning a small
table of counts (a "cube") for `formulas` to turn into indicators. No row of the register
passes through Python.

Ages are completed Jalali years (a birthday is reached on its Jalali anniversary, as
`persian.jalali.age_on`); exact ages for the means are days / 365.2425.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import duckdb

from sabt.observatory.cells import (
    AGE_GROUP_CAP,
    Area,
    BirthCell,
    DeathCell,
    DivorceCell,
    MarriageCell,
    PopulationCell,
)
from sabt.observatory.snapshot import FILES, Snapshot
from sabt.persian.jalali import jalali_parts


def _where(area: Area, county: str, province: str) -> str:
    """The area's predicate over the given columns (the value is always a parameter)."""
    if area.level == "nation":
        return "TRUE"
    return f"{county if area.level == 'county' else province} = $area"


@contextmanager
def connect(snapshot: Snapshot) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with the snapshot's files as views."""
    db = duckdb.connect()
    try:
        for name in FILES:
            db.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{snapshot.path(name)}')")
        yield db
    finally:
        db.close()


def _rows(db: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[Any]:
    return db.execute(sql, params).fetchall()


def _params(area: Area, **values: Any) -> dict[str, Any]:
    return values | ({"area": area.code} if area.level != "nation" else {})


def births(db: duckdb.DuckDBPyConnection, first: date, last: date, area: Area) -> list[BirthCell]:
    """Live births of the period, placed where the mother lives (the child's own county when
    no mother is recorded)."""
    where = _where(area, "coalesce(mother_county, county)", "coalesce(mother_province, province)")
    sql = f"""
      SELECT sex, birth_jm,
             birth_jy - mother_jy - (birth_jmd < mother_jmd)::INT AS mother_age,
             coalesce(birth_order = 1, FALSE),
             CASE WHEN birth_registered IS NOT NULL AND birth_deadline IS NOT NULL
                  THEN birth_registered <= birth_deadline END AS on_time,
             count(*), coalesce(sum(birth_date - mother_birth_date), 0)
      FROM person
      WHERE birth_date BETWEEN $first AND $last AND {where}
      GROUP BY ALL"""
    return [BirthCell(*r) for r in _rows(db, sql, _params(area, first=first, last=last))]


def deaths(db: duckdb.DuckDBPyConnection, first: date, last: date, area: Area) -> list[DeathCell]:
    """Deaths of the period, placed where the deceased lived."""
    sql = f"""
      SELECT sex, death_jm, death_jy - birth_jy - (death_jmd < birth_jmd)::INT AS age,
             CASE WHEN death_registered IS NOT NULL AND death_deadline IS NOT NULL
                  THEN death_registered <= death_deadline END AS on_time,
             count(*)
      FROM person
      WHERE death_date BETWEEN $first AND $last AND {_where(area, "county", "province")}
      GROUP BY ALL"""
    return [DeathCell(*r) for r in _rows(db, sql, _params(area, first=first, last=last))]


def population(db: duckdb.DuckDBPyConnection, day: date, area: Area) -> list[PopulationCell]:
    """The living on `day` (born on or before it, not dead by it) by sex and 5-year group."""
    year, month, dom = jalali_parts(day)
    sql = f"""
      SELECT sex, least(($jy - birth_jy - ($jmd < birth_jmd)::INT) // 5, {AGE_GROUP_CAP}) AS grp,
             count(*)
      FROM person
      WHERE birth_date <= $day AND (death_date IS NULL OR death_date > $day)
        AND {_where(area, "county", "province")}
      GROUP BY ALL"""
    params = _params(area, day=day, jy=year, jmd=month * 100 + dom)
    return [PopulationCell(*r) for r in _rows(db, sql, params)]


def marriages(
    db: duckdb.DuckDBPyConnection, first: date, last: date, area: Area
) -> list[MarriageCell]:
    """Marriages registered in the period, with whether each spouse lives in the area."""
    wife_in = _where(area, "wife_county", "wife_province")
    husband_in = _where(area, "husband_county", "husband_province")
    sql = f"""
      SELECT kind, jm, {wife_in} AS wife_in, {husband_in} AS husband_in,
             husband_first, wife_first, count(*),
             coalesce(sum(registered - husband_birth), 0),
             coalesce(sum(registered - wife_birth), 0)
      FROM marriage
      WHERE registered BETWEEN $first AND $last AND ({wife_in} OR {husband_in})
      GROUP BY ALL"""
    return [MarriageCell(*r) for r in _rows(db, sql, _params(area, first=first, last=last))]


def divorces(
    db: duckdb.DuckDBPyConnection, first: date, last: date, area: Area
) -> list[DivorceCell]:
    """Divorces registered in the period, placed where the wife lives."""
    sql = f"""
      SELECT jm, count(*) FROM divorce
      WHERE day BETWEEN $first AND $last AND {_where(area, "wife_county", "wife_province")}
      GROUP BY ALL"""
    return [DivorceCell(*r) for r in _rows(db, sql, _params(area, first=first, last=last))]
