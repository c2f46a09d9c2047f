"""The observatory's snapshot of the register: three Parquet files that hold no names and no
national codes, only what vital statistics need, one row per person, marriage or divorce.

The database's rows are copied out as CSV (PostgreSQL's COPY, or the SQLite cursor), and
DuckDB does the rest: Tehran civil dates of the registration instants, each event's Jalali
year and month (a join with `days`), the mother's age and county beside each birth, birth
order, first marriages. DuckDB's own PostgreSQL and SQLite readers download themselves at
first use, which this platform cannot count on, hence the CSV.

A snapshot is named by the ledger's head: any change to the register is a ledger entry, so
a snapshot whose head is still the ledger's is current, and is reused.
"""

import csv
import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine, func, select

from sabt.kit import clock
from sabt.observatory import days
from sabt.persian.jalali import jalali_parts
from sabt.registry import ledger
from sabt.registry.models import Person

FILES = ("person", "marriage", "divorce")

_PERSON_SQL = (
    "SELECT national_code, sex, birth_date, birth_registered_at, residence_county, death_date,"
    " death_registered_at, mother_code FROM person"
)
_PERSON_COLUMNS = {
    "code": "VARCHAR", "sex": "VARCHAR", "birth_date": "DATE", "birth_registered_at": "TIMESTAMP",
    "county": "VARCHAR", "death_date": "DATE", "death_registered_at": "TIMESTAMP",
    "mother_code": "VARCHAR",
}  # fmt: skip
_MARRIAGE_SQL = (
    "SELECT id, husband_code, wife_code, kind, registered_at, ended_at, end_reason FROM marriage"
)
_MARRIAGE_COLUMNS = {
    "id": "BIGINT", "husband_code": "VARCHAR", "wife_code": "VARCHAR", "kind": "VARCHAR",
    "registered_at": "TIMESTAMP", "ended_at": "TIMESTAMP", "end_reason": "VARCHAR",
}  # fmt: skip
_RETURN_SQL = "SELECT marriage_id, divorced_at FROM marriage_return"
_RETURN_COLUMNS = {"marriage_id": "BIGINT", "divorced_at": "TIMESTAMP"}

# Registration instants are stored in UTC; the legal periods run on Tehran's civil days.
_MACROS = """
CREATE MACRO tehran_day(ts) AS CAST((ts AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Tehran' AS DATE);
CREATE MACRO province_of(county) AS 'IR-' || substr(county, 1, 2);
"""

# Birth order counts deliveries: twins are both their mother's first (or second...) birth.
_PERSON_BUILD = """
COPY (
  WITH p AS (
    SELECT code, sex, birth_date, tehran_day(birth_registered_at) AS birth_registered, county,
           death_date, tehran_day(death_registered_at) AS death_registered, mother_code,
           CASE WHEN mother_code IS NOT NULL
                THEN dense_rank() OVER (PARTITION BY mother_code ORDER BY birth_date) END
             AS birth_order
    FROM raw_person)
  SELECT p.sex, p.birth_date, b.jy AS birth_jy, b.jm AS birth_jm, b.jmd AS birth_jmd,
         p.birth_registered, b.birth_deadline, p.county, province_of(p.county) AS province,
         p.death_date, d.jy AS death_jy, d.jm AS death_jm, d.jmd AS death_jmd,
         p.death_registered, d.death_deadline,
         m.birth_date AS mother_birth_date, mb.jy AS mother_jy, mb.jmd AS mother_jmd,
         m.county AS mother_county, province_of(m.county) AS mother_province,
         p.birth_order::SMALLINT AS birth_order
  FROM p
  JOIN days b ON b.day = p.birth_date
  LEFT JOIN days d ON d.day = p.death_date
  LEFT JOIN p m ON m.code = p.mother_code
  LEFT JOIN days mb ON mb.day = m.birth_date
  ORDER BY p.birth_date
) TO '{out}' (FORMAT parquet)
"""

# A person's first marriage is their earliest permanent one in the register.
_MARRIAGE_BUILD = """
COPY (
  WITH m AS (
    SELECT kind, tehran_day(registered_at) AS registered, husband_code, wife_code,
           kind = 'permanent' AND row_number() OVER (
             PARTITION BY husband_code, kind ORDER BY registered_at, id) = 1 AS husband_first,
           kind = 'permanent' AND row_number() OVER (
             PARTITION BY wife_code, kind ORDER BY registered_at, id) = 1 AS wife_first
    FROM raw_marriage)
  SELECT m.kind, m.registered, r.jy, r.jm, m.husband_first, m.wife_first,
         h.birth_date AS husband_birth, h.county AS husband_county,
         province_of(h.county) AS husband_province,
         w.birth_date AS wife_birth, w.county AS wife_county,
         province_of(w.county) AS wife_province
  FROM m
  JOIN days r ON r.day = m.registered
  JOIN raw_person h ON h.code = m.husband_code
  JOIN raw_person w ON w.code = m.wife_code
  ORDER BY m.registered
) TO '{out}' (FORMAT parquet)
"""

# Every divorce registered: those that ended a marriage, and those undone by a return within
# the waiting period (the divorce was registered all the same).
_DIVORCE_BUILD = """
COPY (
  WITH d AS (
    SELECT tehran_day(ended_at) AS day, wife_code FROM raw_marriage
    WHERE end_reason IN ('divorce_revocable', 'divorce_irrevocable')
    UNION ALL
    SELECT tehran_day(r.divorced_at), m.wife_code
    FROM raw_return r JOIN raw_marriage m ON m.id = r.marriage_id)
  SELECT d.day, c.jy, c.jm, w.county AS wife_county, province_of(w.county) AS wife_province
  FROM d
  JOIN days c ON c.day = d.day
  JOIN raw_person w ON w.code = d.wife_code
  ORDER BY d.day
) TO '{out}' (FORMAT parquet)
"""


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    ledger_seq: int
    built_at: datetime
    first_birth: date | None  # None for an empty register
    persons: int
    # The day of the register's latest birth or death: its data reach no further, whatever
    # the clock says (a register loaded months ago, a synthetic one ending on a set day).
    last_event: date | None = None

    def path(self, name: str) -> Path:
        return self.directory / f"{name}.parquet"

    @property
    def first_year(self) -> int | None:
        """The Jalali year of the register's earliest birth: the first year it covers."""
        return jalali_parts(self.first_birth)[0] if self.first_birth else None


Progress = Callable[[str], None]
_build_lock = threading.Lock()


def current(engine: Engine, home: Path, progress: Progress | None = None) -> Snapshot:
    """The snapshot of the register as it is now: reused when the ledger has not moved since
    it was built, else built (once, even with several threads asking)."""
    with engine.connect() as conn:
        head = ledger.current_head(conn)
    base = home / "observatory" / _database_key(engine)
    directory = base / f"{head.seq}-{head.hash[:16]}"
    with _build_lock:
        if not (directory / "meta.json").exists():
            _build(engine, base, directory, progress or (lambda _: None))
    return _read_meta(directory)


def _database_key(engine: Engine) -> str:
    """Snapshots of different databases never mix (the URL without its password)."""
    url = engine.url.render_as_string(hide_password=True)
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _build(engine: Engine, base: Path, directory: Path, progress: Progress) -> None:
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix="building-", dir=base))
    try:
        progress("copying the register out of the database")
        seq, earliest, latest = _extract(engine, work)
        progress("building the Parquet snapshot")
        today = clock.today_tehran()
        # the calendar reaches a year past today: registrations are never later, and the
        # margin covers a legal period that runs past the end of the year
        persons = _transform(work, (earliest or today) - timedelta(days=1),
                             today + timedelta(days=366))  # fmt: skip
        for raw in ("person.csv", "marriage.csv", "return.csv"):
            (work / raw).unlink()
        meta = {"ledger_seq": seq, "built_at": clock.now().isoformat(), "persons": persons,
                "first_birth": earliest.isoformat() if earliest else None,
                "last_event": latest.isoformat() if latest else None}  # fmt: skip
        (work / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        _publish(work, directory)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _prune(base, directory)


def _extract(engine: Engine, work: Path) -> tuple[int, date | None, date | None]:
    """The three tables as CSV, read in one transaction that sees one state of the register
    (and the ledger head of that state)."""
    postgres = engine.dialect.name == "postgresql"
    options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if postgres else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        seq = ledger.current_head(conn).seq
        earliest = conn.execute(select(func.min(Person.birth_date))).scalar()
        born, died = conn.execute(
            select(func.max(Person.birth_date), func.max(Person.death_date))
        ).one()
        latest = max((d for d in (born, died) if d is not None), default=None)
        raw = conn.connection.dbapi_connection
        for query, name in ((_PERSON_SQL, "person"), (_MARRIAGE_SQL, "marriage"),
                            (_RETURN_SQL, "return")):  # fmt: skip
            _copy_out(raw, postgres, query, work / f"{name}.csv")
    return seq, earliest, latest


def _prune(base: Path, newest: Path) -> None:
    """Remove this database's older snapshots but the one before the newest, which a
    request that began before the ledger moved may still be reading."""
    done = [d for d in base.iterdir() if d != newest and not d.name.startswith("building-")]
    done.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for old in done[1:]:
        shutil.rmtree(old, ignore_errors=True)


def _publish(work: Path, directory: Path) -> None:
    """Rename the finished build into place; another process that finished first wins."""
    try:
        os.replace(work, directory)
    except OSError:
        if not (directory / "meta.json").exists():
            raise
        shutil.rmtree(work, ignore_errors=True)


def _copy_out(raw: Any, postgres: bool, query: str, out: Path) -> None:
    """The rows of `query` as headerless CSV, NULL as an empty field."""
    if postgres:
        copy_sql = f"COPY ({query}) TO STDOUT WITH (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(copy_sql) as copy, out.open("wb") as f:
            for chunk in copy:
                f.write(chunk)
        return
    cur = raw.cursor()
    try:
        cur.execute(query)
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            while rows := cur.fetchmany(100_000):
                writer.writerows(rows)
    finally:
        cur.close()


def _transform(work: Path, first: date, last: date) -> int:
    db = duckdb.connect()
    try:
        days_table = days.table(first, last)  # noqa: F841 (read by DuckDB by its name)
        db.execute("CREATE TABLE days AS SELECT * FROM days_table")
        db.execute(_MACROS)
        for name, columns in (("person", _PERSON_COLUMNS), ("marriage", _MARRIAGE_COLUMNS),
                              ("return", _RETURN_COLUMNS)):  # fmt: skip
            db.execute(
                f"CREATE TABLE raw_{name} AS SELECT * FROM read_csv(?, header = false, "
                f"columns = {_struct(columns)}, nullstr = '', auto_detect = false)",
                [str(work / f"{name}.csv")],
            )
        for name, sql in (("person", _PERSON_BUILD), ("marriage", _MARRIAGE_BUILD),
                          ("divorce", _DIVORCE_BUILD)):  # fmt: skip
            db.execute(sql.format(out=work / f"{name}.parquet"))
        row = db.execute("SELECT count(*) FROM raw_person").fetchone()
        return int(row[0]) if row else 0
    finally:
        db.close()


def _struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"


def _read_meta(directory: Path) -> Snapshot:
    meta: dict[str, Any] = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    first, latest = meta["first_birth"], meta.get("last_event")
    return Snapshot(
        directory=directory,
        ledger_seq=int(meta["ledger_seq"]),
        built_at=datetime.fromisoformat(meta["built_at"]).astimezone(UTC),
        first_birth=date.fromisoformat(first) if first else None,
        persons=int(meta["persons"]),
        last_event=date.fromisoformat(latest) if latest else None,
    )
