"""One person read straight through the database's own driver, for `sabt person show`.

Why not SQLAlchemy, as everywhere else: importing it takes longer than the whole command
may (issue 29: `sabt person show` under half a second). The read is one row by its primary
key, and its answer is the API's (`PersonOut`) field for field: a test holds the two equal
on SQLite and PostgreSQL, so they cannot drift apart.
"""

from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from sabt.kit.errors import BadInput, NotFound
from sabt.persian.jalali import format_fa

# The person's columns, named as in the table (and the ORM model).
COLUMNS = (
    "national_code", "first_name", "last_name", "father_name", "sex", "birth_date",
    "birth_county", "residence_county", "religion", "school", "status", "death_date",
    "father_code", "mother_code",
)  # fmt: skip
_QUERY = f"SELECT {', '.join(COLUMNS)} FROM person WHERE national_code = "


def person_not_found(code: str) -> NotFound:
    return NotFound(
        "person_not_found",
        f"فردی با کد ملی {code} ثبت نشده است",
        f"no person with national code {code}",
    )


def no_register() -> BadInput:
    return BadInput(
        "no_register",
        "در این پایگاه داده ثبتی نیست؛ نخست sabt db upgrade را اجرا کنید",
        "this database holds no register: run sabt db upgrade first",
    )


def person(url: str, code: str) -> dict[str, Any]:
    """The person with this (checked) national code, as the API shows one."""
    row = _read(url, code)
    if row is None:
        raise person_not_found(code)
    return shown(dict(zip(COLUMNS, row, strict=True)))


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A row of `person` in the API's form: ISO dates, Jalali dates in Persian digits."""
    born = _day(row["birth_date"])
    died = _day(row["death_date"]) if row["death_date"] is not None else None
    return {
        "national_code": row["national_code"], "first_name": row["first_name"],
        "last_name": row["last_name"], "father_name": row["father_name"], "sex": row["sex"],
        "birth_date": born.isoformat(), "birth_date_jalali": format_fa(born),
        "birth_county": row["birth_county"], "residence_county": row["residence_county"],
        "religion": row["religion"], "school": row["school"], "status": row["status"],
        "death_date": died.isoformat() if died else None,
        "death_date_jalali": format_fa(died) if died else None,
        "father_national_code": row["father_code"], "mother_national_code": row["mother_code"],
    }  # fmt: skip


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _read(url: str, code: str) -> tuple[Any, ...] | None:
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme == "sqlite":
        return _read_sqlite(url, code)
    if scheme in ("postgresql", "postgres"):
        return _read_postgresql(url, code)
    raise BadInput(
        "bad_database_url",
        "فقط SQLite و PostgreSQL پشتیبانی می‌شوند",
        f"only SQLite and PostgreSQL are supported, not {scheme or url}",
    )


def _read_sqlite(url: str, code: str) -> tuple[Any, ...] | None:
    import sqlite3

    # SQLAlchemy's form: sqlite:///relative/path, sqlite:////absolute/path; opened read-only,
    # so that a mistyped path is told, not created empty.
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:":
        raise no_register()
    try:
        with sqlite3.connect(f"file:{quote(path)}?mode=ro", uri=True, timeout=60) as conn:
            found: tuple[Any, ...] | None = conn.execute(_QUERY + "?", (code,)).fetchone()
    except sqlite3.Error as exc:
        raise no_register() from exc
    return found


def _read_postgresql(url: str, code: str) -> tuple[Any, ...] | None:
    import psycopg

    conninfo = "postgresql:" + url.split(":", 1)[1]  # without SQLAlchemy's "+psycopg"
    try:
        with psycopg.connect(conninfo, connect_timeout=10) as conn:
            return conn.execute(_QUERY + "%s", (code,)).fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise no_register() from exc
    except psycopg.Error as exc:
        raise BadInput(
            "database_unreachable",
            "پایگاه داده در دسترس نیست",
            f"cannot read the database: {str(exc).splitlines()[0] if str(exc) else exc}",
        ) from exc
